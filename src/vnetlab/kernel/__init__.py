"""The kernel backend: the same lab on the real Linux kernel, through netlink.

The only package that imports pyroute2. ``KernelLab`` plans, brings a lab
up (idempotently, all or nothing), probes it and takes it down; ``sandboxed``
runs any of that in a throw-away sandbox so nothing survives it.

The names below live in ``.lab`` and are imported on first use (PEP 562):
``vnetlab down``, ``list`` and ``exec`` need only ``owner``/``nsutil``/``preflight``,
not the model and pydantic that ``.lab`` imports (a tenth of a second or more at
each start of the CLI). ``from vnetlab.kernel import KernelLab`` and
``from vnetlab.kernel import owner`` work as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .lab import KernelLab, retries_from_env, sandboxed, sandboxed_matrix
    from .lab import _gc_thresh3 as _gc_thresh3

#: the names of .lab this package offers
_LAB = frozenset({"KernelLab", "_gc_thresh3", "retries_from_env", "sandboxed", "sandboxed_matrix"})


def __getattr__(name: str) -> object:
    if name not in _LAB:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import lab

    value: object = getattr(lab, name)
    globals()[name] = value
    return value


__all__ = ["KernelLab", "retries_from_env", "sandboxed", "sandboxed_matrix"]
