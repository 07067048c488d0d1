"""VXLAN (drivers/net/vxlan/vxlan_core.c): Ethernet over UDP between VTEPs.

TX looks up the FDB for the destination MAC, then the all-zeros default
entry, which holds ``remote`` or ``group`` and then every ``remotes`` entry
(vxlan_xmit: one copy per destination, in that order); with none the frame
is dropped. A multicast group is sent on the ``dev`` device to the group's
MAC (01:00:5e + the low 23 bits; ip_eth_mc_map), no ARP; opening the device
joins the group there (vxlan_igmp_join), and the node's stack then accepts
packets to it on that device (ip_check_mc_rcu). RX comes through the node's
UDP socket on ``dstport``; the VNI selects the device; with learning the
inner source MAC is recorded against the outer source IP.

Over an IPv6 underlay (``remote``, ``group`` or ``local`` IPv6: VXLAN_F_IPV6, the
device's one family; kernel-semantics §11.14, 11b_vxlan6_underlay.sh) the same in
UDP/IPv6 through the node's ``Stack6``: vxlan6_get_route (the route to the remote, only
through ``dev`` when it is given and ``local`` is not: RT6_LOOKUP_F_IFACE), the outer
source ``local`` or ipv6_dev_get_saddr, the underlay's ND, receipt by the IPv6 socket on
``dstport`` (``Stack6.vxlan_rcv``), learning against the outer IPv6 source.
"""

from __future__ import annotations

import ipaddress
import zlib
from typing import TYPE_CHECKING, Any

from ...model.kinds import Vxlan as _Vxlan
from ..frame import PROTO_UDP, Frame, IPv4, Udp, Vxlan, ip_int, ip_str, is_multicast
from ..world import Device, eth_type_trans

if TYPE_CHECKING:
    from ...resolve import Iface, Resolved
    from ..ipv6 import IPv6
    from ._common import BuildContext

KINDS = ("vxlan",)


