"""vlan: an 802.1Q/802.1ad sub-interface of a parent in the same node."""

from __future__ import annotations

from typing import Literal

from ..base import InterfaceBase
from ..values import Ref, Vid


class Vlan(InterfaceBase):
    kind: Literal["vlan"]
    parent: Ref  # must be in the same node; checked with a clear message
    id: Vid
    protocol: Literal["802.1Q", "802.1ad"] = "802.1Q"
