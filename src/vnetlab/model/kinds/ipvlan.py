"""ipvlan: children that share the parent's MAC and are told apart by IP.

Defaults are the kernel's: mode l3, flag bridge (``ipvlan_link_new``).
"""

from dataclasses import dataclass
from typing import Literal

from ..base import InterfaceBase
from ..stepspec import KindFields
from ..values import Ref


@dataclass(frozen=True)
class IpvlanLink(KindFields):
    mode: str
    flag: str


class Ipvlan(InterfaceBase):
    kind: Literal["ipvlan"]
    parent: Ref
    mode: Literal["l2", "l3", "l3s"] = "l3"
    flag: Literal["bridge", "private", "vepa"] = "bridge"
    NO_RX_HANDLER = True
    CHILD = True

    def link_fields(self) -> IpvlanLink:
        return IpvlanLink(self.mode, self.flag)
