"""ipvlan (drivers/net/ipvlan/): children share the master's MAC and are told apart by IP.

Source only on this machine (no CONFIG_IPVLAN); rows of kernel-semantics §4.6
were since checked on a full kernel, and IPv6 (§11.19, 06_ipvlan6.sh) too. L3 and
L3S are treated alike (the l3mdev hook of L3S gives the same reachability). Slaves
in L3/L3S are NOARP. The port's address table holds both families: an IPv6
address is keyed with bit 128 set (``V6``), an IPv4 one as is.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from ...model.kinds import Ipvlan
from ..frame import ETH_P_ARP, HOST, PBROADCAST, Arp, Frame, IPv4, is_multicast
from ..world import PASS, Device

if TYPE_CHECKING:
    from ...resolve import Iface, Resolved
    from ..ipv6 import IPv6
    from ._common import BuildContext

KINDS = ("ipvlan",)
#: an IPv6 address's key in the port's table (IPv4 keys are below 2**32)
V6 = 1 << 128


def _as_v6(p: object) -> IPv6 | None:
    """``p`` if it is an IPv6 packet. The simulator's IPv6 module is loaded only for a lab
    that uses IPv6 (tests/sim/test_sim_imports.py); without it no IPv6 packet exists."""
    m = sys.modules.get("vnetlab.sim.ipv6")
    return p if m is not None and isinstance(p, m.IPv6) else None


def _l3_key(frame: Frame, use_dest: bool) -> int | None:
    """ipvlan_get_L3_hdr + ipvlan_addr_lookup: the address a frame is looked up by. ARP: the
    target (``use_dest``) or sender address; IPv4 and IPv6: the destination or source; an
    ICMPv6 packet from :: (IPVL_ICMPV6): a neighbour solicitation's target whichever way
    (DAD, "to avoid DAD issue"), nothing for another type."""
    p = frame.payload
    if isinstance(p, IPv4):
        return p.dst if use_dest else p.src
    if isinstance(p, Arp):
        return p.tpa if use_dest else p.spa
    p6 = _as_v6(p)
    if p6 is not None:
        from ..ipv6 import ND_NS, Icmp6

        if p6.src == 0 and isinstance(p6.payload, Icmp6):
            return V6 | p6.payload.target if p6.payload.type == ND_NS else None
        return V6 | (p6.dst if use_dest else p6.src)
    return None


def _l3_dst(frame: Frame) -> int | None:
    return _l3_key(frame, True)


def _l3_src(frame: Frame) -> int | None:
    return _l3_key(frame, False)


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
        """ipvlan_ht_addr: slave addresses, hashed only while the slave is up (ipvlan_open);
        IPv6 ones as the inet6addr notifier adds them (ipvlan_addr6_event), its link-local
        too."""
        self.addrs = {}
        for s in self.slaves:
            if s.up and s.stack is not None:
                for dev, ip, _ in s.stack.addrs:
                    if dev is s:
                        self.addrs.setdefault(ip, s)
                v6 = s.stack.v6
                if v6 is not None:
                    for ip, _ in v6.addrs.get(s, ()):
                        self.addrs.setdefault(V6 | ip, s)

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
        if (
            is_multicast(frame.dst)
            or frame.ethertype == ETH_P_ARP
            or not (isinstance(frame.payload, IPv4) or _as_v6(frame.payload) is not None)
        ):
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
        p6 = _as_v6(pkt)
        if p6 is not None:
            self._v6_outbound(frame, p6)
            return
        assert isinstance(pkt, IPv4)
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

    def _v6_outbound(self, frame: Frame, pkt: IPv6) -> None:
        """ipvlan_process_v6_outbound: routed in the master's namespace (ip6_route_output with
        the master as oif: strict for a link-local destination, else a preference), then
        ip6_local_out there: a local address of that namespace is delivered through its lo,
        anything else leaves through the route's device, whose neighbour table resolves
        the next hop (the master's ND, not the child's)."""
        from ..ipv6 import a6, is_ll

        w, master = self.world, self.port.master
        assert master.stack is not None
        v6 = master.stack.v6
        if v6 is None:
            w.drop(self, frame, "ipvlan-no-master-stack", "ipvlan_route_v6_outbound", "the master has no IPv6")
            return
        if pkt.dst in v6.local:
            if w.tracing:
                w.hop(master, "fwd", "local", frame, why="routed in the master's namespace: a local address of it")
            v6._to_self(pkt)
            return
        route = v6.lookup(pkt.dst, dev=master) if is_ll(pkt.dst) else v6.lookup(pkt.dst, prefer=master)
        if route is None:
            w.drop(
                self,
                frame,
                "no-route",
                "ipvlan_route_v6_outbound",
                f"the master's namespace has no IPv6 route to {a6(pkt.dst)}",
            )
            return
        if w.tracing:
            w.hop(
                master,
                "fwd",
                "route",
                frame,
                why=f"ipvlan {self.port.mode}: routed in the master's namespace via {route.describe()}",
            )
        v6.neigh_output(route.dev, route.via if route.via is not None else pkt.dst, pkt)


def v6_problem(r: Resolved, node: str, ifname: str) -> str | None:
    """What the simulator does not model of IPv6 on this ipvlan slave (None: it does).
    Measured (docs/kernel-semantics.md §11.19, 06_ipvlan6.sh in the full-kernel VM): l2, l3 and
    l3s with the bridge, private and vepa flags, behind a switch port with and without hairpin."""
    return None


def build(b: BuildContext, iface: Iface) -> Device:
    spec = iface.spec
    assert isinstance(spec, Ipvlan)
    mkey = b.r.parent[iface.key]
    master = b.device_of(mkey)
    port = master.ipvlan_port or IpvlanPort(master, spec.mode, spec.flag)
    dev = b.plain(IpvlanDev, iface, port=port, mac=master.mac)
    # ipvlan_link_new: dev_id from the port's ida, 1, 2, ... in the order the slaves are made
    # (the kernel backend's creation order); it takes the place of ff:fe in the link-local
    from ...plan.order import creation_order

    siblings = [k for k in creation_order(b.r) if b.r.parent.get(k) == mkey and b.r.ifaces[k].kind == "ipvlan"]
    dev.dev_id = siblings.index(iface.key) + 1
    return dev
