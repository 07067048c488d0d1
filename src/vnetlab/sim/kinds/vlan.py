"""802.1Q/802.1ad sub-interfaces (net/8021q/): push a tag on TX, demux by VID on RX.

Demux happens in the core before the parent's rx_handler (world.netif_receive).
A VLAN device cannot be up while its real device is down (vlan_dev_open),
and its carrier is the real device's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...model.kinds import Vlan
from ..frame import TPID, Frame
from ..world import Device

if TYPE_CHECKING:
    from ...resolve import Iface
    from ._common import BuildContext

KINDS = ("vlan",)


class VlanDev(Device):
    kind = "vlan"

    def __init__(self, *a: Any, real: Device, protocol: str, vid: int, **kw: Any):
        super().__init__(*a, **kw)
        self.real = real
        self.tag = (TPID[protocol], vid)
        real.vlans[self.tag] = self
        self.up = self.admin_up and real.up  # vlan_dev_open: not while the real device is down

    def carrier(self) -> bool:
        return self.real.carrier()

    def xmit(self, frame: Frame) -> None:
        tagged = Frame(frame.dst, frame.src, frame.ethertype, frame.payload, (self.tag, *frame.tags))
        self.world.dev_queue_xmit(self.real, tagged)


def build(b: BuildContext, iface: Iface) -> Device:
    spec = iface.spec
    assert isinstance(spec, Vlan)
    real = b.device_of(b.r.parent[iface.key])
    return b.plain(VlanDev, iface, real=real, protocol=spec.protocol, vid=spec.id)
