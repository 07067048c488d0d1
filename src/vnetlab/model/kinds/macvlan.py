"""macvlan and macvtap: children of an Ethernet parent, told apart by MAC.

The default mode is VEPA because that is what the kernel's
``macvlan_common_newlink`` picks when no mode is given (CNI defaults to
bridge; we follow the kernel).
"""

from dataclasses import dataclass
from typing import Literal

from ..base import InterfaceBase
from ..guest import Guest
from ..stepspec import KindFields, falsy, opt
from ..values import Bool, Mac, Ref

MacvlanMode = Literal["private", "vepa", "bridge", "passthru", "source"]


@dataclass(frozen=True)
class MacvlanLink(KindFields):
    mode: str
    nopromisc: bool = opt(False, falsy)
    source_macs: tuple[str, ...] = opt((), falsy)


class Macvlan(InterfaceBase):
    kind: Literal["macvlan"]
    parent: Ref
    mode: MacvlanMode = "vepa"
    nopromisc: Bool = False
    source_macs: tuple[Mac, ...] = ()
    CHILD = True

    def link_fields(self) -> MacvlanLink:
        return MacvlanLink(self.mode, self.nopromisc, tuple(self.source_macs))


class Macvtap(InterfaceBase):
    kind: Literal["macvtap"]
    parent: Ref
    mode: MacvlanMode = "vepa"
    nopromisc: Bool = False
    source_macs: tuple[Mac, ...] = ()
    CHILD = True

    def link_fields(self) -> MacvlanLink:
        return MacvlanLink(self.mode, self.nopromisc, tuple(self.source_macs))

    guest: Guest | None = None
    HOLDS_OWN_RX_HANDLER = True
