"""bridge: a Linux bridge inside a node (defaults of `ip link add type bridge`)."""

from dataclasses import dataclass
from typing import Literal

from ..base import InterfaceBase
from ..stepspec import KindFields, opt
from ..values import Bool, Vid


def _pvid1(v: object) -> bool:
    return v == 1  # the kernel's default: not passed


@dataclass(frozen=True)
class BridgeLink(KindFields):
    vlan_filtering: bool
    stp: bool
    default_pvid: int = opt(1, _pvid1)


class Bridge(InterfaceBase):
    kind: Literal["bridge"]
    vlan_filtering: Bool = False
    stp: Bool = False
    default_pvid: Vid = 1

    def link_fields(self) -> BridgeLink:
        return BridgeLink(self.vlan_filtering, self.stp, self.default_pvid)
