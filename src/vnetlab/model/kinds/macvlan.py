"""macvlan and macvtap: children of an Ethernet parent, told apart by MAC.

The default mode is VEPA because that is what the kernel's
``macvlan_common_newlink`` picks when no mode is given (CNI defaults to
bridge; we follow the kernel).
"""

from __future__ import annotations

from typing import Any, Literal

from ..base import InterfaceBase
from ..guest import Guest
from ..values import Bool, Mac, Ref

MacvlanMode = Literal["private", "vepa", "bridge", "passthru", "source"]


class Macvlan(InterfaceBase):
    kind: Literal["macvlan"]
    parent: Ref
    mode: MacvlanMode = "vepa"
    nopromisc: Bool = False
    source_macs: tuple[Mac, ...] = ()
    CHILD = True

    def link_fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {"mode": self.mode}
        if self.nopromisc:
            out["nopromisc"] = True
        if self.source_macs:
            out["source_macs"] = tuple(self.source_macs)
        return out


class Macvtap(InterfaceBase):
    kind: Literal["macvtap"]
    parent: Ref
    mode: MacvlanMode = "vepa"
    nopromisc: Bool = False
    source_macs: tuple[Mac, ...] = ()
    CHILD = True

    def link_fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {"mode": self.mode}
        if self.nopromisc:
            out["nopromisc"] = True
        if self.source_macs:
            out["source_macs"] = tuple(self.source_macs)
        return out

    guest: Guest | None = None
    HOLDS_OWN_RX_HANDLER = True
