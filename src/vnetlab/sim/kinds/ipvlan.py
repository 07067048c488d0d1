"""ipvlan (drivers/net/ipvlan/): children share the master's MAC and are told apart by IP.

Source only on this machine (no CONFIG_IPVLAN); rows of kernel-semantics §4.6
were since checked on a full kernel. L3 and L3S are treated alike (the l3mdev
hook of L3S gives the same reachability). Slaves in L3/L3S are NOARP.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...model.kinds import Ipvlan
from ..frame import ETH_P_ARP, HOST, PBROADCAST, Arp, Frame, IPv4, is_multicast
from ..world import PASS, Device

if TYPE_CHECKING:
    from ...resolve import Iface
    from ._common import BuildContext

KINDS = ("ipvlan",)


def _l3_dst(frame: Frame) -> int | None:
    p = frame.payload
    if isinstance(p, Arp):
        return p.tpa
    if isinstance(p, IPv4):
        return p.dst
    return None


def _l3_src(frame: Frame) -> int | None:
    p = frame.payload
    if isinstance(p, Arp):
        return p.spa
    if isinstance(p, IPv4):
        return p.src
    return None


class IpvlanPort:
    def __init__(self, master: Device, mode: str, flag: str):
        self.master = master
        self.world = master.world
        self.mode = mode
        self.flag = flag
        self.slaves: list[IpvlanDev] = []
        self.addrs: dict[int, IpvlanDev] = {}
        master.register_rx_handler(self.handle_frame, "ipvlan")
        master.ipvlan_port = self

    def index(self) -> None:
        """ipvlan_ht_addr: slave addresses, hashed only while the slave is up."""
        self.addrs = {}
        for s in self.slaves:
            if s.up and s.stack is not None:
                for dev, ip, _ in s.stack.addrs:
                    if dev is s:
                        self.addrs.setdefault(ip, s)

    def lookup(self, ip: int | None) -> IpvlanDev | None:
        return self.addrs.get(ip) if ip is not None else None

    def multicast(self, frame: Frame, sender: IpvlanDev | None) -> None:
        """ipvlan_process_multicast: a copy to every other up slave, whatever the flag."""
        for s in self.slaves:
            if s is not sender and s.up:
                self.world.netif_rx(s, frame, PBROADCAST)
        if sender is not None:
            self.world.dev_queue_xmit(self.master, frame)

    def handle_frame(self, dev: Device, frame: Frame, pkt_type: int) -> object:
        """ipvlan_handle_frame on the master."""
        if self.mode == "l2":
            if is_multicast(frame.dst):
                external = frame.src != self.master.mac or self.lookup(_l3_src(frame)) is None
                if external:
                    self.world.defer(self.multicast, frame, None)
                return PASS
            if frame.dst != self.master.mac:
                return PASS
        s = self.lookup(_l3_dst(frame))
        if s is None:
            return PASS
        if self.world.tracing:
            self.world.hop(
                self.master,
                "fwd",
                "steer",
                frame,
                why=f"ipvlan {self.mode}: the destination address belongs to {s.label}",
            )
        return (s, frame, HOST)


class IpvlanDev(Device):
    kind = "ipvlan"

    def __init__(self, *a: Any, port: IpvlanPort, **kw: Any):
        super().__init__(*a, **kw)
        self.port = port
        port.slaves.append(self)
        self.noarp = port.mode != "l2"

    def carrier(self) -> bool:
        m = self.port.master
        return m.up and m.carrier()

    def _to_slave(self, s: IpvlanDev | None, frame: Frame, func: str) -> bool:
        """The destination is another slave: delivered locally, or dropped with the
        private flag (both modes). False when it is not a slave's address."""
        if s is None:
            return False
        if self.port.flag == "private":
            self.world.drop(self, frame, "ipvlan-private", func, "private flag: no traffic between ipvlan children")
        else:
            self.world.dev_forward(s, frame, func)
        return True

    def xmit(self, frame: Frame) -> None:
        w, port = self.world, self.port
        if port.mode == "l2":
            if port.flag != "vepa" and frame.dst == frame.src:
                if not self._to_slave(port.lookup(_l3_dst(frame)), frame, "ipvlan_xmit_mode_l2"):
                    w.dev_forward(port.master, frame, "ipvlan_xmit_mode_l2")
                return
            if is_multicast(frame.dst):
                w.defer(port.multicast, frame, self)
                return
            w.dev_queue_xmit(port.master, frame)
            return
        # l3 / l3s
        dst = _l3_dst(frame)
        if port.flag != "vepa" and self._to_slave(port.lookup(dst), frame, "ipvlan_xmit_mode_l3"):
            return
        if is_multicast(frame.dst) or frame.ethertype == ETH_P_ARP or not isinstance(frame.payload, IPv4):
            w.drop(
                self,
                frame,
                "ipvlan-l3-multicast",
                "ipvlan_process_outbound",
                f"ipvlan {port.mode}: broadcast and multicast from a child are dropped",
            )
            return
        pkt = frame.payload
        mstack = port.master.stack
        if mstack is None:
            w.drop(self, frame, "ipvlan-no-master-stack", "ipvlan_process_v4_outbound", "the master has no IP stack")
            return
        if mstack.is_local(pkt.dst):
            if w.tracing:
                w.hop(
                    port.master,
                    "fwd",
                    "local",
                    frame,
                    why="routed in the master's namespace: a local address of the master",
                )
            mstack.local_deliver(port.master, pkt, False)
            return
        route = next((r for r in mstack.routes if r.dev is port.master and pkt.dst & r.mask == r.net), None)
        nh = route.via if route is not None and route.via is not None else pkt.dst
        if w.tracing:
            w.hop(
                port.master,
                "fwd",
                "route",
                frame,
                why=f"ipvlan {port.mode}: routed in the master's namespace out of {port.master.name}",
            )
        mstack.neigh_output(port.master, nh, pkt, route)


def build(b: BuildContext, iface: Iface) -> Device:
    spec = iface.spec
    assert isinstance(spec, Ipvlan)
    master = b.device_of(b.r.parent[iface.key])
    port = master.ipvlan_port or IpvlanPort(master, spec.mode, spec.flag)
    return b.plain(IpvlanDev, iface, port=port, mac=master.mac)
