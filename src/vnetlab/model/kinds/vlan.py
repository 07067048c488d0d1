"""vlan: an 802.1Q/802.1ad sub-interface of a parent in the same node."""

from dataclasses import dataclass
from typing import Literal

from ..base import InterfaceBase
from ..stepspec import KindFields
from ..values import Ref, Vid


@dataclass(frozen=True)
class VlanLink(KindFields):
    id: int
    protocol: str


class Vlan(InterfaceBase):
    kind: Literal["vlan"]
    parent: Ref  # must be in the same node; checked with a clear message
    id: Vid
    protocol: Literal["802.1Q", "802.1ad"] = "802.1Q"
    CHILD = True

    def link_fields(self) -> VlanLink:
        return VlanLink(self.id, self.protocol)  # an explicit mac is the link's own (never inherited)
