"""tap and tun (drivers/net/tun.c), and the guest NIC on the other side of the fd.

A tap's carrier is on only while a descriptor is attached (tun_set_iff /
__tun_detach): without a guest nothing is sent or received. What the host
sends on the tap is read by the guest; what the guest writes enters the host
as if received on the tap (tun_get_user). A macvtap's guest writes are
transmitted from the macvtap (tap_get_user → dev_queue_xmit).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..frame import HOST, Frame
from ..world import Device, eth_type_trans

if TYPE_CHECKING:
    from ...resolve import Iface
    from ._common import BuildContext

KINDS = ("tap", "tun")


class TapDev(Device):
    kind = "tap"

    def __init__(self, *a: Any, **kw: Any):
        super().__init__(*a, **kw)
        self.guest_nic = None

    def carrier(self) -> bool:
        return self.guest_nic is not None

    def xmit(self, frame: Frame) -> None:
        g = self.guest_nic
        if g is None:  # unreachable: no carrier means the qdisc already dropped it
            self.world.drop(self, frame, "tap-no-fd", "tun_net_xmit", "nobody holds the tap's descriptor")
            return
        self.world.netif_rx(g, frame, eth_type_trans(g, frame))


class TunDev(TapDev):
    """L3: no Ethernet header and no ARP; the guest sees bare IP packets."""

    kind = "tun"
    noarp = True

    def xmit(self, frame: Frame) -> None:
        g = self.guest_nic
        if g is not None:
            self.world.netif_rx(g, frame, HOST)


class GuestNic(Device):
    """The emulated VM's NIC: the far side of a tap/tun/macvtap descriptor."""

    kind = "guest"

    def __init__(self, *a: Any, host: Device, **kw: Any):
        super().__init__(*a, **kw)
        self.host = host
        self.noarp = host.kind == "tun"

    def xmit(self, frame: Frame) -> None:
        h = self.host
        if h.kind == "macvtap":
            self.world.dev_queue_xmit(h, frame)
        elif not h.up:
            self.world.drop(h, frame, "target-down", "tun_get_user", f"{h.label} is down")
        else:
            self.world.netif_rx(h, frame, HOST if h.kind == "tun" else eth_type_trans(h, frame))


def build(b: BuildContext, iface: Iface) -> Device:
    return b.plain(TunDev if iface.kind == "tun" else TapDev, iface)
