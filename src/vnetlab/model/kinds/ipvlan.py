"""ipvlan: children that share the parent's MAC and are told apart by IP.

Defaults are the kernel's: mode l3, flag bridge (``ipvlan_link_new``).
"""

from __future__ import annotations

from typing import Any, Literal

from ..base import InterfaceBase
from ..values import Ref


class Ipvlan(InterfaceBase):
    kind: Literal["ipvlan"]
    parent: Ref
    mode: Literal["l2", "l3", "l3s"] = "l3"
    flag: Literal["bridge", "private", "vepa"] = "bridge"
    NO_RX_HANDLER = True
    CHILD = True

    def link_fields(self) -> dict[str, Any]:
        return {"mode": self.mode, "flag": self.flag}
