"""vnetlab: declarative, testable, explainable Linux virtual networks.

The public API is this module's ``__all__``; a test pins it.
"""

from . import _interrupt

_interrupt.leave_on_interrupt()  # first: in the `vnetlab` command, Ctrl-C during the imports below exits quietly

from .check import check  # noqa: E402
from .errors import (  # noqa: E402
    CheckFailed,
    EnvironmentProblem,
    InputError,
    Issue,
    KernelLacksKind,
    LabInvalid,
    NotImplementedYet,
    VnetlabError,
)
from .load import load, load_text  # noqa: E402
from .model import Lab  # noqa: E402
from .resolve import Resolved, resolve  # noqa: E402

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
