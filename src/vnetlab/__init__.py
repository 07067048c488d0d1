"""vnetlab: declarative, testable, explainable Linux virtual networks.

The public API is this module's ``__all__``; a test pins it::

    import vnetlab
    lab = vnetlab.load("lab.yaml")
    sim = vnetlab.simulate(lab)
    with vnetlab.kernel(lab, sandbox=True) as net:
        vnetlab.compare(sim.matrix(), net.matrix())
"""

# first: in the `vnetlab` command, Ctrl-C during the imports below exits quietly (exit 130)
import sys as _sys
import types as _types

from . import _interrupt  # noqa: F401
from .api import KernelNet, Simulation, compare, kernel, load, load_text, simulate
from .check import check
from .errors import (
    CheckFailed,
    EnvironmentProblem,
    InputError,
    Issue,
    KernelLacksKind,
    LabInvalid,
    NotImplementedYet,
    VnetlabError,
)
from .model import Lab
from .resolve import Resolved, resolve
from .verify.compare import Cell
from .verify.expect import Outcome
from .verify.matrix import Column, Matrix
from .verify.trace import Trace

__version__ = "0.1.0"


class _Package(_types.ModuleType):
    """``vnetlab.load`` and ``vnetlab.kernel`` are API functions that share their
    names with subpackages; importing a subpackage later must not replace the
    function (``from vnetlab.kernel import ...`` still finds the package)."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in ("load", "kernel") and isinstance(value, _types.ModuleType):
            return
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package

__all__ = [
    "Cell",
    "CheckFailed",
    "Column",
    "EnvironmentProblem",
    "InputError",
    "Issue",
    "KernelLacksKind",
    "KernelNet",
    "Lab",
    "LabInvalid",
    "Matrix",
    "NotImplementedYet",
    "Outcome",
    "Resolved",
    "Simulation",
    "Trace",
    "VnetlabError",
    "__version__",
    "check",
    "compare",
    "kernel",
    "load",
    "load_text",
    "resolve",
    "simulate",
]
