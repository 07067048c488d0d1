"""vlan: an 802.1Q/802.1ad sub-interface of a parent in the same node."""

from __future__ import annotations

from typing import Any, Literal

from ..base import InterfaceBase
from ..values import Ref, Vid


class Vlan(InterfaceBase):
    kind: Literal["vlan"]
    parent: Ref  # must be in the same node; checked with a clear message
    id: Vid
    protocol: Literal["802.1Q", "802.1ad"] = "802.1Q"
    CHILD = True

    def link_fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "protocol": self.protocol}
        if self.mac is not None:
            out["mac"] = self.mac
        return out
