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

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing before the handler is in place
if TYPE_CHECKING:  # what __getattr__ below imports on first use, for type checkers
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

# The names of the API are imported on first use (PEP 562), so that a command
# pays only for what it runs (`vnetlab --help` loads neither pydantic nor the
# model); `from vnetlab import load` and `vnetlab.load(...)` work as before.
_WHERE = {
    "KernelNet": ".api",
    "Simulation": ".api",
    "compare": ".api",
    "kernel": ".api",
    "load": ".api",
    "load_text": ".api",
    "simulate": ".api",
    "check": ".check",
    "CheckFailed": ".errors",
    "EnvironmentProblem": ".errors",
    "InputError": ".errors",
    "Issue": ".errors",
    "KernelLacksKind": ".errors",
    "LabInvalid": ".errors",
    "NotImplementedYet": ".errors",
    "VnetlabError": ".errors",
    "Lab": ".model",
    "Resolved": ".resolve",
    "resolve": ".resolve",
    "Cell": ".verify.compare",
    "Outcome": ".verify.expect",
    "Column": ".verify.matrix",
    "Matrix": ".verify.matrix",
    "Trace": ".verify.trace",
}


def __getattr__(name: str) -> object:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    # AttributeError while .api is still importing (its own `from . import load`):
    # the import system then takes the submodule, as it should
    value = getattr(importlib.import_module(where, __name__), name)
    if not isinstance(value, _types.ModuleType):
        globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__version__ = "0.1.0"


class _Package(_types.ModuleType):
    """``vnetlab.load``, ``vnetlab.kernel``, ``vnetlab.check`` and ``vnetlab.resolve``
    are API functions that share their names with submodules; importing a
    submodule must not bind its name to the module (``from vnetlab.kernel
    import ...`` still finds the package)."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _WHERE and isinstance(value, _types.ModuleType):
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
