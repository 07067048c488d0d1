"""vnetlab: declarative, testable, explainable Linux virtual networks.

The public API is this module's ``__all__``; a test pins it.
"""

# first: in the `vnetlab` command, Ctrl-C during the imports below exits quietly (exit 130)
import sys
import types
from typing import TYPE_CHECKING, Any

from . import _interrupt  # noqa: F401
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

if TYPE_CHECKING:
    from .check import check
    from .load import load, load_text
    from .model import Lab
    from .resolve import Resolved, resolve

# imported on first use (PEP 562): the model (pydantic) is most of the CLI's start-up,
# and commands such as `vnetlab down NAME` need none of it
_LAZY = {
    "check": "check",
    "load": "load",
    "load_text": "load",
    "Lab": "model",
    "Resolved": "resolve",
    "resolve": "resolve",
}


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        # importing the submodule vnetlab.load (or .check, .resolve) sets the package's
        # attribute of that name to it: the public name stays the function, as before
        if name in _LAZY and isinstance(value, types.ModuleType):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'vnetlab' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{mod}", __name__), name)
    globals()[name] = value
    return value


__version__ = "0.1.0"

__all__ = [
    "CheckFailed",
    "EnvironmentProblem",
    "InputError",
    "Issue",
    "KernelLacksKind",
    "Lab",
    "LabInvalid",
    "NotImplementedYet",
    "Resolved",
    "VnetlabError",
    "__version__",
    "check",
    "load",
    "load_text",
    "resolve",
]
