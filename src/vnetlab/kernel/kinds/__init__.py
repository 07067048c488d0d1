"""The kernel half of every device kind: kind name → adapter module.

Each module names the lab kinds it serves (``KINDS``) and gives:

- ``link_args(step, ex)``: a ``link`` step as one rtnetlink request (pyroute2 ``link("add", …)`` arguments);
- ``CONFIG``: the kernel option each of its kinds needs, for "this kernel has no X support (CONFIG_…)";
- ``probe(h, base, name, kind)``: try the kind in the preflight's throw-away namespace (``base``: a veth there);
- ``DECODES``: the kernel's IFLA_INFO_KIND names it reads back, with ``decode(link, decoding)``;
- ``LINKED``: what IFLA_LINK names for it ("peer", "parent" or None), which the import must also hold.

Modules are found by listing this package, so a new kind is one new module
here; a parity test holds the keys equal to the model's ``KINDS``.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from ._common import ADAPTER_ATTRS, Decoding


def _discover() -> list[ModuleType]:
    return [
        importlib.import_module(f"{__name__}.{m.name}")
        for m in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name)
        if not m.name.startswith("_")
    ]


_MODULES = _discover()
KERNEL_KINDS: dict[str, ModuleType] = {k: mod for mod in _MODULES for k in mod.KINDS}
#: the kernel option each kind (and "vlan_filtering") needs
CONFIG: dict[str, str] = {k: v for mod in _MODULES for k, v in mod.CONFIG.items()}
#: IFLA_INFO_KIND → the adapter that reads such a link back into lab text
DECODERS: dict[str, ModuleType] = {k: mod for mod in _MODULES for k in mod.DECODES}
#: a kind (or "vlan_filtering") → the adapter whose ``probe`` tries it
PROBES: dict[str, ModuleType] = {k: mod for mod in _MODULES for k in mod.CONFIG}

__all__ = ["ADAPTER_ATTRS", "CONFIG", "DECODERS", "KERNEL_KINDS", "PROBES", "Decoding"]
