"""The export half of every device kind: kind name → adapter module.

Each module names the kinds it serves (``KINDS``) and gives, for each:

- ``ip_link(r, step)``: the ``ip -batch`` lines that create the device of a ``link`` step;
- ``BUILT_IN_PARENT_NS``: whether those lines run in the parent's namespace (then the device is moved);
- ``netdev(r, iface)``: the kind's own .netdev sections (after ``Kind=`` the kind's name, MAC and MTU);
- ``netdev_owned(r, iface)``: whether this node's .netdev files create it;
- ``NETWORK_KEYS``: kind → the key on its parent's (or underlay's) .network that names it;
- ``dot_label(iface)``: the kind line of its box in the drawing.

Modules are found by listing this package, so a new kind is one new module
here; a parity test holds the keys equal to the model's ``KINDS``.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from ._common import ADAPTER_ATTRS


def _discover() -> dict[str, ModuleType]:
    out: dict[str, ModuleType] = {}
    for m in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if m.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{__name__}.{m.name}")
        for k in mod.KINDS:
            out[k] = mod
    return out


EXPORT_KINDS: dict[str, ModuleType] = _discover()

__all__ = ["ADAPTER_ATTRS", "EXPORT_KINDS"]
