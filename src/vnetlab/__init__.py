"""vnetlab: declarative, testable, explainable Linux virtual networks.

The public API is this module's ``__all__``; a test pins it.
"""

# first: in the `vnetlab` command, Ctrl-C during the imports below exits quietly (exit 130)
from . import _interrupt  # noqa: F401
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
from .load import load, load_text
from .model import Lab
from .resolve import Resolved, resolve

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