class VxlanDev(Device):
    kind = "vxlan"

    def __init__(
        self,
        *a: Any,
        vni: int,
        remote: str | None,
        group: str | None,
        local: str | None,
        dstport: int,
        learning: bool,
        remotes: tuple[str, ...] = (),
        **kw: Any,
    ):
        super().__init__(*a, **kw)
        self.vni = vni
        #: VXLAN_F_IPV6 (vxlan_nl2conf: an IPv6 remote, group or local): UDP/IPv6 only
        self.v6 = any(x and ":" in x for x in (remote, group, local))
        self.group = ip_int(group) if group and ":" not in group else None
        first = remote if remote else group
        #: the all-zeros FDB entry's destinations: remote or group first, then each remotes entry
        fam = [x for x in (first, *remotes) if x and (":" in x) == self.v6]
        self.defaults = [int(ipaddress.ip_address(x)) for x in fam]
        self.link: Device | None = None
        #: the first default destination is the remote/group entry (which carries ``dev``)
        self.first_has_dev = bool(first)
        self.local = int(ipaddress.ip_address(local)) if local and (":" in local) == self.v6 else None
        self.dstport = dstport
        self.learning = learning
        self.fdb: dict[str, int] = {}

    def xmit(self, frame: Frame) -> None:
        w = self.world
        remote = None if is_multicast(frame.dst) else self.fdb.get(frame.dst)
        dsts = [remote] if remote is not None else self.defaults
        if not dsts:
            w.drop(
                self,
                frame,
                "vxlan-no-destination",
                "vxlan_xmit",
                "no FDB entry for the destination and no default destination (no remote, remotes or group)",
            )
            return
        for i, dst in enumerate(dsts):
            self._xmit_one(frame, dst, remote is None and i == 0 and self.first_has_dev)

    def _xmit_one(self, frame: Frame, remote: int, via_dev: bool = False) -> None:
        """vxlan_xmit_one: encapsulate one copy towards one VTEP or group (``via_dev``: the
        entry carries ``dev`` as its remote_ifindex: only the ``remote``/``group`` one does)."""
        if self.v6:
            self._xmit_one6(frame, remote, via_dev)
            return
        w = self.world
        stack = self.stack
        assert stack is not None
        sport = 49152 + zlib.crc32(f"{frame.src}{frame.dst}".encode()) % 16384
        mcast = remote & 0xF0000000 == 0xE0000000
        link = self.link if mcast or via_dev else None
        src = self.local
        route = None
        onlink = mcast
        if link is not None and not mcast:
            # flowi4_oif = the entry's remote_ifindex (dev): fib_table_lookup takes only routes
            # through it, and with none ip_route_output_key_hash_rcu assumes the remote is on
            # link there ("routing tables are wrong"); measured: a remote routed through another
            # device is unreachable (vnetlab diff, session 11)
            route = next((r for r in stack.routes if remote & r.mask == r.net and r.dev is link), None)
            onlink = route is None
        elif link is None:
            route = stack.lookup(remote)
            if route is None:
                w.drop(self, frame, "vxlan-no-route", "vxlan_xmit", f"no route to the remote VTEP {ip_str(remote)}")
                return
            link = route.dev
        if src is None:  # inet_select_addr on the way out
            src = stack.select_src(route, remote) if route else stack.dev_addr(link)
        if src is None:
            w.drop(self, frame, "vxlan-no-route", "vxlan_xmit", f"no source address towards {ip_str(remote)}")
            return
        if w.tracing:
            w.hop(self, "fwd", "encap", frame, why=f"VNI {self.vni}: encapsulated to {ip_str(remote)}:{self.dstport}")
        pkt = IPv4(src, remote, PROTO_UDP, Udp(sport, self.dstport, Vxlan(self.vni, frame)))
        if onlink:  # __ip_route_output_key: a multicast group (or no route) with an output device is on-link
            assert link is not None
            stack.neigh_output(link, remote, pkt)
        else:
            stack.output(pkt, route)

    def _xmit_one6(self, frame: Frame, remote: int, via_dev: bool) -> None:
        """vxlan_xmit_one over an IPv6 underlay (unicast remotes only: an IPv6 group is refused,
        ``v6_problem``): vxlan6_get_route, then ip6tunnel_xmit through the stack's output."""
        from ..ipv6 import IPv6, a6

        w = self.world
        stack = self.stack
        assert stack is not None and stack.v6 is not None  # an IPv6 underlay gives the lab IPv6
        s6 = stack.v6
        # flowi6_oif is the entry's remote_ifindex: ``dev`` for the remote/group entry, none for
        # a ``remotes`` entry (fdb append without via) or a learned one (vxlan_snoop: 0 for a
        # global source); `bridge fdb` shows "via u0" on the first only (11b A-C). In
        # ip6_route_output_flags an oif with no source is RT6_LOOKUP_F_IFACE (only routes
        # through it: 11b G); with a source it only prefers routes through it
        link = self.link if via_dev else None
        if link is not None and self.local is None:
            route = s6.lookup(remote, link)
        else:
            route = s6.lookup(remote, None, link)
        if route is None:
            w.drop(self, frame, "vxlan-no-route", "vxlan6_get_route", f"no IPv6 route to the remote VTEP {a6(remote)}")
            return
        src = self.local if self.local is not None else s6.select_src(route.dev, remote)
        if src is None:
            w.drop(self, frame, "vxlan-no-route", "vxlan6_get_route", f"no source address towards {a6(remote)}")
            return
        sport = 49152 + zlib.crc32(f"{frame.src}{frame.dst}".encode()) % 16384
        if w.tracing:
            w.hop(self, "fwd", "encap", frame, why=f"VNI {self.vni}: encapsulated to [{a6(remote)}]:{self.dstport}")
        s6.tunnel_output(route, IPv6(src, remote, Udp(sport, self.dstport, Vxlan(self.vni, frame))))

    def accept(self, pkt: IPv4 | IPv6) -> bool:
        """vxlan_rcv for a packet that reached this node's socket on our port (the device's
        family's socket only: vxlan_sock_add opens sock6 for VXLAN_F_IPV6, else sock4)."""
        if isinstance(pkt, IPv4) == self.v6:
            return False
        udp = pkt.payload
        assert isinstance(udp, Udp)
        vx = udp.payload  # (a port probe's Datagram never reaches a VXLAN socket: stack.local_deliver)
        if udp.dport != self.dstport or not isinstance(vx, Vxlan) or vx.vni != self.vni or not self.up:
            return False
        inner = vx.inner
        if inner.src == self.mac:
            self.world.drop(self, inner, "vxlan-loop", "vxlan_rcv", "the inner source is this device's own MAC")
            return True
        if self.learning:
            self.fdb[inner.src] = pkt.src  # vxlan_snoop
        self.world.netif_rx(self, inner, eth_type_trans(self, inner))
        return True


