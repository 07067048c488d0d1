"""bridge: a Linux bridge inside a node (defaults of `ip link add type bridge`)."""

from __future__ import annotations

from typing import Any, Literal

from ..base import InterfaceBase
from ..values import Bool, Vid


class Bridge(InterfaceBase):
    kind: Literal["bridge"]
    vlan_filtering: Bool = False
    stp: Bool = False
    default_pvid: Vid = 1

    def link_fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {"vlan_filtering": self.vlan_filtering, "stp": self.stp}
        if self.default_pvid != 1:
            out["default_pvid"] = self.default_pvid
        return out
