"""A namespace's (or guest's) IPv4 stack: addresses, routes, ARP, ICMP echo.

I/O-free: frames come in through ``receive`` and leave through the world's
``dev_queue_xmit``; nothing here reads a clock or a socket, so the kernel
backend's guest runner can drive the same code from a real descriptor.

Defaults are those of a new network namespace (kernel-semantics §3):
ip_forward 0, rp_filter 0, arp_ignore 0, arp_filter 0, accept_local 0,
icmp_echo_ignore_broadcasts 1, lo up. That is the weak host model: any
interface answers ARP for any local address and accepts IP for it.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol, TypeVar, cast

from .conntrack import DST, ORIGINAL, SRC, Conntrack, Ct
from .frame import (
    _ODD,
    ARP_REPLY,
    ARP_REQUEST,
    BROADCAST,
    ETH_P_ARP,
    ETH_P_IP,
    HOST,
    ICMP_ECHO,
    ICMP_ECHO_REPLY,
    OTHERHOST,
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    TCP_ACK,
    TCP_RST,
    TCP_SYN,
    Arp,
    Datagram,
    Frame,
    Icmp,
    IPv4,
    Tcp,
    Udp,
    ip_int,
    ip_str,
)

# sim.ipv6 and sim.nft are imported where a lab needs them (an IPv6 address, a ruleset): an
# IPv4 lab without rulesets never loads them
if TYPE_CHECKING:
    from ..model.guest import Guest
    from .ipv6 import Icmp6, IPv6, Stack6
    from .nft import Decision, Ruleset
    from .nft import Packet as NfPacket
    from .world import Device, World


#: a packet of either family (the netfilter hooks and NAT are one code for both)
Pkt = TypeVar("Pkt", "IPv4", "IPv6")


def _rewritten(pkt: Pkt, src: int, dst: int, a: int, b: int) -> Pkt:
    """``pkt`` with the addresses, and the echo id (``a``) or the ports (``a``, ``b``), NAT gave it."""
    p = pkt.payload
    seg: Tcp | Udp | None = None
    if isinstance(p, Tcp):
        seg = Tcp(a, b, p.flags, p.tag, p.text)
    elif isinstance(p, Udp):
        seg = Udp(a, b, p.payload)
    if isinstance(pkt, IPv4):
        return IPv4(
            src, dst, pkt.proto, seg if seg is not None else Icmp(cast(Icmp, p).type, a, cast(Icmp, p).seq), pkt.ttl
        )
    from .ipv6 import IPv6 as IP6  # (an IPv6 lab: sim.ipv6 is loaded)

    return IP6(src, dst, seg if seg is not None else replace(cast("Icmp6", p), id=a), pkt.hlim)


class UdpSocket(Protocol):
    """What listens on a UDP port of a stack (a VXLAN device): takes a datagram or not."""

    def accept(self, pkt: IPv4) -> bool: ...


STATIC, REACHABLE, STALE, INCOMPLETE = "permanent", "reachable", "stale", "incomplete"

_DEFAULTS = {
    "rp_filter": 0,
    "arp_ignore": 0,
    "arp_announce": 0,
    "arp_filter": 0,
    "accept_local": 0,
    "forwarding": 0,
    "arp_accept": 0,
}
_MAX = {"rp_filter", "arp_ignore", "arp_announce", "arp_accept"}  # include/linux/inetdevice.h IN_DEV_MAXCONF
LOOPBACK_NET = int(ipaddress.IPv4Address("127.0.0.0"))


@dataclass(slots=True)
class RouteEntry:
    net: int
    plen: int
    mask: int
    dev: Device
    via: int | None
    metric: int
    src: int | None
    order: int

    def describe(self) -> str:
        to = "default" if self.plen == 0 else f"{ip_str(self.net)}/{self.plen}"
        via = f" via {ip_str(self.via)}" if self.via is not None else ""
        return f"{to}{via} dev {self.dev.name}"


@dataclass(slots=True)
class Neigh:
    mac: str
    state: str


def brnf_on(value: object) -> bool:
    """Whether a br_netfilter switch (net.bridge.bridge-nf-*) with this value is on: any value
    but 0 reads back as 1 (brnf_sysctl_call_tables)."""
    return str(value).strip() not in ("0", "")


@functools.lru_cache(maxsize=65536)
def address_int(addr: str) -> int:
    """An address string as the stacks key it: an IPv4 address's integer, or the negated integer
    of an IPv6 address (< 0; ``::`` is not a probe target). Cached: a matrix parses each column once."""
    return -int(ipaddress.IPv6Address(addr)) if ":" in addr else ip_int(addr)


def _mask(plen: int) -> int:
    return (0xFFFFFFFF << (32 - plen)) & 0xFFFFFFFF if plen else 0


class Stack:
    """One IPv4 stack. ``name`` is the node or guest it belongs to."""

    def __init__(self, world: World, name: str, sysctl: dict[str, int | str] | None = None):
        self.world = world
        self.name = name
        self.sysctl = {
            k: int(v) if isinstance(v, str) and v.strip().lstrip("-").isdigit() else v
            for k, v in (sysctl or {}).items()
        }
        self.devs: list[Device] = []
        self.addrs: list[tuple[Device, int, int]] = []
        self.static: list[tuple[int, int, int | None, Device | None, int]] = []
        self.routes: list[RouteEntry] = []
        self.local: set[int] = set()
        self.bcast: set[int] = set()
        self.neigh: dict[tuple[Device, int], Neigh] = {}
        #: the static entries of ``neigh`` (never changed once made): what a flush keeps
        self._static: dict[tuple[Device, int], Neigh] = {}
        self.pending: dict[tuple[Device, int], list[IPv4]] = {}
        #: (echo id, sequence) of the echo replies this stack's probes got
        self.replies: set[tuple[int, int]] = set()
        #: idents of the echo requests this stack answered (who answered a duplicate address)
        self.echoed: set[tuple[int, int]] = set()
        #: the address each echo request (id, sequence) of a probe went to (it takes a reply only from it)
        self.pinged: dict[tuple[int, int], int] = {}
        self.udp: dict[int, list[UdpSocket]] = {}
        #: (device, group) multicast memberships (ip_mc_join_group), e.g. a VXLAN group
        self.mc: set[tuple[Device, int]] = set()
        self._conf: dict[tuple[Device, str], int] = {}
        #: no net.ipv4.conf.* set: every per-device value is the new-namespace default
        self.default_conf = not any(k.startswith("net.ipv4.conf.") for k in self.sysctl)
        self.lo_label = f"{name}/lo"
        fwd = self.sysctl.get("net.ipv4.ip_forward", self.sysctl.get("net.ipv4.conf.all.forwarding", 0))
        self.forward_all = bool(fwd)
        self.ignore_bcast_echo = bool(self.sysctl.get("net.ipv4.icmp_echo_ignore_broadcasts", 1))
        self.ignore_all_echo = bool(self.sysctl.get("net.ipv4.icmp_echo_ignore_all", 0))
        #: the namespace's nftables ruleset (None: no ruleset, no hooks) and its conntrack
        self.nf: Ruleset | None = None
        self.conntrack = Conntrack()
        #: port probes (v1.1): the TCP and UDP ports every node listens on during one
        self.listen: frozenset[int] = frozenset()
        #: a port probe's tag → the (address, port) its connected socket talks to
        self.conns: dict[int, tuple[int, int]] = {}
        #: a port probe's tag → the name the answering listener sent
        self.answerer: dict[tuple[int, int], str] = {}
        #: the packet the hooks last saw and what its rules read (see _nf_packet)
        self._nfp: tuple[IPv4 | IPv6, NfPacket] | None = None
        #: the namespace's IPv6 (sim/ipv6.py), in a lab that has IPv6 addresses
        self.v6: Stack6 | None = None
        #: br_netfilter: bridged IPv4 packets pass this namespace's ip/inet hooks; see ``br_pre``,
        #: kernel-semantics §8.2
        self.brnf4 = brnf_on(self.sysctl.get("net.bridge.bridge-nf-call-iptables", 0))
        #: bridge-nf-call-ip6tables: bridged IPv6 through the ip6/inet hooks the same way (§8.3)
        self.brnf6 = brnf_on(self.sysctl.get("net.bridge.bridge-nf-call-ip6tables", 0))
        #: the bridged packet a bridge is passing up to this stack, and its conntrack (ip_sabotage_in)
        self._bridged: tuple[IPv4 | IPv6, Ct] | None = None

    # configuration -------------------------------------------------------------
    def add_device(self, dev: Device) -> None:
        dev.stack = self
        self.devs.append(dev)

    def add_address(self, dev: Device, cidr: str) -> None:
        iface = ipaddress.ip_interface(cidr)
        if iface.version != 4:
            self.enable_ipv6().add_address(dev, cidr)
            return
        self.addrs.append((dev, int(iface.ip), iface.network.prefixlen))

    def add_route(self, to: str, via: str | None, dev: Device | None, metric: int | None) -> None:
        if to == "default" and via is not None and ":" in via:
            to = "::/0"
        net = ipaddress.ip_network("0.0.0.0/0" if to == "default" else to)
        if net.version != 4:
            self.enable_ipv6().add_route(to, via, dev, metric)
            return
        self.static.append(
            (
                int(net.network_address),
                net.prefixlen,
                int(ipaddress.IPv4Address(via)) if via else None,
                dev,
                metric or 0,
            )
        )

    def join(self, dev: Device, group: int) -> None:
        self.mc.add((dev, group))

    def dev_addr(self, dev: Device) -> int | None:
        """inet_select_addr(dev, 0, scope): the device's first address, else any."""
        for d, ip, _ in self.addrs:
            if d is dev:
                return ip
        for d, ip, _ in self.addrs:
            if d.up:
                return ip
        return None

    def add_neighbor(self, dev: Device, ip: str, mac: str) -> None:
        a = ipaddress.ip_address(ip)
        if a.version == 4:
            self.neigh[(dev, int(a))] = self._static[(dev, int(a))] = Neigh(mac, STATIC)
        else:
            self.enable_ipv6().add_neighbor(dev, ip, mac)

    def enable_ipv6(self) -> Stack6:
        if self.v6 is None:
            from .ipv6 import Stack6

            self.v6 = Stack6(self)
        return self.v6

    def ipv6_rcv(self, dev: Device, frame: Frame, pkt_type: int) -> None:
        if self.v6 is not None:
            self.v6.rcv(dev, frame, pkt_type)
        else:
            self.world.drop(
                dev, frame, "ipv6-off", "ipv6_rcv", f"{self.name} has no IPv6 (a lab without IPv6 addresses)"
            )

    def finalize(self) -> None:
        """Compute the routing table from addresses and static routes, as the kernel would."""
        routes: list[RouteEntry] = []
        self.local = set()
        self.bcast = set()
        for dev, ip, plen in self.addrs:
            # fib_add_ifaddr: the local route is added whatever the device's state, and a
            # device going down keeps it; the prefix and broadcast routes need it up.
            # (Found by the differential fuzzer: a node pings its own address on a down device.)
            self.local.add(ip)
            if not dev.up:
                continue
            m = _mask(plen)
            if plen < 31:
                self.bcast.add((ip & m) | (~m & 0xFFFFFFFF))
            if plen < 32:
                net = ip & m
                if not any(r.net == net and r.plen == plen and r.dev is dev for r in routes):
                    routes.append(RouteEntry(net, plen, m, dev, None, 0, ip, len(routes)))
        for net, plen, via, out, metric in self.static:
            if via is not None and out is None:
                r = self._lookup(routes, via)
                if r is None or r.via is not None:
                    continue
                out = r.dev
            if out is None or not out.up:
                continue
            if (
                via is None
                and metric == 0
                and any(r.src is not None and (r.net, r.plen, r.dev) == (net, plen, out) for r in routes)
            ):
                continue  # identical to the kernel's prefix route: a no-op (plan/routes.py)
            routes.append(RouteEntry(net, plen, _mask(plen), out, via, metric, None, len(routes)))
        routes.sort(key=lambda r: (-r.plen, r.metric, r.order))
        self.routes = routes
        if self.v6 is not None:
            self.v6.finalize()

    # sysctl ------------------------------------------------------------------
    def conf(self, dev: Device, key: str) -> int:
        if self.default_conf:
            return _DEFAULTS.get(key, 0)
        k = (dev, key)
        v = self._conf.get(k)
        if v is None:
            v = self._conf[k] = self._conf_uncached(dev, key)
        return v

    def _conf_uncached(self, dev: Device, key: str) -> int:
        d = _DEFAULTS.get(key, 0)
        a = int(self.sysctl.get(f"net.ipv4.conf.all.{key}", d))
        v = int(self.sysctl.get(f"net.ipv4.conf.{dev.name}.{key}", d))
        return max(a, v) if key in _MAX else int(bool(a or v))

    def forwarding(self, dev: Device) -> bool:
        return self.forward_all or bool(int(self.sysctl.get(f"net.ipv4.conf.{dev.name}.forwarding", 0)))

    # routing -----------------------------------------------------------------
    @staticmethod
    def _lookup(routes: list[RouteEntry], dst: int) -> RouteEntry | None:
        for r in routes:
            if dst & r.mask == r.net:
                return r
        return None

    def lookup(self, dst: int) -> RouteEntry | None:
        for r in self.routes:  # _lookup, inlined
            if dst & r.mask == r.net:
                return r
        return None

    def select_src(self, route: RouteEntry, dst: int) -> int | None:
        """inet_select_addr: the route's prefsrc, else an address of its device."""
        if route.src is not None:
            return route.src
        target = route.via if route.via is not None else dst
        first = None
        for dev, ip, plen in self.addrs:
            if dev is route.dev and dev.up:
                if (ip ^ target) & _mask(plen) == 0:
                    return ip
                first = first if first is not None else ip
        if first is not None:
            return first
        for dev, ip, _ in self.addrs:
            if dev.up:
                return ip
        return None

    # sending -----------------------------------------------------------------
    def ping_address(self, addr: str, ident: int, seq: int = 1) -> None:
        """One echo request to ``addr`` (IPv4 or IPv6, by its spelling): ``ping`` or ``Stack6.ping``."""
        ip = address_int(addr)
        if ip < 0:
            self.enable_ipv6().ping(-ip, ident, seq)
        else:
            self.ping(ip, ident, seq)

    def ping(self, dst: int, ident: int, seq: int = 1) -> None:
        """Send one ICMP echo request (``ident``, ``seq``) to ``dst`` with the node's own routing."""
        self.pinged[(ident, seq)] = dst
        if self.nf is None and self.echo_on_bridge(dst, ident, seq):
            return
        self._send_new(dst, f"echo request to {ip_str(dst)}", lambda src: Icmp(ICMP_ECHO, ident, seq), PROTO_ICMP)

    def echo_on_bridge(self, dst: int, ident: int, seq: int) -> bool:
        """A matrix cell's whole exchange in one step, when it is the plainest one: an echo
        request from a cold neighbour entry, over one bridge to the one plain host stack that
        owns ``dst``, and its reply. False (nothing done) unless every condition below holds;
        then exactly what the events would do is done: ``neigh_output`` (ARP request), the
        bridge's ``port_rx`` (learning, the owner-only ARP fan-out of ``_receivers``, no pass-up),
        ``arp_rcv`` and ``_event_ns`` on the owner, its ARP reply back (``port_rx``, known
        unicast), ``arp_rcv``/``_resolved`` here, the echo request and reply the same way
        (``ip_rcv``, ``local_deliver``, ``output``, ``neigh_output`` from the resolved entry).
        Each of those frames is the only event in the queue when it runs, nothing is observed,
        and no frame is kept, so the queue and the frames are skipped: the state after is the
        same (neighbour entries, FDBs, ``echoed``, ``replies``, ``World.frames``)."""
        w = self.world
        if w.tracing or w.captures or w.queue or w.work or not self.default_conf:
            return False
        if dst in self.local or dst & 0xFF000000 == LOOPBACK_NET or dst in self.bcast:
            return False
        if dst & 0xF0000000 == 0xE0000000 or dst == 0xFFFFFFFF:
            return False
        route = self.lookup(dst)
        if route is None or route.via is not None:
            return False
        sdev = route.dev
        src = self.select_src(route, dst)
        if src is None or src not in self.local or src in self.bcast or src & 0xF0000000 == 0xE0000000:
            return False
        if src & 0xFF000000 == LOOPBACK_NET:
            return False
        if not sdev.up or not sdev.oper or sdev.noarp or not sdev.fast_host:
            return False
        key = (sdev, dst)
        if key in self.neigh or key in self.pending or w.waiting.get(src):
            return False
        pdev = sdev.fast_peer
        if pdev is None or not pdev.up or not pdev.oper or pdev.fast_peer is not sdev:
            return False
        br = pdev.fast_bridge
        if br is None or br.brnf or br.promisc or len(br.ports) <= 8 or not br._inert_up:
            return False
        other, plain, _ = br._idx or br._index()
        qs = plain.get(dst)
        if other or qs is None or len(qs) != 1:
            return False
        p = pdev.bridge_port  # type: ignore[attr-defined]  # a bridge port (fast_bridge is set on ports only)
        q = qs[0]
        qdev = q.dev
        if q is p or not qdev.oper or qdev.fast_bridge is not br:
            return False
        ddev = qdev.fast_peer
        if (
            ddev is None
            or not ddev.up
            or not ddev.oper
            or ddev.noarp
            or not ddev.fast_host
            or ddev.fast_peer is not qdev
        ):
            return False
        d = ddev.stack
        if d is None or d.nf is not None or not d.default_conf or d.ignore_all_echo:
            return False
        if dst not in d.local or src in d.local or src in d.bcast or dst in d.bcast or src == 0xFFFFFFFF:
            return False
        if br.stack is not None and dst in br.stack.local:
            return False  # the bridge's own stack answers too (br_pass_frame_up)
        smac, dmac = sdev.mac, ddev.mac
        if smac == dmac or smac[1] in _ODD or dmac[1] in _ODD or "00:00:00:00:00:00" in (smac, dmac):
            return False
        back = d.lookup(src)
        if back is None or back.dev is not ddev or back.via is not None:
            return False
        dkey = (ddev, src)
        n0 = d.neigh.get(dkey)
        if dkey in d.pending or (
            n0 is not None and (n0.state == INCOMPLETE or (n0.state == STATIC and n0.mac != smac))
        ):
            return False
        # the FDB entries the unicasts meet, once the ARP request and reply were learned from
        fdb = br.fdb
        es, ed = fdb.get((smac, 0)), fdb.get((dmac, 0))
        learn_s = p.learning and (es is None or (not es.local and es.port is not p))
        learn_d = q.learning and (ed is None or (not ed.local and ed.port is not q))
        if not learn_s and (es is None or es.local or es.port is not p):
            return False
        if not learn_d and (ed is None or ed.local or ed.port is not q):
            return False
        # every frame passes (a promiscuous bridge would also pass the unicasts up: excluded
        # above): do what its events do
        if learn_s:
            br.learn(p, smac)
        d._event_ns(ddev, src, smac)  # arp_rcv of the request on the owner (its entry for us)
        if learn_d:
            br.learn(q, dmac)
        self.neigh[key] = Neigh(dmac, REACHABLE)  # our entry: INCOMPLETE, then the reply's (_resolved)
        w.dirty.add(self)
        d.echoed.add((ident, seq))
        self.replies.add((ident, seq))
        w.frames += 16  # 4 frames, each: dev_queue_xmit, port_rx, its forward, _host_rx
        return True

    def connect(self, dst: int, proto: int, dport: int, tag: int) -> None:
        """A port probe: a TCP SYN (a non-blocking connect) or a UDP datagram on a
        connected socket to ``dst``:``dport``, with the node's own routing."""
        sport = ephemeral(tag)
        what = f"{'TCP' if proto == PROTO_TCP else 'UDP'} to {ip_str(dst)}:{dport}"

        def segment(src: int) -> Tcp | Udp:
            self.conns[tag] = (dst, dport)  # the socket is connected once a route and a source exist
            return Tcp(sport, dport, TCP_SYN, tag) if proto == PROTO_TCP else Udp(sport, dport, Datagram(tag))

        self._send_new(dst, what, segment, proto)

    def _send_new(self, dst: int, what: str, payload: Callable[[int], Icmp | Tcp | Udp], proto: int) -> None:
        """A locally made packet to ``dst``: to a local address through lo, else routed from
        the source the route selects (ENETUNREACH without a route, nothing without a source)."""
        if dst in self.local or dst & 0xFF000000 == LOOPBACK_NET:  # is_local
            pkt = IPv4(dst, dst, proto, payload(dst))
            if self.world.tracing:
                self.world.hop(self.lo_label, "tx", "ok", pkt.describe(), why="a local address: delivered through lo")
            if self.nf is None:
                self.world.defer(self.local_deliver, None, pkt, False)
            else:
                self._nf_out(pkt, None)
            return
        route = self.lookup(dst)
        if route is None:
            why = f"{self.name} has no route to {ip_str(dst)} (ENETUNREACH)"
            self.world.drop(self.lo_label, what, "no-route", "ip_route_output_flow", why)
            return
        src = self.select_src(route, dst)
        if src is None:
            why = f"{self.name} has no IPv4 address to send from"
            self.world.drop(self.lo_label, what, "no-source", "inet_select_addr", why)
            return
        self.output(IPv4(src, dst, proto, payload(src)), route)

    def is_local(self, ip: int) -> bool:
        return ip in self.local or ip & 0xFF000000 == LOOPBACK_NET

    def output(self, pkt: IPv4, route: RouteEntry | None = None) -> None:
        if self.nf is not None:
            self._nf_out(pkt, route)
            return
        if pkt.dst in self.local or pkt.dst & 0xFF000000 == LOOPBACK_NET:  # is_local
            self.world.defer(self.local_deliver, None, pkt, False)
            return
        if route is None:
            route = self.lookup(pkt.dst)
            if route is None:
                self.world.drop(
                    self.lo_label,
                    pkt.describe(),
                    "no-route",
                    "ip_route_output_flow",
                    f"{self.name} has no route to {ip_str(pkt.dst)}",
                )
                return
        nh = route.via if route.via is not None else pkt.dst
        self.neigh_output(route.dev, nh, pkt, route)

    # netfilter (kernel-semantics §8) ---------------------------------------------
    def _nf_out(self, pkt: IPv4, route: RouteEntry | None) -> None:
        """A locally made packet with a ruleset: __ip_local_out's NF_INET_LOCAL_OUT (a DNAT there
        re-routes: ip_route_me_harder), then ip_output's NF_INET_POST_ROUTING (no input device: a
        local packet's skb->dev is unset), conntrack's confirm, and out (through lo for a local
        address)."""
        w = self.world
        local = self.is_local(pkt.dst)
        if not local and route is None:
            route = self.lookup(pkt.dst)
            if route is None:
                w.drop(
                    self.lo_label,
                    pkt.describe(),
                    "no-route",
                    "ip_route_output_flow",
                    f"{self.name} has no route to {ip_str(pkt.dst)}",
                )
                return
        if route is not None and self._loopback_src(pkt, route, "ip_route_output_flow"):
            return
        oif = "lo" if local or route is None else route.dev.name
        where = self.lo_label if local or route is None else route.dev.label
        ct = self._ct_in(pkt)
        dst = pkt.dst
        out = self._hook("output", pkt, None, oif, where, ct)
        if out is None:
            return
        if out.dst != dst:  # nf_nat_ipv4_local_fn: the destination changed, route again
            local = self.is_local(out.dst)
            route = None if local else self.lookup(out.dst)
            if not local and route is None:
                w.drop(
                    where,
                    out.describe(),
                    "no-route",
                    "ip_route_me_harder",
                    f"{self.name} has no route to {ip_str(out.dst)}",
                )
                return
            if route is not None and self._loopback_src(out, route, "ip_route_me_harder"):
                return
            oif = "lo" if route is None else route.dev.name
            where = self.lo_label if route is None else route.dev.label
        nh = None if route is None else (route.via if route.via is not None else out.dst)
        out = self._hook("postrouting", out, None, oif, where, ct, nh=(route.dev, nh) if route and nh else None)
        if out is None:
            return
        self.conntrack.confirm(ct)
        if route is None:
            w.defer(self._lo_rcv, out, ct)
        else:
            self.neigh_output(route.dev, route.via if route.via is not None else out.dst, out, route)

    def _loopback_src(self, pkt: IPv4, route: RouteEntry, func: str) -> bool:
        """__mkroute_output: a 127/8 source may not leave through another device than lo (EINVAL).
        Only NAT makes such a packet: the echo reply of a request redirected to 127.0.0.1 whose
        source was SNATed to an address routed elsewhere."""
        if pkt.src & 0xFF000000 != LOOPBACK_NET:
            return False
        why = f"{self.name}: the source {ip_str(pkt.src)} is a loopback address and the route leaves through {route.dev.name} (EINVAL)"
        self.world.drop(self.lo_label, pkt.describe(), "loopback-source", f"{func} (__mkroute_output)", why)
        return True

    def _lo_rcv(self, pkt: IPv4, ct: Ct) -> None:
        """A packet to a local address, back in through lo: ip_rcv's NF_INET_PRE_ROUTING, then delivery.

        loopback_xmit keeps the skb's conntrack: nf_conntrack_in skips a packet that has
        one, so every prerouting chain, even one before priority -200, sees the state
        OUTPUT gave it (kernel-semantics §8)."""
        if (p := self._hook("prerouting", pkt, "lo", None, self.lo_label, ct, carried=True)) is not None:
            self.local_deliver(None, p, False, ct)

    def _ct_in(self, pkt: IPv4) -> Ct:
        """nf_conntrack_in at prerouting or output: the packet's conntrack (entry, direction, state)."""
        nf = self.nf
        p = pkt.payload
        if nf is None or not nf.uses_ct:
            return Ct(None, ORIGINAL, "invalid")  # conntrack is not loaded here: nothing reads it
        if isinstance(p, Icmp):
            return self.conntrack.lookup((PROTO_ICMP, pkt.src, pkt.dst, p.id, p.type))
        return self.ct_l4(pkt.src, pkt.dst, p)

    def ct_l4(self, src: int, dst: int, p: Tcp | Udp) -> Ct:
        """nf_conntrack_in for a port probe's segment or datagram, of either family (an IPv6
        address is above 2**32, so its keys never meet an IPv4 one)."""
        if isinstance(p, Tcp):
            # tcp_new: only a SYN starts a connection; a SYN/ACK or RST without one is invalid
            return self.conntrack.lookup((PROTO_TCP, src, dst, p.sport, p.dport), p.flags == TCP_SYN)
        if isinstance(p.payload, Datagram):
            return self.conntrack.lookup((PROTO_UDP, src, dst, p.sport, p.dport))
        return Ct(None, ORIGINAL, "invalid")

    def _hook(
        self,
        hook: str,
        pkt: Pkt,
        iif: str | None,
        oif: str | None,
        where: str,
        ct: Ct,
        carried: bool = False,
        nh: tuple[Device, int] | None = None,
        via: str = "",
    ) -> Pkt | None:
        """NF_HOOK: the ruleset's base chains on ``hook`` and, where the ruleset has nat chains, the
        NAT hook at its fixed priority among them; the packet as it leaves the hook (NAT may have
        rewritten it), None when a chain dropped it. ``nh``: the output device and next hop
        (postrouting: what masquerade picks its address by; for IPv6 the packet's destination,
        nf_nat_masquerade_ipv6); ``via``: the br_netfilter function that runs the hook for a
        bridged packet (the trace names it). Either family: IPv6 through sim/ipv6.py (§11.18)."""
        nf = self.nf
        assert nf is not None
        natprio = nf.nat_prio.get(hook) if nf.nat else None
        if natprio is None:
            return pkt if self._chains(hook, pkt, iif, oif, where, ct.state, carried, via=via) else None
        if not self._chains(hook, pkt, iif, oif, where, ct.state, carried, (float("-inf"), natprio), via):
            return None
        out = self._nat(hook, pkt, iif, oif, where, ct, nh)
        if out is None:
            return None
        if out is not pkt and via:
            self._bridged_nat(hook, pkt, out)
        return (
            out if self._chains(hook, out, iif, oif, where, ct.state, carried, (natprio, float("inf")), via) else None
        )

    def _nat(
        self, hook: str, pkt: Pkt, iif: str | None, oif: str | None, where: str, ct: Ct, nh: tuple[Device, int] | None
    ) -> Pkt | None:
        """nf_nat_inet_fn: a new connection's binding of this hook's kind (the nat chains', or the
        null binding), then nf_nat_packet: the packet rewritten from its entry (kernel-semantics
        §8; IPv6: nf_nat_ipv6_fn, the same code, §11.18). An untracked packet (ND) is never NATed."""
        e, p, nf, w = ct.entry, pkt.payload, self.nf, self.world
        if e is None or nf is None:
            return pkt
        echo = not isinstance(p, (Tcp, Udp))  # an ICMP or ICMPv6 echo (the only ones tracked)
        if isinstance(p, Tcp) or (isinstance(p, Udp) and isinstance(p.payload, Datagram)):
            a, b = p.sport, p.dport
        elif echo:
            a, b = cast("Icmp", p).id, cast("Icmp", p).type
        else:
            return pkt  # (a VXLAN datagram: labs with VXLAN and a ruleset are refused)
        manip = DST if hook in ("prerouting", "output") else SRC
        d: Decision | None = None
        if ct.dir == ORIGINAL and not (e.dst_done if manip == DST else e.src_done):
            q = self._nf_packet(nf, pkt, b if echo else None, iif or "", oif or "", ct.state)
            d = nf.run_nat(hook, q)
            if d is not None and d.verdict != "accept":
                w.drop(
                    where,
                    pkt.describe(),
                    "nft-drop",
                    f"nf_nat_inet_fn (NF_INET_{_NF_NAMES[hook]})",
                    f"{self.name}: {d.describe()}",
                )
                return None
            addr: int | None = None
            port: int | None = None
            if d is not None and d.nat is not None:
                port = d.nat.port
                if isinstance(pkt, IPv4):
                    addr = self._nat_addr(hook, d.nat.kind, d.nat.addr, iif, nh)
                else:
                    assert self.v6 is not None
                    addr = self.v6.nat_addr(hook, d.nat.kind, d.nat.addr, iif, nh, pkt.dst)
                if addr is None:
                    why = f"{self.name}: {d.describe()}: no address to translate to"
                    w.drop(where, pkt.describe(), "nat-no-address", f"nft_{d.nat.kind}_eval", why)
                    return None
            self.conntrack.bind(e, manip, addr, port)
        new = Conntrack.rewrite(e, ct.dir, manip, pkt.src, pkt.dst, a, b)
        if new is None:
            return pkt
        src, dst, na, nb = new
        if src == pkt.src and dst == pkt.dst and na == a and nb == b:
            return pkt  # (through lo the packet already carries its translation)
        out = _rewritten(pkt, src, dst, na, nb)
        change = (
            f"{pkt.describe()} id {a} -> {out.describe()} id {na}" if echo else f"{pkt.describe()} -> {out.describe()}"
        )
        if w.tracing:
            if d is not None and d.nat is not None:
                why = f"{self.name}: {d.describe()}: {change}"
            else:
                how = "translated" if ct.dir == ORIGINAL else "un-NATed (a reply)"
                why = f"{self.name}: {how} by its conntrack entry, {manip} at NF_INET_{_NF_NAMES[hook]}: {change}"
            w.hop(where, "nat", manip + "nat", out.describe(), why=why)
        return out

    def _nat_addr(
        self, hook: str, kind: str, addr: int | None, iif: str | None, nh: tuple[Device, int] | None
    ) -> int | None:
        """The address a NAT statement translates to (None: none, the packet is dropped)."""
        if kind in ("snat", "dnat"):
            return addr
        if kind == "redirect":
            if hook == "output":
                return 0x7F000001  # nf_nat_redirect_ipv4: 127.0.0.1 for a locally made packet
            # the input device's first (primary) address
            return next((ip for dev, ip, _ in self.addrs if dev.name == iif), None)
        # masquerade (postrouting): nf_nat_masquerade_ipv4 → inet_select_addr(out, nexthop, universe):
        # an address of the out device in the next hop's subnet, else its first; none there (lo,
        # whose 127.0.0.1 is host scope): the first universe-scope address of any device
        if nh is not None:
            dev, hop = nh
            first = None
            for d, ip, plen in self.addrs:
                if d is dev:
                    if (ip ^ hop) & _mask(plen) == 0:
                        return ip
                    first = first if first is not None else ip
            if first is not None:
                return first
        return next((ip for _, ip, _ in self.addrs if ip & 0xFF000000 != LOOPBACK_NET), None)

    def _chains(
        self,
        hook: str,
        pkt: IPv4 | IPv6,
        iif: str | None,
        oif: str | None,
        where: str,
        ct: str,
        carried: bool = False,
        prios: tuple[float, float] = (float("-inf"), float("inf")),
        via: str = "",
    ) -> bool:
        """The filter chains of ``hook`` (those of priority in ``prios``); False when one dropped the packet.
        ``via``: the br_netfilter function that runs the hook for a bridged packet."""
        nf = self.nf
        assert nf is not None
        if hook not in nf.hooks:
            return True
        icmp: int | None
        if isinstance(pkt, IPv4):
            v4, icmp = True, (pkt.payload.type if isinstance(pkt.payload, Icmp) else None)
        else:  # IPv6: ICMPv6 (echo, ND), or a port probe's TCP/UDP
            l4 = pkt.payload
            v4, icmp = False, (None if isinstance(l4, (Tcp, Udp)) else l4.type)
        early = hook in ("prerouting", "output")
        ct_at: Callable[[int], str] | None = None
        if early and (nf.uses_ct if v4 else nf.uses_ct6) and not carried:
            # a chain before nf_conntrack_in sees no conntrack entry: 'ct state' reads invalid
            pri = nf.pri_conntrack
            ct_at = lambda prio: ct if prio > pri else "invalid"  # noqa: E731
        # a hook without an input or output device: nft_meta_get_eval stores ifindex 0 and the name ""
        decisions = nf.run(hook, self._nf_packet(nf, pkt, icmp, iif or "", oif or "", ct), ct_at, prios)
        if not decisions:
            return True
        w = self.world
        last: Decision = decisions[-1]
        if via:
            switch = "iptables" if isinstance(pkt, IPv4) else "ip6tables"
            who = f"{self.name} (a bridged packet, bridge-nf-call-{switch}=1: {via})"
        else:
            who = self.name
        if w.tracing:
            for d in decisions if last.verdict == "accept" else decisions[:-1]:
                w.hop(where, "nft", d.verdict, pkt.describe(), why=f"{who}: {d.describe()}")
        if last.verdict == "accept":
            return True
        func = f"nf_hook_slow (NF_INET_{_NF_NAMES[hook]}{', from ' + via if via else ''})"
        if last.verdict == "reject":
            w.drop(
                where,
                pkt.describe(),
                "nft-reject",
                func,
                f"{who}: {last.describe()}; the sender gets {last.reject} instead of a reply",
            )
        else:
            w.drop(where, pkt.describe(), "nft-drop", func, f"{who}: {last.describe()}")
        return False

    def _nf_packet(self, nf: Ruleset, pkt: IPv4 | IPv6, icmp: int | None, iif: str, oif: str, ct: str) -> NfPacket:
        """What the rules of a hook read of ``pkt``: made once per packet in this namespace
        (a packet crosses two or three hooks here), the hook's devices and state set anew."""
        last = self._nfp
        if last is not None and last[0] is pkt:
            p = last[1]
            p.iif, p.oif, p.ct = iif, oif, ct
            return p
        make = nf.packet_type  # (sim.nft is imported with the ruleset)
        l4 = pkt.payload
        if not isinstance(pkt, IPv4):  # IPv6: ICMPv6 (echo, ND), next header 58; a port probe's: 6 or 17
            nxt = PROTO_TCP if isinstance(l4, Tcp) else PROTO_UDP if isinstance(l4, Udp) else 58
            p = make(pkt.src, pkt.dst, nxt, icmp, 0, iif, oif, ct, family=6)
        else:
            p = make(pkt.src, pkt.dst, pkt.proto, icmp, 0, iif, oif, ct)
        if isinstance(l4, (Tcp, Udp)):  # TCP or UDP: the ports rules may read
            p.sport, p.dport = l4.sport, l4.dport
        self._nfp = (pkt, p)
        return p

    # br_netfilter (kernel-semantics §8.2, §8.3) ------------------------------------------
    def br_pre(self, br: Device, port: Device, pkt: IPv4 | IPv6) -> Ct | None:
        """br_nf_pre_routing: an untagged IPv4 (IPv6) frame arriving on a port of bridge ``br``
        passes NF_INET_PRE_ROUTING of the ip/inet (ip6/inet) hooks with the bridge as its input
        device (setup_pre_routing → brnf_get_logical_dev; br_nf_pre_routing_ipv6 likewise),
        conntrack's nf_conntrack_in at -200 included, before the bridge learns its source or
        looks its destination up (nf_hook_bridge_pre runs before br_handle_frame_finish). Its
        conntrack; None: a chain dropped it."""
        ct = self._ct_in(pkt) if isinstance(pkt, IPv4) else self._v6()._ct(pkt)
        if self._br_hook("prerouting", pkt, br.name, None, port.label, ct, None, "br_nf_pre_routing") is None:
            return None
        return ct

    def br_forward(self, br: Device, port: Device, pkt: IPv4 | IPv6, ct: Ct) -> bool:
        """br_nf_forward_ip then br_nf_post_routing, for each port a bridged packet leaves by:
        NF_INET_FORWARD with the bridge as input and output device, NF_INET_POST_ROUTING with
        the bridge as output device and no input device, then conntrack's confirm (at the end
        of POST_ROUTING). False: a chain dropped it. (br_nf_forward_ip passes IPv6 as
        NFPROTO_IPV6: one function for both families.)"""
        if self._br_hook("forward", pkt, br.name, br.name, port.label, ct, None, "br_nf_forward_ip") is None:
            return False
        nh = (br, pkt.dst) if isinstance(pkt, IPv4) else None
        if self._br_hook("postrouting", pkt, None, br.name, port.label, ct, nh, "br_nf_post_routing") is None:
            return False
        self.conntrack.confirm(ct)
        return True

    def _br_hook(
        self,
        hook: str,
        pkt: IPv4 | IPv6,
        iif: str | None,
        oif: str | None,
        where: str,
        ct: Ct,
        nh: tuple[Device, int] | None,
        via: str,
    ) -> IPv4 | IPv6 | None:
        """A hook a bridged packet passes: IPv4 through ``_hook`` (its NAT refused by
        ``_bridged_nat``); IPv6 through the filter chains only (a lab whose ruleset has a nat chain
        for IPv6 and bridges IPv6 through netfilter is refused: sim ``_brnf_unsupported``)."""
        if isinstance(pkt, IPv4):
            return self._hook(hook, pkt, iif, oif, where, ct, nh=nh, via=via)
        return pkt if self._chains(hook, pkt, iif, oif, where, ct.state, via=via) else None

    def _v6(self) -> Stack6:
        v6 = self.v6
        assert v6 is not None  # (an IPv6 packet reaches a stack only in a lab with IPv6)
        return v6

    def _bridged_nat(self, hook: str, pkt: IPv4 | IPv6, out: IPv4 | IPv6) -> None:
        """A NAT that rewrites a bridged packet: br_nf_pre_routing_finish routes a DNATed one again
        (ip_route_input, then bridged or routed), a SNATed one's replies need that too; not modelled."""
        from .nft import ProbeUnsupported

        raise ProbeUnsupported(
            f"the simulator does not model NAT of bridged packets (br_netfilter, {self.name} at {hook}: "
            f"{pkt.describe()} -> {out.describe()}); use --backend kernel"
        )

    def neigh_output(self, dev: Device, nh: int, pkt: IPv4, route: RouteEntry | None = None) -> None:
        world = self.world
        if not dev.up:
            world.drop(dev, pkt.describe(), "tx-down", "ip_output", f"{dev.label} is down")
            return
        if dev.noarp:  # arp_constructor: NUD_NOARP, the device's own address
            world.dev_queue_xmit(dev, Frame(dev.mac, dev.mac, ETH_P_IP, pkt))
            return
        if nh == 0xFFFFFFFF or nh in self.bcast:
            world.dev_queue_xmit(dev, Frame(BROADCAST, dev.mac, ETH_P_IP, pkt))
            return
        if nh & 0xF0000000 == 0xE0000000:  # arp_constructor: RTN_MULTICAST → arp_mc_map, no ARP
            mac = f"01:00:5e:{(nh >> 16) & 0x7F:02x}:{(nh >> 8) & 0xFF:02x}:{nh & 0xFF:02x}"
            world.dev_queue_xmit(dev, Frame(mac, dev.mac, ETH_P_IP, pkt))
            return
        key = (dev, nh)
        n = self.neigh.get(key)
        if n is not None and n.state != INCOMPLETE:
            world.dev_queue_xmit(dev, Frame(n.mac, dev.mac, ETH_P_IP, pkt))
            return
        self.pending.setdefault(key, []).append(pkt)
        if n is not None:
            return  # already resolving
        self.neigh[key] = Neigh("00:00:00:00:00:00", INCOMPLETE)
        world.waiting.setdefault(nh, []).append(dev)
        world.dirty.add(self)
        # arp_announce=0 (every new namespace) with a local source: that source (see _arp_source)
        sip = pkt.src if self.default_conf and pkt.src in self.local else self._arp_source(dev, nh, pkt, route)
        if world.tracing:
            world.hop(
                dev,
                "stack",
                "arp",
                f"resolve {ip_str(nh)} on {dev.name}",
                why=f"{self.name} asks who has {ip_str(nh)} (neighbour INCOMPLETE)",
            )
        world.dev_queue_xmit(
            dev, Frame(BROADCAST, dev.mac, ETH_P_ARP, Arp(ARP_REQUEST, dev.mac, sip, "00:00:00:00:00:00", nh))
        )

    def _arp_source(self, dev: Device, nh: int, pkt: IPv4, route: RouteEntry | None) -> int:
        """arp_solicit: the sender IP of an ARP request, by arp_announce (MAXCONF):
        0 the packet's source if local; 1 only if it is on a subnet of ``dev`` that
        also holds the target (inet_addr_onlink); 2 never; otherwise
        inet_select_addr(dev, target, link scope)."""
        ann = self.conf(dev, "arp_announce")
        saddr = pkt.src
        if ann == 0 and saddr in self.local:
            return saddr
        if ann == 1 and saddr in self.local:
            for d, ip, plen in self.addrs:
                m = _mask(plen)
                if d is dev and (ip ^ nh) & m == 0 and (ip ^ saddr) & m == 0:
                    return saddr
        if ann == 0 and route is not None:
            sip = self.select_src(route, nh)
            if sip is not None:
                return sip
        first = None
        for d, ip, plen in self.addrs:  # inet_select_addr(dev, nh, RT_SCOPE_LINK)
            if d is dev:
                if (ip ^ nh) & _mask(plen) == 0:
                    return ip
                first = first if first is not None else ip
        if first is not None:
            return first
        return next((ip for d, ip, _ in self.addrs if d.up), 0)

    def _resolved(self, dev: Device, ip: int, mac: str, state: str) -> None:
        key = (dev, ip)
        n = self.neigh.get(key)
        if n is None:
            self.neigh[key] = Neigh(mac, state)
            self.world.dirty.add(self)
        elif n.state == INCOMPLETE:
            n.mac, n.state = mac, state
            self._unwait(dev, ip)
        else:
            return  # a resolved entry is not overridden within locktime (ARP flux: the first reply wins)
        pkts = self.pending.pop(key, None)
        if pkts:
            xmit = self.world.dev_queue_xmit
            for pkt in pkts:
                xmit(dev, Frame(mac, dev.mac, ETH_P_IP, pkt))

    def _event_ns(self, dev: Device, ip: int, mac: str) -> None:
        """neigh_event_ns: a request we answer sets its sender's entry with
        NEIGH_UPDATE_F_OVERRIDE, so a resolved entry takes the new MAC (STALE), locktime
        or not; a static one stays (net/core/neighbour.c)."""
        n = self.neigh.get((dev, ip))
        if n is not None and n.state not in (INCOMPLETE, STATIC):
            if n.mac != mac:
                n.mac, n.state = mac, STALE
            return
        self._resolved(dev, ip, mac, STALE)

    def _unwait(self, dev: Device, ip: int) -> None:
        lst = self.world.waiting.get(ip)
        if lst is not None:
            if dev in lst:
                lst.remove(dev)
            if not lst:
                del self.world.waiting[ip]

    def expire_incomplete(self) -> None:
        """After the probe's second: unresolved entries fail and their queued packets are dropped;
        the next send starts resolution again."""
        if self.v6 is not None:
            self.v6.expire()
        if not self.pending:
            return
        for dev, ip in self.pending:
            self._unwait(dev, ip)
            self.neigh.pop((dev, ip), None)
        self.pending.clear()

    def flush_dynamic(self) -> None:
        """`ip neigh flush`: dynamic entries go, static ones stay (in their order)."""
        if len(self.neigh) != len(self._static):
            self.neigh = self._static.copy()
        if self.v6 is not None:
            self.v6.flush()
        if self.pending:
            for dev, ip in self.pending:
                self._unwait(dev, ip)
            self.pending.clear()

    # receiving -----------------------------------------------------------------
    def receive(self, dev: Device, frame: Frame, pkt_type: int) -> None:
        # (the ethertype always says which payload a frame carries: its class is the test)
        if frame.ethertype == ETH_P_ARP:
            self.arp_rcv(dev, frame, pkt_type)
        elif isinstance(frame.payload, IPv4):  # ETH_P_IP (an ethertype always matches its payload's class)
            self.ip_rcv(dev, frame.payload, pkt_type, frame)
        elif frame.ethertype == 0x86DD:
            self.ipv6_rcv(dev, frame, pkt_type)

    def arp_rcv(self, dev: Device, frame: Frame, pkt_type: int) -> None:
        w = self.world
        if dev.noarp:
            w.drop(
                dev,
                frame,
                "arp-noarp",
                "arp_rcv",
                f"{dev.label} is NOARP (e.g. an ipvlan l3 child): nobody answers ARP here",
            )
            return
        if pkt_type == OTHERHOST:
            w.drop(
                dev,
                frame,
                "arp-otherhost",
                "arp_rcv",
                f"addressed to {frame.dst}, not to {dev.label}'s MAC {dev.mac} (OTHERHOST)",
            )
            return
        a = cast(Arp, frame.payload)  # the ptype handler of ETH_P_ARP: an ARP frame (no check on the hot path)
        if a.op == ARP_REQUEST and a.tpa in self.local and a.tpa & 0xFF000000 != LOOPBACK_NET:  # is_local, not lo
            if self.default_conf:  # accept_local, rp_filter, arp_ignore, arp_filter all 0: the checks below, folded
                ign = 0
                if a.spa in self.local:
                    w.drop(
                        dev,
                        frame,
                        "arp-local-sender",
                        "fib_validate_source",
                        f"the sender IP {ip_str(a.spa)} is one of {self.name}'s own addresses",
                    )
                    return
            elif not self._arp_checks(dev, frame, a):
                return
            else:
                ign = self.conf(dev, "arp_ignore")
            if w.tracing:
                w.hop(
                    dev,
                    "stack",
                    "reply",
                    frame,
                    why=f"{self.name} answers for {ip_str(a.tpa)} with {dev.name}'s MAC (weak host, arp_ignore=0)"
                    if ign == 0
                    else None,
                )
            self._event_ns(dev, a.spa, a.sha)
            w.dev_queue_xmit(dev, Frame(a.sha, dev.mac, ETH_P_ARP, Arp(ARP_REPLY, dev.mac, a.tpa, a.sha, a.spa)))
            return
        # a reply, or a request for someone else: only an entry we are resolving is filled
        if (dev, a.spa) in self.neigh:
            self._resolved(dev, a.spa, a.sha, REACHABLE if a.op == ARP_REPLY and pkt_type == HOST else STALE)
            if w.tracing:
                w.hop(dev, "stack", "learn", frame, why=f"{self.name} learns {ip_str(a.spa)} is at {a.sha}")
        elif a.op == ARP_REQUEST and w.tracing:
            w.hop(dev, "stack", "ignore", frame, why=f"{ip_str(a.tpa)} is not an address of {self.name}")

    def _arp_checks(self, dev: Device, frame: Frame, a: Arp) -> bool:
        """arp_process's checks of a request for a local address (any sysctls): False if it was dropped."""
        w = self.world
        if a.spa in self.local and not self.conf(dev, "accept_local"):
            w.drop(
                dev,
                frame,
                "arp-local-sender",
                "fib_validate_source",
                f"the sender IP {ip_str(a.spa)} is one of {self.name}'s own addresses",
            )
            return False
        if not self._rp_ok(dev, a.spa):
            w.drop(
                dev,
                frame,
                "rp-filter",
                "fib_validate_source",
                f"rp_filter: the route back to {ip_str(a.spa)} does not leave through {dev.name}",
            )
            return False
        ign = self.conf(dev, "arp_ignore")
        if ign >= 1:
            mine = [(ip, plen) for d, ip, plen in self.addrs if d is dev and ip == a.tpa]
            if not mine or (ign >= 2 and (a.spa ^ a.tpa) & _mask(mine[0][1])):
                w.drop(
                    dev,
                    frame,
                    "arp-ignore",
                    "arp_ignore",
                    f"arp_ignore={ign}: {ip_str(a.tpa)} is not configured on {dev.name}",
                )
                return False
        if self.conf(dev, "arp_filter"):
            r = self.lookup(a.spa)
            if r is None or r.dev is not dev:
                w.drop(
                    dev,
                    frame,
                    "arp-filter",
                    "arp_filter",
                    f"arp_filter=1: the route to {ip_str(a.spa)} does not leave through {dev.name}",
                )
                return False
        return True

    def _source_valid(self, dev: Device, pkt: IPv4, frame: Frame) -> bool:
        """fib_validate_source's reverse-path check, for delivery and forwarding alike."""
        if self._rp_ok(dev, pkt.src):
            return True
        self.world.drop(
            dev,
            frame,
            "rp-filter",
            "fib_validate_source",
            f"rp_filter: the route back to {ip_str(pkt.src)} does not leave through {dev.name}",
        )
        return False

    def _rp_ok(self, dev: Device, src: int) -> bool:
        """__fib_validate_source (net/ipv4/fib_frontend.c): strict (1) needs the route
        back to leave through ``dev``; loose (2) any route, except that a device with no
        IPv4 address gets none (no_addr → last_resort → -EXDEV while rp_filter is on)."""
        mode = self.conf(dev, "rp_filter")
        if mode == 0:
            return True
        r = self.lookup(src)
        if r is None:
            return False
        if r.dev is dev:
            return True
        return mode == 2 and any(d is dev for d, _, _ in self.addrs)

    def ip_rcv(self, dev: Device, pkt: IPv4, pkt_type: int, frame: Frame) -> None:
        w = self.world
        if pkt_type == OTHERHOST:
            if w.tracing:  # (every flooded unknown unicast meets this: no text made for nothing)
                w.drop(
                    dev,
                    frame,
                    "ip-otherhost",
                    "ip_rcv_core",
                    f"addressed to {frame.dst}, not to {dev.label}'s MAC {dev.mac} (OTHERHOST)",
                )
            return
        ct: Ct | None = None
        if self.nf is not None and self._bridged is not None and self._bridged[0] is pkt:
            # ip_sabotage_in: a packet the bridge passes up passed PRE_ROUTING in br_nf_pre_routing
            ct = self._bridged[1]
        elif self.nf is not None:
            # ip_rcv's NF_INET_PRE_ROUTING (conntrack's nf_conntrack_in at priority -200 in it;
            # a DNAT there changes the destination the routing decision below sees)
            ct = self._ct_in(pkt)
            nat = self._hook("prerouting", pkt, dev.name, None, dev.label, ct)
            if nat is None:
                return
            pkt = nat
        dst = pkt.dst
        bcast = dst == 0xFFFFFFFF or dst in self.bcast
        if dst & 0xF0000000 == 0xE0000000:  # ip_route_input_mc: only a group joined on this device
            if (dev, dst) not in self.mc:
                w.drop(
                    dev,
                    frame,
                    "mc-not-joined",
                    "ip_check_mc_rcu",
                    f"{dev.label} has not joined the multicast group {ip_str(dst)}",
                )
                return
            bcast = True
        if dst in self.local or bcast:
            if self.default_conf and pkt.src not in self.local:  # accept_local and rp_filter 0: delivered
                self.local_deliver(dev, pkt, bcast, ct)
                return
            if pkt.src in self.local and not self.conf(dev, "accept_local"):
                w.drop(
                    dev,
                    frame,
                    "martian-source",
                    "fib_validate_source",
                    f"the source {ip_str(pkt.src)} is one of {self.name}'s own addresses (accept_local=0)",
                )
                return
            if self._source_valid(dev, pkt, frame):
                self.local_deliver(dev, pkt, bcast, ct)
            return
        if pkt_type != HOST:
            w.drop(dev, frame, "ip-not-host", "ip_forward", "a broadcast frame for an address that is not ours")
            return
        if not self.forwarding(dev):
            w.drop(
                dev,
                frame,
                "not-forwarding",
                "ip_forward",
                f"{ip_str(dst)} is not an address of {self.name}, and {self.name} does not route (net.ipv4.ip_forward=0)",
            )
            return
        if not self._source_valid(dev, pkt, frame):
            return
        if pkt.ttl <= 1:
            w.drop(dev, frame, "ttl-exceeded", "ip_forward", "TTL exceeded")
            return
        route = self.lookup(dst)
        if route is None:
            w.drop(dev, frame, "no-route", "ip_route_input_slow", f"{self.name} has no route to {ip_str(dst)}")
            return
        if w.tracing:
            what = frame if pkt is frame.payload else pkt.describe()  # (a DNAT rewrote it)
            w.hop(dev, "fwd", "route", what, why=f"{self.name} forwards via {route.describe()}")
        fwd = IPv4(pkt.src, pkt.dst, pkt.proto, pkt.payload, pkt.ttl - 1)
        if ct is not None:
            # ip_forward's NF_INET_FORWARD, then ip_output's NF_INET_POST_ROUTING (indev: the input device)
            nh = (route.dev, route.via if route.via is not None else dst)
            out = self._hook("forward", fwd, dev.name, route.dev.name, dev.label, ct)
            if out is None:
                return
            out = self._hook("postrouting", out, dev.name, route.dev.name, route.dev.label, ct, nh=nh)
            if out is None:
                return
            fwd = out
            self.conntrack.confirm(ct)
        self.neigh_output(route.dev, route.via if route.via is not None else dst, fwd, route)

    def local_deliver(self, dev: Device | None, pkt: IPv4, bcast: bool, ct: Ct | None = None) -> None:
        w = self.world
        where = dev.label if dev is not None else self.lo_label
        if ct is not None:
            # ip_local_deliver's NF_INET_LOCAL_IN (SNAT at its NAT hook), then conntrack's confirm
            nat = self._hook("input", pkt, dev.name if dev is not None else "lo", None, where, ct)
            if nat is None:
                return
            pkt = nat
            self.conntrack.confirm(ct)
        p = pkt.payload  # (the protocol number always matches the payload's class)
        if isinstance(p, Icmp):
            icmp = p
            if icmp.type == ICMP_ECHO:
                if bcast and self.ignore_bcast_echo:
                    w.drop(
                        where,
                        pkt.describe(),
                        "echo-broadcast",
                        "icmp_echo",
                        "echo to a broadcast address is ignored (icmp_echo_ignore_broadcasts=1)",
                    )
                    return
                if self.ignore_all_echo:
                    w.drop(where, pkt.describe(), "echo-ignored", "icmp_echo", "icmp_echo_ignore_all=1")
                    return
                src = pkt.dst
                if bcast:
                    r = self.lookup(pkt.src)
                    src = (self.select_src(r, pkt.src) if r else None) or 0
                if w.tracing:
                    w.hop(where, "stack", "reply", pkt.describe(), why=f"{self.name} answers the echo request")
                self.echoed.add((icmp.id, icmp.seq))
                self.output(IPv4(src, pkt.src, PROTO_ICMP, Icmp(ICMP_ECHO_REPLY, icmp.id, icmp.seq)))
            elif icmp.type == ICMP_ECHO_REPLY:
                key = (icmp.id, icmp.seq)
                asked = self.pinged.get(key, pkt.src)
                if asked != pkt.src:
                    # the probe's socket takes a reply only from the address it pinged (kernel/probe.py)
                    w.drop(
                        where,
                        pkt.describe(),
                        "reply-other-source",
                        "probe",
                        f"{self.name} got an echo reply from {ip_str(pkt.src)}, not from {ip_str(asked)} it pinged",
                    )
                    return
                if w.tracing:
                    w.hop(where, "stack", "deliver", pkt.describe(), why=f"{self.name} got its echo reply")
                self.replies.add(key)
        elif isinstance(p, Tcp) or isinstance(p.payload, Datagram):
            self.l4_rcv(where, pkt, p, bcast)
        else:
            socks = self.udp.get(p.dport)
            if not socks:
                w.drop(
                    where,
                    pkt.describe(),
                    "udp-no-socket",
                    "__udp4_lib_rcv",
                    f"nothing listens on UDP port {p.dport} in {self.name}",
                )
                return
            for vx in socks:
                if vx.accept(pkt):
                    return
            w.drop(
                where,
                pkt.describe(),
                "vxlan-vni",
                "vxlan_rcv",
                f"no VXLAN device in {self.name} has VNI {p.payload.vni} on port {p.dport}",
            )

    # port probes (v1.1) ---------------------------------------------------------------
    def l4_rcv(
        self, where: str, pkt: IPv4 | IPv6, p: Tcp | Udp, bcast: bool = False, dev: Device | None = None
    ) -> None:
        """A port probe's segment or datagram delivered here (either family; ``dev``: the
        device it came in on, None through lo)."""
        if isinstance(p, Tcp):
            self._tcp_rcv(where, pkt, p, bcast, dev)
        else:
            assert isinstance(p.payload, Datagram)  # (a VXLAN datagram never comes this way)
            self._udp_probe_rcv(where, pkt, p, p.payload, bcast, dev)

    def _answer(self, pkt: IPv4 | IPv6, seg: Tcp | Udp, dev: Device | None = None) -> None:
        """A listener's answer or a RST: from the address ``pkt`` was sent to, routed as a
        socket's packet (tcp_v4_send_synack). IPv6: with no interface for a global peer, and
        through the device ``pkt`` came in on for a link-local one (tcp_v6_init_req's ir_iif,
        tcp_v6_send_response's tcp_v6_iif, the UDP peer's sin6_scope_id: kernel-semantics §11.10)."""
        if not isinstance(pkt, IPv4):
            from .ipv6 import IPv6, is_ll  # loaded with the lab's IPv6 (an IPv4 lab never comes here)

            assert self.v6 is not None
            self.v6.output(IPv6(pkt.dst, pkt.src, seg), dev if is_ll(pkt.src) else None)
        else:
            self.output(IPv4(pkt.dst, pkt.src, PROTO_TCP if isinstance(seg, Tcp) else PROTO_UDP, seg))

    def _client(self, pkt: IPv4 | IPv6, sport: int, dport: int, tag: int) -> bool:
        """Is this the answer the probe ``tag``'s connected socket waits for (from its peer's address and port)?"""
        return self.conns.get(tag) == (pkt.src, sport) and dport == ephemeral(tag)

    def _tcp_rcv(self, where: str, pkt: IPv4 | IPv6, t: Tcp, bcast: bool, dev: Device | None = None) -> None:
        """A SYN gets a SYN/ACK from a listener, else a RST (tcp_v4_send_reset); a SYN/ACK
        completes its client's handshake; a RST refuses it."""
        w = self.world
        if bcast:
            w.drop(where, pkt.describe(), "tcp-not-host", "tcp_v4_rcv", "a TCP segment to a broadcast address")
            return
        if t.flags == TCP_SYN:
            if t.dport in self.listen:
                if w.tracing:
                    w.hop(where, "stack", "reply", pkt.describe(), why=f"{self.name} listens on TCP {t.dport}: SYN/ACK")
                self.echoed.add((t.tag, 0))
                self._answer(pkt, Tcp(t.dport, t.sport, TCP_SYN | TCP_ACK, t.tag, self.name), dev)
            else:
                if w.tracing:
                    why = f"nothing listens on TCP {t.dport} in {self.name}: it answers with a RST"
                    w.hop(where, "stack", "reset", pkt.describe(), why=why)
                self._answer(pkt, Tcp(t.dport, t.sport, TCP_RST | TCP_ACK, t.tag), dev)
            return
        if t.flags == TCP_SYN | TCP_ACK and self._client(pkt, t.sport, t.dport, t.tag):
            if w.tracing:
                w.hop(where, "stack", "deliver", pkt.describe(), why=f"{self.name}'s connection is established")
            self.replies.add((t.tag, 0))
            self.answerer[(t.tag, 0)] = t.text
            return
        if t.flags & TCP_RST:
            w.drop(where, pkt.describe(), "tcp-refused", "tcp_reset", f"{self.name}'s connection is refused (RST)")
            return
        func = "tcp_v6_rcv" if not isinstance(pkt, IPv4) else "tcp_v4_rcv"
        w.drop(where, pkt.describe(), "tcp-no-socket", func, f"no connection of {self.name} expects it")

    def _udp_probe_rcv(
        self, where: str, pkt: IPv4 | IPv6, u: Udp, d: Datagram, bcast: bool, dev: Device | None = None
    ) -> None:
        """A datagram to a listened port is answered from the address and port it was sent to;
        an answer reaches its client's connected socket only from the peer it is connected to."""
        w = self.world
        if not bcast and self._client(pkt, u.sport, u.dport, d.tag):
            if w.tracing:
                w.hop(where, "stack", "deliver", pkt.describe(), why=f"{self.name} got the answer on its socket")
            self.replies.add((d.tag, 0))
            self.answerer[(d.tag, 0)] = d.text
            return
        if u.dport in self.listen and not bcast:
            if w.tracing:
                w.hop(where, "stack", "reply", pkt.describe(), why=f"{self.name} listens on UDP {u.dport}: it answers")
            self.echoed.add((d.tag, 0))
            self._answer(pkt, Udp(u.dport, u.sport, Datagram(d.tag, self.name)), dev)
            return
        w.drop(
            where,
            pkt.describe(),
            "udp-no-socket",
            "__udp6_lib_rcv" if not isinstance(pkt, IPv4) else "__udp4_lib_rcv",
            f"nothing listens on UDP port {u.dport} in {self.name} "
            f"({'ICMPv6' if not isinstance(pkt, IPv4) else 'ICMP'} port unreachable)",
        )


def ephemeral(tag: int) -> int:
    """The source port of port probe ``tag`` (in the kernel's ip_local_port_range, 32768-60999)."""
    return 32768 + tag % 28232


_NF_NAMES = {
    "prerouting": "PRE_ROUTING",
    "input": "LOCAL_IN",
    "forward": "FORWARD",
    "output": "LOCAL_OUT",
    "postrouting": "POST_ROUTING",
}


def guest_stack(world: World, guest: Guest, nic: Device) -> Stack:
    """A guest's stack on its one NIC, from the lab's ``guest:`` (addresses, routes,
    static neighbours). The simulator and the kernel's guest runner both use it."""
    st = Stack(world, guest.name)
    st.add_device(nic)
    for a in guest.addresses:
        st.add_address(nic, a)
    for rt in guest.routes:
        st.add_route(rt.to, rt.via, nic, rt.metric)
    for nb in guest.neighbors:
        st.add_neighbor(nic, nb.address, nb.lladdr)
    return st
