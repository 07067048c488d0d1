"""A namespace's IPv6: link-local addresses, Neighbour Discovery, ICMPv6 echo, routing.

The vertical slice of issue #13, with the rules of docs/kernel-semantics.md
§11 (measured in docs/kernel-semantics-ipv6.md, rules ``Vn.m``):

* every device of a namespace that is up with carrier (MTU >= 1280) has the
  link-local address made from its MAC by EUI-64 (V1.5, V1.6), and joins
  ff02::1 and the solicited-node group of each of its addresses (V2.3);
* a neighbour is resolved by a Neighbour Solicitation to the target's
  solicited-node group (V3.1); a default Linux bridge floods it like a
  broadcast (no querier: V4.2); only the *receiving* interface answers, and
  only for its own addresses (V3.2, V3.9); the NA is unicast, S=1, O=1, R = the
  device's forwarding, with the target link-layer option (V3.3); the
  solicitation's sender is learned STALE (V3.4); static entries win (V3.7);
* data is weak host: an echo request to any address of the node is answered
  whatever interface it came in on (V3.8);
* a packet for another node is forwarded iff ``net.ipv6.conf.all.forwarding``
  is 1 (the per-device value does not matter: V7.1), else dropped silently
  (V7.2); a link-local destination is never forwarded, a link-local source only back
  out of the device it came in on (§11.12).

Addresses are usable at once: the kernel backend waits for DAD to finish
(V2.2). What this module does not model is refused by ``unsupported`` (exit 3),
never answered wrongly: IPv6 with kinds outside veth/nic/bridge/dummy/vlan/macvlan/macvtap/vxlan/tap/tun/ipvlan
(and a passthru macvlan behind a hairpin port, a VXLAN IPv6 underlay, what ipvlan does not
model: ``v6_problem`` of sim/kinds/macvlan.py, vxlan.py, ipvlan.py; a tap or tun only with its guest, which speaks IPv6 with this
module: the kernel backend's guest runner too; on a macvtap what ``macvlan.guest6_problem`` names, §11.20),
what a lab's steps leave
that sim/steps6.py does not model (§11.17), interfaces down or without carrier, a duplicate
address (the kernel's DAD picks a random loser: V2.7; validation refuses one segment's
duplicates, and the simulator any other), sysctls it does not read. A node's filter and nat
chains of ip6 and inet tables see its ICMPv6 echo, TCP and UDP, its filter chains ND too
(§11.8, §11.18: ``Stack6._nf_out``, ``_local_in``; NAT is stack.py's, for both families).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .conntrack import ORIGINAL, Ct
from .frame import HOST, OTHERHOST, PROTO_TCP, TCP_SYN, Datagram, Frame, Tcp, Udp, Vxlan, encode_l4

if TYPE_CHECKING:
    from ..model import Lab
    from ..resolve import Resolved
    from .stack import Stack
    from .world import Device, FdbSnapshot, World

ETH_P_IPV6 = 0x86DD
ICMP6_ECHO, ICMP6_ECHO_REPLY = 128, 129
ND_NS, ND_NA = 135, 136
LL_NET = 0xFE80 << 112
ALL_NODES = 0xFF02 << 112 | 1
SOLICITED = 0xFF02 << 112 | 0x1_FF00_0000
_64 = (1 << 64) - 1
STATIC, REACHABLE, STALE, INCOMPLETE = "permanent", "reachable", "stale", "incomplete"

#: kinds whose IPv6 the simulator models (the rest: ``unsupported``)
SLICE_KINDS = frozenset(
    {"veth", "nic", "bridge", "dummy", "macvlan", "macvtap", "vxlan", "tap", "tun", "vlan", "ipvlan"}
)


def a6(ip: int) -> str:
    return str(ipaddress.IPv6Address(ip))


def eui64(mac: str, dev_id: int = 0) -> int:
    """addrconf_ifid_eui48: the link-local address of a MAC (U/L bit flipped, ff:fe in the middle);
    a device with a dev_id (an ipvlan slave) has it in place of ff:fe and no flipped bit (§11.19)."""
    b = bytearray.fromhex(mac.replace(":", ""))
    if dev_id:
        iid = bytes(b[0:3]) + dev_id.to_bytes(2, "big") + bytes(b[3:6])
        return LL_NET | int.from_bytes(iid, "big")
    b[0] ^= 0x02
    iid = bytes(b[0:3]) + b"\xff\xfe" + bytes(b[3:6])
    return LL_NET | int.from_bytes(iid, "big")


def solicited_node(ip: int) -> int:
    """addrconf_addr_solict_mult: ff02::1:ffXX:XXXX (the low 24 bits of the address)."""
    return SOLICITED | (ip & 0xFFFFFF)


def mc_mac(group: int) -> str:
    """ipv6_eth_mc_map: 33:33 and the low 32 bits of the group."""
    low = group & 0xFFFFFFFF
    return "33:33:" + ":".join(f"{(low >> s) & 0xFF:02x}" for s in (24, 16, 8, 0))


def is_ll(ip: int) -> bool:
    return ip >> 118 == LL_NET >> 118  # fe80::/10


#: the kernel's default address label table (ip6addrlbl_init_table, net/ipv6/addrlabel.c;
#: `ip addrlabel` in a new namespace), longest prefix first: (prefix, length, label)
_LABELS = [
    (1, 128, 0),  # ::1/128
    (0x2001_0010 << 96, 28, 7),  # 2001:10::/28 (ORCHID)
    (0x2001 << 112, 32, 6),  # 2001::/32 (Teredo)
    (0, 96, 3),  # ::/96
    (0xFFFF << 32, 96, 4),  # ::ffff:0:0/96
    (0x2002 << 112, 16, 2),  # 2002::/16
    (0x3FFE << 112, 16, 12),  # 3ffe::/16
    (0xFEC0 << 112, 10, 11),  # fec0::/10
    (0xFC00 << 112, 7, 5),  # fc00::/7
]


def _label(ip: int) -> int:
    for net, plen, label in _LABELS:
        if (ip ^ net) & _mask(plen) == 0:
            return label
    return 1  # ::/0


def netdev_order(r: Resolved) -> dict[str, dict[str, int]]:
    """Each namespace's netdev list order (for_each_netdev, the order ipv6_dev_get_saddr meets
    devices in): lo, then the devices in the order the kernel backend's plan makes them
    (``plan.build.creation_order``; a switch's bridge first), the peer of a veth before the
    veth (veth_newlink registers the peer first), a nic's switch port before the nic."""
    from ..model.derive import switch_bridge_name, switch_port_name
    from ..plan.order import creation_order

    order: dict[str, dict[str, int]] = {sw: {"lo": 0, switch_bridge_name(): 1} for sw in r.lab.switches}
    port_of = {k: (sw, switch_port_name(i)) for sw, nics in r.switch_ports.items() for i, k in enumerate(nics)}
    for key in creation_order(r):
        peer = port_of.get(key) or r.peer.get(key)
        if peer is not None:
            ns = order.setdefault(peer[0], {"lo": 0})
            ns[peer[1]] = len(ns)
        ns = order.setdefault(key[0], {"lo": 0})
        ns[key[1]] = len(ns)
    return order


def _mask(plen: int) -> int:
    return ((1 << 128) - 1) ^ ((1 << (128 - plen)) - 1) if plen else 0


@dataclass(slots=True)
class Icmp6:
    """An ICMPv6 echo (id, seq) or ND message (target, flags, link-layer option)."""

    type: int
    id: int = 0
    seq: int = 0
    target: int = 0
    #: source (NS) or target (NA) link-layer address option
    lladdr: str | None = None
    router: bool = False
    solicited: bool = False
    override: bool = False
    #: the enhanced-DAD nonce option of a DAD solicitation (RFC 7527), here the sender's address
    nonce: int | None = None

    def describe(self) -> str:
        if self.type == ICMP6_ECHO:
            return "echo request"
        if self.type == ICMP6_ECHO_REPLY:
            return "echo reply"
        if self.type == ND_NS:
            return f"neighbor solicitation who has {a6(self.target)}" + (" (nonce)" if self.nonce is not None else "")
        flags = "".join(c for c, on in (("R", self.router), ("S", self.solicited), ("O", self.override)) if on)
        return f"neighbor advertisement {a6(self.target)} is at {self.lladdr} [{flags or '-'}]"


@dataclass(slots=True)
class IPv6:
    src: int
    dst: int
    #: ICMPv6, or a port probe's TCP segment or UDP datagram
    payload: Icmp6 | Tcp | Udp
    hlim: int = 64
    #: see frame.Arp.hops
    hops: int = field(default=0, compare=False, repr=False)

    def describe(self) -> str:
        p = self.payload
        what = p.describe() if isinstance(p, (Icmp6, Tcp)) else f"UDP {p.sport} > {p.dport}"
        return f"IPv6 {a6(self.src)} > {a6(self.dst)} {what}"


@dataclass(slots=True)
class Route6:
    net: int
    plen: int
    dev: Device
    via: int | None
    metric: int
    order: int

    def describe(self) -> str:
        to = "default" if self.plen == 0 else f"{a6(self.net)}/{self.plen}"
        via = f" via {a6(self.via)}" if self.via is not None else ""
        return f"{to}{via} dev {self.dev.name}"


@dataclass(slots=True)
class Neigh6:
    mac: str
    state: str


#: net.ipv6.* keys this module reads, or that cannot change a verdict it gives
_KNOWN = ("forwarding", "accept_dad", "dad_transmits", "enhanced_dad", "accept_ra", "autoconf", "router_solicitations")


def _sysctl_problem(key: str) -> str | None:
    if not key.startswith("net.ipv6."):
        return None
    if key == "net.ipv6.icmp.echo_ignore_all":
        return None
    parts = key.split(".")
    if len(parts) == 5 and parts[2] == "conf" and parts[4] in _KNOWN:
        return None
    return f"sysctl {key}"


def unsupported(r: Resolved) -> str | None:
    """Why the simulator cannot give this lab's IPv6 verdicts (None: it can, or there is no IPv6)."""
    lab: Lab = r.lab
    if not r.uses_v6:
        return None
    held = {g.device for g in r.guests.values()}
    for (node, ifname), i in r.ifaces.items():
        if i.kind in ("tap", "tun") and (node, ifname) not in held:
            if any(":" in a for a in i.spec.addresses):
                return f"IPv6 on a {i.kind} that no guest holds (no carrier) is not simulated yet ({node}/{ifname})"
        elif i.kind not in SLICE_KINDS:
            return f"IPv6 on {i.kind} is not simulated yet ({node}/{ifname}, in a lab with IPv6 addresses)"
        if i.kind in ("macvlan", "macvtap", "vxlan", "ipvlan"):
            from .kinds import ipvlan, macvlan, vxlan

            mod = {"vxlan": vxlan, "ipvlan": ipvlan}.get(i.kind, macvlan)
            why = mod.v6_problem(r, node, ifname)
            if why is not None:
                return why
        v6 = [a for a in i.spec.addresses if ":" in a]
        if v6 and not i.spec.up:
            return f"IPv6 on an interface that is down is not simulated yet ({node}/{ifname} {v6[0]})"
        peer = r.peer.get((node, ifname))
        if v6 and peer is not None and not r.ifaces[peer].spec.up:
            return f"IPv6 on a veth whose peer is down (no carrier) is not simulated yet ({node}/{ifname} {v6[0]})"
    for g in r.guests.values():
        if r.ifaces[g.device].kind == "macvtap":
            from .kinds import macvlan

            why = macvlan.guest6_problem(r, g.name)
            if why is not None:
                return why
    if lab.steps:
        if r.guests:  # a step may start the guest daemon again (its DAD again): not measured
            return f"IPv6 in a lab with steps and guests is not simulated yet (guest {next(iter(r.guests))})"
        from .steps6 import problem  # each state, and what the changes leave (§11.17)

        why = problem(r)
        if why is not None:
            return why
    for name, spec in lab.nodes.items():
        if spec.nftables is not None:
            why = _nft_problem(r, name, spec.nftables)
            if why is not None:
                return why
        for key in spec.sysctl:
            why = _sysctl_problem(key)
            if why is not None:
                return f"{why} is not simulated yet (node {name})"
    seen: dict[int, str] = {}
    owners = [(f"{n}/{i}", a) for (n, i), x in r.ifaces.items() for a in x.spec.addresses]
    owners += [(f"switch {s}", a) for s, sw in lab.switches.items() for a in sw.addresses]
    owners += [(f"guest {g.name}", a) for g in r.guests.values() for a in g.guest.addresses]
    for who, a in owners:
        if ":" not in a:
            continue
        ip = int(ipaddress.IPv6Interface(a).ip)
        if ip in seen:
            return (
                f"IPv6 address {a6(ip)} on {seen[ip]} and {who}: a duplicate IPv6 address is not simulated "
                "(on one segment the kernel's DAD fails a random one of them)"
            )
        seen[ip] = who
    return None


def _nft_problem(r: Resolved, name: str, text: str) -> str | None:
    """Why node ``name``'s ruleset cannot filter IPv6 packets in the simulator (None: it can,
    or it is refused for another reason by ``sim_unsupported``, which compiles it again)."""
    from ..nft import node_ifnames
    from . import nft

    try:
        rs = nft.compile_ruleset(text, node_ifnames(r, name))
    except (nft.Unsupported, nft.NftFailed):
        return None  # sim_unsupported names it
    if rs.v6_problem is None:
        return None
    return (
        f"node {name}'s nftables ruleset on IPv6 packets: the simulator does not evaluate {rs.v6_problem}; "
        "use --backend kernel"
    )


def nft_dad_problem(world: World) -> str | None:
    """A node whose ruleset filters IPv6 and whose DAD failed: on the kernel the ruleset is
    loaded while DAD runs (before ``up`` waits for it), so whether its chains saw the
    reflected solicitation depends on timing (kernel-semantics §11.8): refused."""
    for name, st in world.stacks.items():
        v6 = st.v6
        if v6 is None or st.nf is None or not v6.dad_failed:
            continue
        if any(c.family != "ip" for cs in st.nf.hooks.values() for c in cs):
            (dev, ip), _ = next(iter(v6.dad_failed.items()))
            return (
                f"{a6(ip)} on {name}/{dev.name} fails duplicate address detection and {name}'s nftables "
                "ruleset filters IPv6: whether its chains saw the solicitation depends on when the kernel "
                "loaded it (not simulated); use --backend kernel"
            )
    return None


def brnf_dad_problem(world: World) -> str | None:
    """A failed DAD in a lab where a bridge passes IPv6 through netfilter
    (bridge-nf-call-ip6tables=1): the solicitation crossed that namespace's forward chain on the
    kernel (kernel-semantics §8.3), but whether the ruleset was loaded then depends on timing
    (the simulator runs DAD before loading rulesets): refused."""
    if not any(st.v6 is not None and st.v6.dad_failed for st in world.stacks.values()):
        return None
    for dev in world.devices.values():
        if IPv6 in getattr(dev, "brnf_types", ()):
            return (
                f"a duplicate address detection fails in a lab where {dev.label} passes bridged IPv6 "
                "through netfilter (bridge-nf-call-ip6tables=1): whether its chains saw the solicitation "
                "depends on when the kernel loaded them (not simulated); use --backend kernel"
            )
    return None


class Stack6:
    """The IPv6 half of one namespace's stack (``Stack.v6``)."""

    def __init__(self, stack: Stack):
        self.stack = stack
        self.world = stack.world
        self.name = stack.name
        sysctl = stack.sysctl
        #: ip6_forward reads net.ipv6.conf.all.forwarding only (V7.1)
        self.forward_all = bool(int(sysctl.get("net.ipv6.conf.all.forwarding", 0)))
        self.ignore_echo = bool(int(sysctl.get("net.ipv6.icmp.echo_ignore_all", 0)))
        #: configured addresses: (device, address, prefix length)
        self.conf: list[tuple[Device, int, int]] = []
        self.static_routes: list[tuple[int, int, int | None, Device | None, int | None]] = []
        #: usable addresses per device (link-local first), every local address, joined groups
        self.addrs: dict[Device, list[tuple[int, int]]] = {}
        self.local: set[int] = set()
        self.groups: set[tuple[Device, int]] = set()
        self.routes: list[Route6] = []
        self.neigh: dict[tuple[Device, int], Neigh6] = {}
        self._static: dict[tuple[Device, int], Neigh6] = {}
        self.pending: dict[tuple[Device, int], list[IPv6]] = {}
        #: addresses in duplicate address detection (``dad``), and those that failed it
        self.tentative: set[tuple[Device, int]] = set()
        self.tentative_nonce: dict[tuple[Device, int], int | None] = {}
        self.dad_failed: dict[tuple[Device, int], str] = {}
        #: the namespace's netdev list order by device name (``netdev_order``, set by ``dad``)
        self.dev_rank: dict[str, int] = {}
        #: when one prefix is on two of its devices: the order its prefix routes entered the
        #: table in, by (device, address, prefix length) (sim/build.py ``Fixed.prefix_rank``)
        self.prefix_rank: dict[tuple[str, int, int], int] = {}
        #: ``select_src``'s answers: the addresses are fixed once DAD is over (``_settled``)
        self._src: dict[tuple[Device, int], int | None] = {}
        #: its candidates in the order the kernel meets them, with their labels (``_candidates``)
        self._cands: list[tuple[Device, int, int, int]] | None = None

    # configuration -------------------------------------------------------------
    def add_address(self, dev: Device, cidr: str) -> None:
        iface = ipaddress.IPv6Interface(cidr)
        self.conf.append((dev, int(iface.ip), iface.network.prefixlen))

    def add_route(self, to: str, via: str | None, dev: Device | None, metric: int | None) -> None:
        net = ipaddress.IPv6Network("::/0" if to == "default" else to)
        gw = int(ipaddress.IPv6Address(via)) if via else None
        self.static_routes.append((int(net.network_address), net.prefixlen, gw, dev, metric))

    def add_neighbor(self, dev: Device, ip: str, mac: str) -> None:
        key = (dev, int(ipaddress.IPv6Address(ip)))
        self.neigh[key] = self._static[key] = Neigh6(mac, STATIC)

    def dev_forwarding(self, dev: Device) -> bool:
        """The device's forwarding value (writing all.forwarding writes every device's: V1.3)."""
        v = self.stack.sysctl.get(f"net.ipv6.conf.{dev.name}.forwarding")
        return self.forward_all if v is None else bool(int(v))

    def _conf(self, dev: Device, key: str, default: int) -> int:
        v = self.stack.sysctl.get(f"net.ipv6.conf.{dev.name}.{key}")
        return default if v is None else int(v)

    def _all(self, key: str, default: int) -> int:
        return int(self.stack.sysctl.get(f"net.ipv6.conf.all.{key}", default))

    def dad_nonce(self, dev: Device, ip: int) -> int | bool | None:
        """How ``ip`` on ``dev`` goes through DAD: False if it does not send a solicitation
        (addrconf_dad_begin: accept_dad < 1 on both the device and ``all``; addrconf_dad_work:
        the device's dad_transmits is 0), else the nonce it carries, or None without one
        (enhanced_dad is off on both the device and ``all``: V2.8)."""
        if dev.noarp:  # addrconf_dad_begin: IFF_NOARP, no DAD (a tun, a dummy: measured on a tun)
            return False
        if max(self._conf(dev, "accept_dad", 1), self._all("accept_dad", 1)) < 1:
            return False
        if self._conf(dev, "dad_transmits", 1) < 1:
            return False
        if self._conf(dev, "enhanced_dad", 1) or self._all("enhanced_dad", 1):
            return ip & 0xFFFF_FFFF_FFFF  # the option's 6 bytes: a guest's comes back from the wire
        return None

    def finalize(self) -> None:
        """Addresses, groups and routes as the kernel has them once DAD is over
        (``dad`` then takes out what failed it)."""
        self._settled()
        self.addrs = {}
        self.local = {1}  # ::1 on lo (lo is up in every namespace: V1.4)
        self.groups = set()
        routes: list[Route6] = []
        for dev in self.stack.devs:
            if not dev.operational() or dev.mtu < 1280:
                continue  # no link-local without carrier (V1.5) or below 1280 (V8.1)
            ll = eui64(dev.mac, dev.dev_id)
            mine = [(ll, 64)] + [(ip, plen) for d, ip, plen in self.conf if d is dev]
            self.addrs[dev] = mine
            self.groups.add((dev, ALL_NODES))
            for ip, plen in mine:
                self.local.add(ip)
                self.groups.add((dev, solicited_node(ip)))
                net = ip & _mask(plen)
                if plen < 128 and not any(r.net == net and r.plen == plen and r.dev is dev for r in routes):
                    # the kernel's prefix route: metric 256; of equal ones on two devices, the
                    # one that entered the table first wins (``prefix_rank``, §11.11)
                    rank = self.prefix_rank.get((dev.name, ip, plen))
                    order = len(routes) if rank is None else -1_000_000 + rank
                    routes.append(Route6(net, plen, dev, None, 256, order))
        for net, plen, via, out, metric in self.static_routes:
            if out is None and via is not None:
                r = self._lookup(routes, via)
                if r is None or r.via is not None:
                    continue
                out = r.dev
            if out is None or out not in self.addrs:
                continue
            if (
                via is None
                and metric == 256
                and any((r.net, r.plen, r.dev, r.metric) == (net, plen, out, 256) for r in routes)
            ):
                continue  # identical to the kernel's prefix route: a no-op (plan/routes.py)
            routes.append(Route6(net, plen, out, via, 1024 if metric is None else metric, len(routes)))
        routes.sort(key=lambda r: (-r.plen, r.metric, r.order))
        self.routes = routes

    # routing -------------------------------------------------------------------
    @staticmethod
    def _lookup(
        routes: list[Route6], dst: int, dev: Device | None = None, prefer: Device | None = None
    ) -> Route6 | None:
        """The route to ``dst`` (only through ``dev`` if given). Among the routes of the longest
        matching prefix with the lowest metric, one through ``prefer`` wins (rt6_select ->
        rt6_score_route -> rt6_check_dev: the flow's oif, or a forwarded packet's input
        device; §11.4), else the first made."""
        for i, r in enumerate(routes):
            if (dst ^ r.net) & _mask(r.plen) == 0 and (dev is None or r.dev is dev):
                if prefer is None or r.dev is prefer:
                    return r
                for r2 in routes[i + 1 :]:
                    if r2.plen != r.plen or r2.metric != r.metric:
                        break
                    if r2.net == r.net and r2.dev is prefer:
                        return r2
                return r
        return None

    def lookup(self, dst: int, dev: Device | None = None, prefer: Device | None = None) -> Route6 | None:
        return self._lookup(self.routes, dst, dev, prefer)

    def _settled(self) -> None:
        """The addresses (or the device order) change: forget what was worked out from them."""
        self._src = {}
        self._cands = None

    def _candidates(self) -> list[tuple[Device, int, int, int]]:
        """``select_src``'s candidates, in the order the kernel meets them: devices in the
        namespace's netdev list order, on a device the most recently added address first
        (ipv6_link_dev_addr); global addresses only, each with its prefix length and label."""
        if self._cands is None:
            rank = self.dev_rank
            self._cands = [
                (d, ip, plen, _label(ip))
                for d in sorted(self.addrs, key=lambda x: rank.get(x.name, len(rank)))
                for ip, plen in reversed(self.addrs[d])  # addr_list: the newest global first
                if not is_ll(ip)
            ]
        return self._cands

    def select_src(self, dev: Device, dst: int) -> int | None:
        """ipv6_dev_get_saddr (kernel-semantics §11.4), for the cases of this slice: a
        link-local destination gets the device's link-local; a global one the best usable
        global address of the namespace by RFC 6724's rules in the kernel's order (the
        destination itself, scope, the outgoing device, the label, the common prefix capped
        at the address's prefix length), a tie going to the first candidate the kernel
        meets (``_candidates``); without any global address, the device's link-local.
        A function of the device, the destination and the addresses, which are fixed once
        DAD is over: each answer is worked out once."""
        key = (dev, dst)
        src = self._src.get(key, -1)
        if src == -1:
            src = self._src[key] = self._select_src(dev, dst)
        return src

    def _select_src(self, dev: Device, dst: int) -> int | None:
        if is_ll(dst):
            return self.link_local(dev)
        best: tuple[int, int, int, int] | None = None
        chosen: int | None = None
        label = _label(dst)
        for d, ip, plen, lab in self._candidates():
            common = min(128 - (ip ^ dst).bit_length(), plen)
            key = (ip == dst, d is dev, lab == label, common)
            if best is None or key > best:  # a tie: the first candidate stays
                best, chosen = key, ip
        if chosen is not None:
            return chosen
        return self.link_local(dev)

    def link_local(self, dev: Device) -> int | None:
        """The device's usable link-local address (None: none, or it failed DAD)."""
        own = self.addrs.get(dev)
        return own[0][0] if own and is_ll(own[0][0]) else None

    # netfilter (kernel-semantics §11.8) -----------------------------------------------
    def _ct(self, pkt: IPv6) -> Ct:
        """nf_conntrack_in for an IPv6 packet: an echo is tracked as IPv4's is (icmpv6_new:
        only a request starts an entry); ND is never tracked (nf_conntrack_icmpv6_error sets
        IP_CT_UNTRACKED for NS, NA, RS, RA and MLD): 'ct state' reads untracked."""
        nf = self.stack.nf
        if nf is None or not nf.uses_ct6:
            return Ct(None, ORIGINAL, "invalid")  # conntrack is off for IPv6: nothing reads it
        m = pkt.payload
        if not isinstance(m, Icmp6):  # a port probe's TCP or UDP: tracked as IPv4's (§11.10)
            return self.stack.ct_l4(pkt.src, pkt.dst, m)
        if m.type in (ICMP6_ECHO, ICMP6_ECHO_REPLY):
            return self.stack.conntrack.lookup((58, pkt.src, pkt.dst, m.id, m.type))
        return Ct(None, ORIGINAL, "untracked")

    def _nf_out(
        self, pkt: IPv6, dev: Device | None, nh: int | None, nd: bool = False
    ) -> tuple[IPv6, Device | None, int | None, Ct] | None:
        """A locally made packet: ip6_local_out's NF_INET_LOCAL_OUT (a DNAT or redirect there
        routes it again: ip6_route_me_harder), ip6_output's NF_INET_POST_ROUTING (out: the
        route's device, lo for a local address; SNAT, masquerade), conntrack's confirm. The
        packet as it leaves, its device (None: lo) and next hop, its conntrack; None: a chain
        dropped it. At postrouting the input device is ``skb->dev``: none for a socket's
        packet, the device itself for ND (ndisc_alloc_skb sets it; ND is never NATed)."""
        st = self.stack
        ct = self._ct(pkt)
        oif = dev.name if dev is not None else "lo"
        where = dev.label if dev is not None else st.lo_label
        out = st._hook("output", pkt, None, oif, where, ct)
        if out is None:
            return None
        if out.dst != pkt.dst:  # nf_nat_ipv6_local_fn: the destination changed, route again
            if out.dst in self.local:
                dev, nh = None, None
            else:
                route = self.lookup(out.dst)
                if route is None:
                    why = f"{self.name} has no IPv6 route to {a6(out.dst)}"
                    self.world.drop(where, out.describe(), "no-route", "ip6_route_me_harder", why)
                    return None
                dev, nh = route.dev, (route.via if route.via is not None else out.dst)
            oif = dev.name if dev is not None else "lo"
            where = dev.label if dev is not None else st.lo_label
        # nf_nat_masquerade_ipv6: ipv6_dev_get_saddr(out, the packet's destination)
        masq = (dev, out.dst) if dev is not None else None
        out = st._hook("postrouting", out, oif if nd else None, oif, where, ct, nh=masq)
        if out is None:
            return None
        st.conntrack.confirm(ct)
        return out, dev, nh, ct

    def _lo_rcv(self, pkt: IPv6, ct: Ct) -> None:
        """A packet to a local address, back in through lo with the conntrack its output gave it
        (loopback_xmit keeps it): NF_INET_PRE_ROUTING and NF_INET_LOCAL_IN (iif lo), delivery."""
        st = self.stack
        lo = st.lo_label
        p = st._hook("prerouting", pkt, "lo", None, lo, ct, carried=True)
        if p is None:
            return
        p = st._hook("input", p, "lo", None, lo, ct)
        if p is None:
            return
        st.conntrack.confirm(ct)
        self.local_deliver(None, p)

    def _out_nf(self, pkt: IPv6, dev: Device | None, nh: int | None) -> None:
        """A locally made packet through the output hooks, then out of its device or back in through lo."""
        if self.stack.nf is None:
            if dev is None:
                self.world.defer(self.local_deliver, None, pkt)
            else:
                assert nh is not None
                self.neigh_output(dev, nh, pkt)
            return
        done = self._nf_out(pkt, dev, nh)
        if done is None:
            return
        out, dev, nh, ct = done
        if dev is None:
            self.world.defer(self._lo_rcv, out, ct)
        else:
            assert nh is not None
            self.neigh_output(dev, nh, out)

    def _to_self(self, pkt: IPv6) -> None:
        """A packet to one of the node's own addresses: out and back in through lo."""
        self._out_nf(pkt, None, None)

    def _send(self, dev: Device, nh: int, pkt: IPv6) -> None:
        """A locally made packet routed out of ``dev``: the output hooks, then the neighbour layer."""
        self._out_nf(pkt, dev, nh)

    def _send_nd(self, dev: Device, dst_mac: str, pkt: IPv6) -> None:
        """An NS or NA (ndisc_send_skb: NF_INET_LOCAL_OUT, then ip6_output's NF_INET_POST_ROUTING)."""
        if self.stack.nf is not None and self._nf_out(pkt, dev, None, nd=True) is None:
            return
        self.world.dev_queue_xmit(dev, Frame(dst_mac, dev.mac, ETH_P_IPV6, pkt))

    def nat_addr(
        self, hook: str, kind: str, addr: int | None, iif: str | None, nh: tuple[Device, int] | None, dst: int
    ) -> int | None:
        """The address an IPv6 NAT statement translates to (None: none, the packet is dropped;
        §11.18): snat/dnat their own; redirect in output ::1, in prerouting the first address of
        the input device's list (nf_nat_redirect_ipv6: the newest global, else its link-local);
        masquerade the source ipv6_dev_get_saddr picks on the output device for the packet's
        destination ``dst`` (nf_nat_masquerade_ipv6), as for a locally made packet; through lo
        (``nh`` None: a local destination) that is the destination itself (20_nat6 J)."""
        if kind in ("snat", "dnat"):
            return addr
        if kind == "redirect":
            if hook == "output":
                return 1
            dev = next((d for d in self.addrs if d.name == iif), None)
            own = self.addrs.get(dev) if dev is not None else None
            if not own:
                return None
            return next((ip for ip, _ in reversed(own) if not is_ll(ip)), own[0][0])
        if nh is None:
            return dst
        return self.select_src(*nh)

    # sending ---------------------------------------------------------------------
    def ping(self, dst: int, ident: int, seq: int = 1) -> None:
        self._send_new(dst, f"echo request to {a6(dst)}", lambda src: Icmp6(ICMP6_ECHO, ident, seq))

    def connect(self, dst: int, proto: int, dport: int, tag: int) -> None:
        """A port probe to ``dst``:``dport`` (``Stack.connect``, IPv6): a TCP SYN or a UDP
        datagram on a connected socket, routed and sourced as the echo request is
        (ip6_dst_lookup_flow: the route, then ipv6_dev_get_saddr)."""
        from .stack import ephemeral

        sport = ephemeral(tag)

        def segment(src: int) -> Tcp | Udp:
            self.stack.conns[tag] = (dst, dport)  # the socket is connected once a route and a source exist
            return Tcp(sport, dport, TCP_SYN, tag) if proto == PROTO_TCP else Udp(sport, dport, Datagram(tag))

        self._send_new(dst, f"{'TCP' if proto == PROTO_TCP else 'UDP'} to [{a6(dst)}]:{dport}", segment)

    def _send_new(self, dst: int, pkt_desc: str, payload: Callable[[int], Icmp6 | Tcp | Udp]) -> None:
        """A locally made packet to ``dst``: to a local address through lo, else routed from the
        source the route's device selects (ENETUNREACH without a route, nothing without a source)."""
        w = self.world
        if dst in self.local:
            pkt = IPv6(dst, dst, payload(dst))
            if w.tracing:
                w.hop(self.stack.lo_label, "tx", "ok", pkt.describe(), why="a local address: delivered through lo")
            self._to_self(pkt)
            return
        route = self.lookup(dst)
        if route is None:
            w.drop(
                self.stack.lo_label,
                pkt_desc,
                "no-route",
                "ip6_route_output_flags",
                f"{self.name} has no IPv6 route to {a6(dst)} (ENETUNREACH)",
            )
            return
        src = self.select_src(route.dev, dst)
        if src is None:
            failed = f" ({route.dev.name}: {self._failed_note(route.dev)})" if self.dad_failed else ""
            w.drop(
                self.stack.lo_label,
                pkt_desc,
                "no-source",
                "ipv6_dev_get_saddr",
                f"{self.name} has no usable IPv6 address to send from{failed}",
            )
            return
        self._send(route.dev, route.via if route.via is not None else dst, IPv6(src, dst, payload(src)))

    def output(self, pkt: IPv6, dev_hint: Device | None = None) -> None:
        """ip6_route_output for a reply (icmpv6_echo_reply: flowi6_oif = the request's input
        device): a link-local destination leaves through that device, and for a global one a
        route through it wins among equal ones (``lookup``'s ``prefer``; 15_oif_pref)."""
        w = self.world
        if pkt.dst in self.local:
            self._to_self(pkt)
            return
        route = self.lookup(pkt.dst, dev_hint, None) if is_ll(pkt.dst) else self.lookup(pkt.dst, None, dev_hint)
        if route is None:
            w.drop(
                self.stack.lo_label,
                pkt.describe(),
                "no-route",
                "ip6_route_output_flags",
                f"{self.name} has no IPv6 route to {a6(pkt.dst)}",
            )
            return
        self._send(route.dev, route.via if route.via is not None else pkt.dst, pkt)

    def neigh_output(self, dev: Device, nh: int, pkt: IPv6) -> None:
        w = self.world
        if not dev.up:
            w.drop(dev, pkt.describe(), "tx-down", "ip6_output", f"{dev.label} is down")
            return
        if dev.noarp:  # ndisc_constructor: IFF_NOARP (or no header_ops: a tun): NUD_NOARP, no ND
            w.dev_queue_xmit(dev, Frame(dev.mac, dev.mac, ETH_P_IPV6, pkt))
            return
        key = (dev, nh)
        n = self.neigh.get(key)
        if n is not None and n.state != INCOMPLETE:
            w.dev_queue_xmit(dev, Frame(n.mac, dev.mac, ETH_P_IPV6, pkt))
            return
        # ndisc_solicit: the queued packet's source if it is an address of dev, else dev's link-local (V3.1)
        own = self.addrs.get(dev, [])
        src = pkt.src if any(ip == pkt.src for ip, _ in own) else self.link_local(dev)
        if src is None:  # ndisc_send_ns: no usable link-local, nothing is sent
            w.drop(
                dev,
                pkt.describe(),
                "ndisc-no-source",
                "ndisc_send_ns",
                f"{dev.label} has no usable link-local address ({self._failed_note(dev)}): "
                "no neighbour solicitation can be sent",
            )
            return
        self.pending.setdefault(key, []).append(pkt)
        if n is not None:
            return  # already resolving
        self.neigh[key] = Neigh6("00:00:00:00:00:00", INCOMPLETE)
        w.dirty.add(self.stack)
        group = solicited_node(nh)
        if w.tracing:
            w.hop(
                dev,
                "stack",
                "ndisc",
                f"resolve {a6(nh)} on {dev.name}",
                why=f"{self.name} sends a neighbour solicitation to {a6(group)} (neighbour INCOMPLETE)",
            )
        ns = IPv6(src, group, Icmp6(ND_NS, target=nh, lladdr=dev.mac), hlim=255)
        self._send_nd(dev, mc_mac(group), ns)

    # neighbour cache ----------------------------------------------------------------
    def _learn(self, dev: Device, ip: int, mac: str, state: str, override: bool) -> None:
        key = (dev, ip)
        n = self.neigh.get(key)
        if n is None:
            self.neigh[key] = Neigh6(mac, state)
            self.world.dirty.add(self.stack)
        elif n.state == STATIC:
            return  # never changed by received ND (V3.7)
        elif n.state == INCOMPLETE or (override and n.mac != mac):
            n.mac, n.state = mac, state
        elif n.mac == mac:
            n.state = state if state == REACHABLE else n.state
        pkts = self.pending.pop(key, None)
        if pkts:
            for pkt in pkts:
                self.world.dev_queue_xmit(dev, Frame(self.neigh[key].mac, dev.mac, ETH_P_IPV6, pkt))

    def flush(self) -> None:
        if len(self.neigh) != len(self._static):
            self.neigh = self._static.copy()
        self.pending.clear()

    def expire(self) -> None:
        for key in self.pending:
            self.neigh.pop(key, None)
        self.pending.clear()

    def record_unresolved(self) -> None:
        w = self.world
        for (dev, ip), pkts in self.pending.items():
            for p in pkts:
                w.drop(
                    dev,
                    p.describe(),
                    "neigh-failed",
                    "neigh_timer_handler",
                    f"{self.name} got no neighbour advertisement for {a6(ip)} on {dev.name}; the queued packet is dropped",
                )

    # receiving -----------------------------------------------------------------------
    def rcv(self, dev: Device, frame: Frame, pkt_type: int) -> None:
        w = self.world
        pkt: IPv6 = frame.payload  # type: ignore[assignment]  # ETH_P_IPV6 carries an IPv6 packet
        if pkt_type == OTHERHOST:
            if w.tracing:
                w.drop(
                    dev, frame, "ip6-otherhost", "ip6_rcv_core", f"addressed to {frame.dst}, not to {dev.label}'s MAC"
                )
            return
        if dev not in self.addrs:
            w.drop(dev, frame, "ip6-no-inet6", "ip6_rcv_core", f"{dev.label} has no IPv6 (no carrier or MTU < 1280)")
            return
        ct: Ct | None = None
        nf = self.stack.nf
        bridged = self.stack._bridged
        if nf is not None and bridged is not None and bridged[0] is pkt:
            # ip_sabotage_in (registered for NFPROTO_IPV6 too): a packet the bridge passes up
            # passed PRE_ROUTING in br_nf_pre_routing already (kernel-semantics §8.3)
            ct = bridged[1]
        elif nf is not None:
            # ipv6_rcv's NF_INET_PRE_ROUTING, before ip6_rcv_finish's routing decision (a DNAT
            # there changes the destination it routes by)
            ct = self._ct(pkt)
            p = self.stack._hook("prerouting", pkt, dev.name, None, dev.label, ct)
            if p is None:
                return
            pkt = p
        dst = pkt.dst
        if dst >> 120 == 0xFF:  # multicast: only a group this device joined (ip6_mc_input)
            if (dev, dst) not in self.groups:
                if w.tracing:  # (every flooded solicitation meets this: no text made for nothing)
                    w.drop(dev, frame, "mc-not-joined", "ip6_mc_input", f"{dev.label} has not joined {a6(dst)}")
                return
            if (p := self._local_in(dev, pkt, ct)) is not None:
                self.icmp_rcv(dev, p, frame, multicast=True)
            return
        if dst in self.local:
            if (p := self._local_in(dev, pkt, ct)) is not None:
                self.icmp_rcv(dev, p, frame, multicast=False)
            return
        if pkt_type != HOST:
            w.drop(dev, frame, "ip6-not-host", "ip6_forward", "a multicast frame for an address that is not ours")
            return
        self.forward(dev, pkt, frame, ct)

    def _local_in(self, dev: Device, pkt: IPv6, ct: Ct | None) -> IPv6 | None:
        """ip6_input's NF_INET_LOCAL_IN (before icmpv6_rcv and ndisc_rcv; SNAT at its NAT hook),
        then conntrack's confirm: the packet as it is delivered, None: a chain dropped it
        (``ct`` None: no ruleset, no hook)."""
        if ct is None:
            return pkt
        p = self.stack._hook("input", pkt, dev.name, None, dev.label, ct)
        if p is not None:
            self.stack.conntrack.confirm(ct)
        return p

    def forward(self, dev: Device, pkt: IPv6, frame: Frame, ct: Ct | None = None) -> None:
        w = self.world
        if not self.forward_all:
            w.drop(
                dev,
                frame,
                "not-forwarding",
                "ip6_forward",
                f"{a6(pkt.dst)} is not an address of {self.name}, and {self.name} does not route IPv6 "
                "(net.ipv6.conf.all.forwarding=0; the per-device value does not matter): dropped silently",
            )
            return
        if is_ll(pkt.dst):
            w.drop(dev, frame, "beyond-scope", "ip6_forward", "a link-local destination is never forwarded")
            return
        if pkt.hlim <= 1:
            w.drop(dev, frame, "hlim-exceeded", "ip6_forward", "hop limit exceeded")
            return
        route = self.lookup(pkt.dst, prefer=dev)  # ip6_pol_route_input: the input device in the oif's place
        if route is None:
            w.drop(dev, frame, "no-route", "ip6_route_input", f"{self.name} has no IPv6 route to {a6(pkt.dst)}")
            return
        if is_ll(pkt.src) and route.dev is not dev:
            # ip6_forward: the link-local source check is in the branch for another output device;
            # back out of the input device it is forwarded (and a redirect sent: not modelled) (§11.12)
            w.drop(
                dev,
                frame,
                "beyond-scope",
                "ip6_forward",
                f"a link-local source is not forwarded to another device ({route.dev.name}): "
                "ICMPv6 destination unreachable (not a neighbour)",
            )
            return
        if w.tracing:
            w.hop(dev, "fwd", "route", frame, why=f"{self.name} forwards via {route.describe()}")
        fwd = IPv6(pkt.src, pkt.dst, pkt.payload, pkt.hlim - 1)
        if ct is not None:
            # ip6_forward's NF_INET_FORWARD, then ip6_output's NF_INET_POST_ROUTING (indev: the input device)
            st, out = self.stack, route.dev
            if not st._chains("forward", fwd, dev.name, out.name, dev.label, ct.state):
                return
            p = st._hook("postrouting", fwd, dev.name, out.name, out.label, ct, nh=(out, fwd.dst))
            if p is None:
                return
            fwd = p
            st.conntrack.confirm(ct)
        self.neigh_output(route.dev, route.via if route.via is not None else pkt.dst, fwd)

    def icmp_rcv(self, dev: Device, pkt: IPv6, frame: Frame, multicast: bool) -> None:
        w = self.world
        m = pkt.payload
        if not isinstance(m, Icmp6):  # a port probe's TCP or UDP
            if multicast:
                w.drop(dev, frame, "l4-multicast", "ip6_mc_input", "a TCP segment or UDP datagram to a multicast group")
                return
            self.local_deliver(dev, pkt)
            return
        if m.type == ND_NS:
            self._ns_rcv(dev, pkt, frame, multicast)
        elif m.type == ND_NA:
            self._na_rcv(dev, pkt, frame)
        elif m.type == ICMP6_ECHO:
            self.local_deliver(dev, pkt)
        elif m.type == ICMP6_ECHO_REPLY:
            if w.tracing:
                w.hop(dev, "stack", "deliver", pkt.describe(), why=f"{self.name} got its echo reply")
            self.stack.replies.add((m.id, m.seq))

    def _ns_rcv(self, dev: Device, pkt: IPv6, frame: Frame, multicast: bool) -> None:
        """ndisc_recv_ns: answered only for an address of the receiving device (V3.2)."""
        w = self.world
        m = pkt.payload
        assert isinstance(m, Icmp6)  # (icmp_rcv sends only ND here)
        if pkt.hlim != 255:
            w.drop(dev, frame, "ndisc-hlim", "ndisc_rcv", "an ND message must have hop limit 255")
            return
        if pkt.src == 0 and (dev, m.target) in self.tentative:
            self._dad_ns_rcv(dev, m, frame)
            return
        if (dev, m.target) in self.dad_failed:
            w.drop(
                dev,
                frame,
                "ndisc-dad-failed",
                "ndisc_recv_ns",
                f"{a6(m.target)} on {dev.name} failed duplicate address detection "
                f"({self.dad_failed[(dev, m.target)]}): it stays tentative, and a tentative address is never answered for",
            )
            return
        if not any(ip == m.target for ip, _ in self.addrs.get(dev, ())):
            where = "another interface of " + self.name if m.target in self.local else "not " + self.name + "'s"
            w.drop(
                dev,
                frame,
                "ndisc-ns-otherhost",
                "ndisc_recv_ns",
                f"{a6(m.target)} is {where}: a node answers an NS only for addresses of the receiving interface",
            )
            return
        if pkt.src == 0:
            # another node's DAD for an address this one holds: a duplicate, which validation
            # and ``unsupported`` refuse; the kernel would defend it with an NA to ff02::1
            return
        if m.lladdr is None and multicast:
            w.drop(dev, frame, "ndisc-no-lladdr", "ndisc_recv_ns", "a multicast NS without source link-layer option")
            return
        mac = m.lladdr if m.lladdr is not None else frame.src
        # neigh_event_ns: the sender's entry, STALE (V3.4)
        self._learn(dev, pkt.src, mac, STALE, override=True)
        router = self.dev_forwarding(dev)
        if w.tracing:
            w.hop(dev, "stack", "reply", frame, why=f"{self.name} answers for {a6(m.target)} with {dev.name}'s MAC")
        na = Icmp6(
            ND_NA,
            target=m.target,
            lladdr=dev.mac if multicast else None,
            router=router,
            solicited=True,
            override=multicast,
        )
        # ndisc_send_na -> ndisc_send_skb -> dst_output: the NA goes through the neighbour
        # table, to the entry just learned, or to a static entry's MAC, which the NS's
        # option does not change (§11.3, 14_na_static)
        self._send_nd(dev, self.neigh[(dev, pkt.src)].mac, IPv6(m.target, pkt.src, na, hlim=255))

    def _dad_ns_rcv(self, dev: Device, m: Icmp6, frame: Frame) -> None:
        """ndisc_recv_ns for a DAD solicitation (source ::) whose target this device is
        itself testing: its own solicitation came back, or another node tests the same
        address. With the nonce the device sent, it is its own, looped back: ignored
        (enhanced DAD, V2.8); without one, DAD fails (addrconf_dad_failure, V2.4)."""
        key = (dev, m.target)
        if m.nonce is not None and m.nonce == self.tentative_nonce.get(key):
            if self.world.tracing:
                self.world.hop(dev, "stack", "ignore", frame, why="its own DAD solicitation, looped back (same nonce)")
            return
        self.dad_failed[key] = (
            "it heard its own DAD solicitation back, without a nonce: a hairpin bridge port reflects it, and "
            f"enhanced_dad is 0 on both {dev.name} and all"
            if m.nonce is None and frame.src == dev.mac
            else "another node solicited it during DAD"
        )

    def _failed_note(self, dev: Device) -> str:
        failed = [a6(ip) for (d, ip) in self.dad_failed if d is dev]
        return f"failed DAD: {', '.join(failed)}" if failed else "none"

    def dad_start(self) -> list[tuple[Device, Frame]]:
        """addrconf_dad_work's first solicitation for every address that sends one."""
        out: list[tuple[Device, Frame]] = []
        for dev, lst in self.addrs.items():
            for ip, _ in lst:
                nonce = self.dad_nonce(dev, ip)
                if nonce is False:
                    continue
                assert nonce is not True
                key = (dev, ip)
                self.tentative.add(key)
                self.tentative_nonce[key] = nonce
                group = solicited_node(ip)
                ns = IPv6(0, group, Icmp6(ND_NS, target=ip, nonce=nonce), hlim=255)
                out.append((dev, Frame(mc_mac(group), dev.mac, ETH_P_IPV6, ns)))
        return out

    def dad_end(self) -> None:
        """DAD is over: a failed address stays on its device, tentative, never used (addrconf_dad_stop)."""
        self._settled()
        self.tentative.clear()
        self.tentative_nonce.clear()
        if not self.dad_failed:
            return
        for dev, lst in list(self.addrs.items()):
            if (dev, eui64(dev.mac, dev.dev_id)) in self.dad_failed and max(
                self._conf(dev, "accept_dad", 1), self._all("accept_dad", 1)
            ) > 1:
                # addrconf_dad_failure: accept_dad > 1 and the MAC's link-local failed: IPv6 off on the device (V2.9)
                del self.addrs[dev]
                self.groups = {g for g in self.groups if g[0] is not dev}
                continue
            lst[:] = [(ip, plen) for ip, plen in lst if (dev, ip) not in self.dad_failed]
        self.local = {1} | {ip for lst in self.addrs.values() for ip, _ in lst}
        self.routes = [r for r in self.routes if r.dev in self.addrs]

    def _na_rcv(self, dev: Device, pkt: IPv6, frame: Frame) -> None:
        """ndisc_recv_na: fills an entry being resolved (V3.5); no entry, nothing learned."""
        w = self.world
        m = pkt.payload
        assert isinstance(m, Icmp6)  # (icmp_rcv sends only ND here)
        if pkt.hlim != 255:
            w.drop(dev, frame, "ndisc-hlim", "ndisc_rcv", "an ND message must have hop limit 255")
            return
        if (dev, m.target) in self.tentative:
            # ndisc_recv_na: an advertisement for an address this device is still testing means
            # another node holds it (addrconf_dad_failure). Only a real duplicate sends one, which
            # the simulator refuses; the kernel backend's guests, on this stack, detect it so.
            self.dad_failed[(dev, m.target)] = "another node advertised it during DAD (it holds the address)"
            return
        n = self.neigh.get((dev, m.target))
        if n is None:
            if w.tracing:
                w.hop(dev, "stack", "ignore", frame, why=f"{self.name} has no entry for {a6(m.target)}")
            return
        if n.state == INCOMPLETE and m.lladdr is None:
            return
        if w.tracing:
            w.hop(dev, "stack", "learn", frame, why=f"{self.name} learns {a6(m.target)} is at {m.lladdr}")
        self._learn(dev, m.target, m.lladdr or n.mac, REACHABLE if m.solicited else STALE, m.override)

    def local_deliver(self, dev: Device | None, pkt: IPv6) -> None:
        """icmpv6_echo_reply (weak host: any local address, any interface: V3.8)."""
        w = self.world
        m = pkt.payload
        where = dev.label if dev is not None else self.stack.lo_label
        if isinstance(m, Udp) and not isinstance(m.payload, Datagram):
            self.vxlan_rcv(where, pkt, m)
            return
        if not isinstance(m, Icmp6):  # tcp_v6_rcv, udpv6_rcv: the port probes' listeners and clients
            self.stack.l4_rcv(where, pkt, m, dev=dev)
            return
        if m.type == ICMP6_ECHO_REPLY:
            self.stack.replies.add((m.id, m.seq))
            return
        if m.type != ICMP6_ECHO:
            return
        if self.ignore_echo:
            w.drop(where, pkt.describe(), "echo-ignored", "icmpv6_echo_reply", "net.ipv6.icmp.echo_ignore_all=1")
            return
        if w.tracing:
            w.hop(where, "stack", "reply", pkt.describe(), why=f"{self.name} answers the echo request")
        self.stack.echoed.add((m.id, m.seq))
        src = pkt.dst
        if src >> 120 == 0xFF and dev is not None:
            src = self.select_src(dev, pkt.src) or 0
        self.output(IPv6(src, pkt.src, Icmp6(ICMP6_ECHO_REPLY, m.id, m.seq)), dev)

    def tunnel_output(self, route: Route6, pkt: IPv6) -> None:
        """A tunnel's outer packet on the route its driver looked up (vxlan6_get_route, then
        ip6tunnel_xmit -> ip6_local_out): the output hooks, then the underlay's ND."""
        self._send(route.dev, route.via if route.via is not None else pkt.dst, pkt)

    def vxlan_rcv(self, where: str, pkt: IPv6, udp: Udp) -> None:
        """udpv6_rcv -> the IPv6 VXLAN socket on the destination port (vxlan_rcv): the VXLAN
        devices of this node with that port (an IPv4 one has no IPv6 socket: ``accept``)."""
        from .kinds.vxlan import VxlanDev

        w = self.world
        socks = [s for s in self.stack.udp.get(udp.dport, ()) if isinstance(s, VxlanDev) and s.v6]
        if not socks:
            w.drop(
                where,
                pkt.describe(),
                "udp-no-socket",
                "__udp6_lib_rcv",
                f"nothing listens on UDP port {udp.dport} in {self.name}",
            )
            return
        for vx in socks:
            if vx.accept(pkt):
                return
        vni = udp.payload.vni if isinstance(udp.payload, Vxlan) else None
        w.drop(
            where,
            pkt.describe(),
            "vxlan-vni",
            "vxlan_rcv",
            f"no VXLAN device in {self.name} has VNI {vni} on port {udp.dport}",
        )


@dataclass
class DadOutcome:
    """What duplicate address detection left in a world, as plain data (``dad``)."""

    #: each namespace's failed addresses: (device name, address) -> why
    failed: dict[str, dict[tuple[str, int], str]]
    #: the bridges' FDBs once it is over (they learned the solicitations' senders)
    fdb: FdbSnapshot
    frames: int
    #: each namespace's IPv6 neighbours once it is over: (device name, address) -> (MAC, state);
    #: only a VXLAN over an IPv6 underlay makes any (its encapsulated solicitations: §11.14)
    neigh: dict[str, dict[tuple[str, int], tuple[str, str]]] = field(default_factory=dict)


def dad(world: World, order: dict[str, dict[str, int]], done: DadOutcome | None = None) -> DadOutcome:
    """Duplicate address detection, once every device is up (as ``vnetlab up`` waits for it):
    each address that sends a solicitation sends one (``Stack6.dad_start``), the world runs,
    and what failed is taken out (``Stack6.dad_end``). Bridges learn the senders' MACs, as
    the kernel's do during ``up``. Not traced: it happens before any probe. Each namespace
    also learns its netdev list order (``order``: ``netdev_order``, for ``select_src``).

    DAD changes nothing else (its solicitations come from ::, so no neighbour learns from
    them, and the rulesets are loaded after it; but a VXLAN over an IPv6 underlay resolves
    the underlay's neighbours to encapsulate them, which the outcome keeps), and a world is built from its lab
    deterministically: ``done``, the outcome of DAD in a world built from the same lab,
    is put back instead of running it again (tests/sim/test_build_once.py compares)."""
    v6s: list[Stack6] = [v6 for st in world.stacks.values() if (v6 := st.v6) is not None]
    for v6 in v6s:
        v6.dev_rank = order.get(v6.name, {})
    if done is not None:
        for v6 in v6s:
            mine = done.failed.get(v6.name)
            if mine:
                devs = {d.name: d for d in v6.stack.devs}
                v6.dad_failed = {(devs[name], ip): why for (name, ip), why in mine.items()}
            v6.dad_end()
        world.fdb_restore(done.fdb)
        world.frames += done.frames
        _neigh_restore(world, v6s, done.neigh)
        return done
    frames = world.frames
    sends = [x for v6 in v6s for x in v6.dad_start()]
    for dev, frame in sends:
        world.dev_queue_xmit(dev, frame)
    world.run()
    failed = {v6.name: {(d.name, ip): why for (d, ip), why in v6.dad_failed.items()} for v6 in v6s if v6.dad_failed}
    for v6 in v6s:
        v6.dad_end()
    neigh = {v6.name: {(d.name, ip): (n.mac, n.state) for (d, ip), n in v6.neigh.items()} for v6 in v6s if v6.neigh}
    return DadOutcome(failed, world.fdb_snapshot(), world.frames - frames, neigh)


def _neigh_restore(world: World, v6s: list[Stack6], neigh: dict[str, dict[tuple[str, int], tuple[str, str]]]) -> None:
    """``dad``'s neighbour entries put back (a VXLAN over an IPv6 underlay resolves the
    underlay's neighbours with its encapsulated solicitations, §11.14)."""
    for v6 in v6s:
        mine = neigh.get(v6.name)
        if mine:
            devs = {d.name: d for d in v6.stack.devs}
            for (name, ip), (mac, state) in mine.items():
                v6.neigh[(devs[name], ip)] = Neigh6(mac, state)
            world.dirty.add(v6.stack)


def decode(body: bytes) -> IPv6 | None:
    """An IPv6 packet from a real device, for what a guest understands (``frame.decode``):
    ICMPv6 echo and Neighbour Discovery (the link-layer address and nonce options); None for
    the rest (a guest ignores MLD, router discovery, TCP and UDP). A bad checksum is dropped,
    as icmpv6_rcv does."""
    import dpkt

    try:
        ip = dpkt.ip6.IP6(body)
    except (dpkt.UnpackError, dpkt.NeedData):
        return None
    m = ip.data
    if ip.nxt != 58 or not isinstance(m, dpkt.icmp6.ICMP6):
        return None
    src, dst = int.from_bytes(ip.src, "big"), int.from_bytes(ip.dst, "big")
    raw = bytes(m)
    if m.type in (ICMP6_ECHO, ICMP6_ECHO_REPLY) and len(raw) >= 8:
        ident, seq = int.from_bytes(raw[4:6], "big"), int.from_bytes(raw[6:8], "big")
        msg = Icmp6(m.type, ident, seq)
    elif m.type in (ND_NS, ND_NA) and len(raw) >= 24:
        flags = int.from_bytes(raw[4:8], "big")
        msg = Icmp6(
            m.type,
            target=int.from_bytes(raw[8:24], "big"),
            router=bool(flags >> 31 & 1) and m.type == ND_NA,
            solicited=bool(flags >> 30 & 1) and m.type == ND_NA,
            override=bool(flags >> 29 & 1) and m.type == ND_NA,
        )
        opts = raw[24:]
        while len(opts) >= 8 and opts[1]:
            kind, size = opts[0], opts[1] * 8
            if kind in (1, 2) and size >= 8:  # source / target link-layer address
                msg.lladdr = ":".join(f"{x:02x}" for x in opts[2:8])
            elif kind == 14 and size >= 8:  # RFC 7527 nonce
                msg.nonce = int.from_bytes(opts[2:8], "big")
            opts = opts[size:]
    else:
        return None
    pseudo = ip.src + ip.dst + len(raw).to_bytes(4, "big") + b"\0\0\0" + bytes([58])
    if dpkt.in_cksum(pseudo + raw) != 0:
        return None
    return IPv6(src, dst, msg, ip.hlim)


def encode(p: IPv6) -> bytes:
    """The packet as it would be on the wire (for pcap): dpkt builds the headers."""
    import struct

    import dpkt

    m = p.payload
    if not isinstance(m, Icmp6):  # a port probe's segment or datagram, written as IPv4 carries it
        l4 = encode_l4(m)
        ip = dpkt.ip6.IP6(
            src=p.src.to_bytes(16, "big"),
            dst=p.dst.to_bytes(16, "big"),
            nxt=6 if isinstance(m, Tcp) else 17,
            hlim=p.hlim,
        )
        ip.data, ip.plen = l4, len(bytes(l4))
        return bytes(ip)
    if m.type in (ICMP6_ECHO, ICMP6_ECHO_REPLY):
        body = struct.pack("!HH", m.id, m.seq) + b"vnetlab"
    else:
        flags = (m.router << 31 | m.solicited << 30 | m.override << 29) if m.type == ND_NA else 0
        body = struct.pack("!I", flags) + m.target.to_bytes(16, "big")
        if m.lladdr is not None:
            body += bytes([1 if m.type == ND_NS else 2, 1]) + bytes.fromhex(m.lladdr.replace(":", ""))
        if m.nonce is not None:  # RFC 7527's nonce option (type 14), 6 bytes
            body += bytes([14, 1]) + (m.nonce & 0xFFFFFFFFFFFF).to_bytes(6, "big")
    icmp = dpkt.icmp6.ICMP6(type=m.type, code=0, data=body)
    ip = dpkt.ip6.IP6(src=p.src.to_bytes(16, "big"), dst=p.dst.to_bytes(16, "big"), nxt=58, hlim=p.hlim, data=icmp)
    ip.plen = len(bytes(icmp))
    return bytes(ip)