def build(b: BuildContext, iface: Iface) -> Device:
    s = iface.spec
    assert isinstance(s, _Vxlan)
    dev = b.plain(
        VxlanDev,
        iface,
        vni=s.vni,
        remote=s.remote,
        group=s.group,
        local=s.local,
        dstport=s.dstport,
        learning=s.learning,
        remotes=s.remotes,
    )
    stack = b.stacks[iface.node]
    stack.udp.setdefault(s.dstport, []).append(dev)
    if s.dev is not None and (iface.node, s.dev) in b.r.ifaces:
        dev.link = b.device_of((iface.node, s.dev))
        if dev.group is not None and dev.up:  # vxlan_open → vxlan_igmp_join on the link
            stack.join(dev.link, dev.group)
    return dev


def v6_problem(r: Resolved, node: str, ifname: str) -> str | None:
    """What the simulator does not model of this VXLAN device in a lab with IPv6 (None: it
    does). IPv6 inside the overlay over an IPv4 underlay is modelled (kernel-semantics
    §11.14: ND is multicast, so it goes to the default destinations like an ARP broadcast;
    11_vxlan6.sh), and a unicast IPv6 underlay (remote, local, remotes: 11b_vxlan6_underlay.sh);
    an IPv6 group and mixed families are not."""
    s = r.ifaces[(node, ifname)].spec
    assert isinstance(s, _Vxlan)
    v6 = any(x and ":" in x for x in (s.remote, s.group, s.local))
    if s.group and ":" in s.group:
        # 11b E: over a snooping bridge without a querier no ping crossed; MLD and the
        # bridge's IPv6 multicast forwarding are not modelled
        return f"VXLAN with an IPv6 multicast group is not simulated ({node}/{ifname} group {s.group})"
    dst = s.remote or s.group
    if dst and s.local and (":" in dst) != (":" in s.local):
        return f"a VXLAN whose remote/group and local are of two address families is not simulated ({node}/{ifname})"
    for x in (s.remote, s.local, *s.remotes):
        if x and x.lower().startswith("fe8"):
            # vxlan_snoop keeps the input device of a link-local source; a link-local remote
            # needs dev to scope it: neither measured
            return f"VXLAN with a link-local underlay address is not simulated ({node}/{ifname} {x})"
    for x in s.remotes:
        if (":" in x) != v6:
            # vxlan_fdb_parse: an NDA_DST of the other family than the device's is EAFNOSUPPORT (11b D)
            return (
                f"a VXLAN remotes entry of the other address family than its remote/group/local "
                f"is not simulated ({node}/{ifname} {x}: the kernel refuses it, EAFNOSUPPORT)"
            )
    low = r.ifaces.get((node, s.dev)) if s.dev else None
    over = 70 if v6 else 50
    most = low.spec.mtu - over if low is not None and low.spec.mtu is not None else None
    if most is not None and most < 1280 and (s.mtu is None or s.mtu >= 1280):
        # vxlan_config_apply: with dev the MTU is the lower's minus 50 (IPv4 underlay) or 70
        # (IPv6), and an explicit mtu above that is clamped to it (11b F, H): below IPV6_MIN_MTU
        # here, so no IPv6 on the device (V8.1). The simulator's device keeps the lab's mtu
        # (1500 without one), and in a lab with steps a lower's MTU changed in place would leave
        # the kernel's VXLAN MTU as it was: not derived, refused.
        return f"IPv6 on a VXLAN device whose lower's MTU is below {1280 + over} is not simulated yet ({node}/{ifname})"
    return None
