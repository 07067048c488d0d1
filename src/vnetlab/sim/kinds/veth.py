"""veth (drivers/net/veth.c): what one end sends, the other end receives.

Carrier needs both ends up (veth_open/veth_close). A frame is delivered to
the peer whatever its destination MAC (as OTHERHOST if not the peer's), and
dropped if the peer is down or the frame is larger than the peer's MTU.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..frame import HOST, Frame
from ..world import Device

if TYPE_CHECKING:
    from ...resolve import Iface
    from ._common import BuildContext

KINDS = ("veth",)


class VethDev(Device):
    kind = "veth"

    def __init__(self, *a: Any, **kw: Any):
        super().__init__(*a, **kw)
        self.peer: Device | None = None

    def carrier(self) -> bool:
        return self.peer is not None and self.admin_up and self.peer.admin_up

    def xmit(self, frame: Frame) -> None:
        peer = self.peer
        if peer is None:
            self.world.drop(self, frame, "veth-no-peer", "veth_xmit", "the peer is gone")
            return
        if frame.dst == peer.mac and peer.up:  # the unicast fast path of __dev_forward_skb
            w = self.world
            w.queue.append((w.netif_receive, (peer, frame, HOST)))
            return
        self.world.dev_forward(peer, frame, "veth_xmit")


def pair(a: VethDev, b: VethDev) -> None:
    a.peer, b.peer = b, a


def build(b: BuildContext, iface: Iface) -> Device:  # the builder pairs ends once both exist
    return b.plain(VethDev, iface)
