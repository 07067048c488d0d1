"""bridge: a Linux bridge inside a node (defaults of `ip link add type bridge`)."""

from __future__ import annotations

from typing import Literal

from ..base import InterfaceBase
from ..values import Bool, Vid


class Bridge(InterfaceBase):
    kind: Literal["bridge"]
    vlan_filtering: Bool = False
    stp: Bool = False
    default_pvid: Vid = 1
