"""The simulator half of every device kind: kind name → builder.

Each module names the kinds it serves (``KINDS``) and gives
``build(ctx, iface) -> Device`` (``ctx``: a ``BuildContext``). Modules are
found by listing this package, so a new kind is one new module here; a parity
test holds the keys equal to the model's ``KINDS``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import TYPE_CHECKING

from ._common import ADAPTER_ATTRS, BuildContext

if TYPE_CHECKING:
    from ...resolve import Iface
    from ..world import Device


def _discover() -> dict[str, Callable[[BuildContext, Iface], Device]]:
    out: dict[str, Callable[[BuildContext, Iface], Device]] = {}
    for m in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not m.name.startswith("_"):
            mod = importlib.import_module(f"{__name__}.{m.name}")
            out.update(dict.fromkeys(mod.KINDS, mod.build))
    return out


SIM_KINDS = _discover()

__all__ = ["ADAPTER_ATTRS", "SIM_KINDS", "BuildContext"]
