"""A hypothesis strategy for random valid dual-stack labs, inside what the
simulator models for IPv6 (sim/ipv6.py, kernel-semantics §11.6: veth, nic,
bridge, macvlan and macvtap devices, and dummy, which this kernel lacks; no guests, steps, duplicate IPv6 addresses, or IPv6
addresses on a device that is down or without carrier).

Segments are switches (random hairpin, on the switch or on single ports), an
optional host bridge in a node (``hb``, veth ports to ``ctN`` nodes, the bridge
itself maybe addressed and routing) and an optional point-to-point veth. Each
segment has its own IPv4 /24 (198.18.K.0) and IPv6 /64 (2001:db8:K:: or
fd00:K::); every address is unique. Router nodes (``rN``, and ``hb`` when it
has a second leg) sit on two or three segments with random forwarding for
each family (IPv6: ``all.forwarding`` on or off, sometimes only a device's
``forwarding``, which sets the NA's router flag and forwards nothing). Hosts,
routers and bridge containers get routes drawn over that graph: a default
route (``default`` or ``::/0``) or a prefix route via a router's global or
link-local address (with ``dev``), or on-link by ``dev`` only, with random
metrics; static ND entries with the right or a wrong MAC; random ``accept_dad``,
``enhanced_dad``, ``dad_transmits`` and ``icmp.echo_ignore_all``; IPv4-only
interfaces, some of them down, some with an MTU below 1280 (no IPv6 at all);
hosts with two NICs on one switch; macvlan/macvtap children of host NICs in their own
nodes, every mode (§11.13: passthru alone on its lower, and not in a lab with a hairpin
port); VXLAN VTEPs over an IPv4 underlay with a dual-stack overlay; a /128 (and a /32) on a veth whose peer is in the
same node (this kernel has no dummy driver), which other nodes route to; some interfaces with two IPv6 prefixes, or without IPv4."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from hypothesis import strategies as st


def eui64(mac: str) -> str:
    b = bytearray.fromhex(mac.replace(":", ""))
    b[0] ^= 0x02
    return str(ipaddress.IPv6Address(b"\xfe\x80" + b"\0" * 6 + bytes(b[0:3]) + b"\xff\xfe" + bytes(b[3:6])))


@dataclass
class Seg:
    name: str
    k: int
    v6: str  # "2001:db8:K" or "fd00:K": the /64 is V6::/64
    hosts: int = 10

    def next4(self) -> str:
        self.hosts += 1
        return f"198.18.{self.k}.{self.hosts}"

    def next6(self) -> str:
        self.hosts += 1
        return f"{self.v6}::{self.hosts:x}"

    @property
    def net4(self) -> str:
        return f"198.18.{self.k}.0/24"

    @property
    def net6(self) -> str:
        return f"{self.v6}::/64"


@dataclass
class Att:
    node: str
    ifname: str
    seg: Seg | None  # None: a bridge port or an in-node veth
    mac: str
    v4: str | None = None
    v6: list[str] = field(default_factory=list)
    up: bool = True
    mtu: int | None = None
    extra: str = ""  # more of the interface's spec (kind, peer, master, port...)


@dataclass
class Node:
    name: str
    router: bool = False
    atts: list[Att] = field(default_factory=list)
    routes: list[str] = field(default_factory=list)
    neighbors: list[str] = field(default_factory=list)
    sysctl: dict[str, int] = field(default_factory=dict)
    pre: list[str] = field(default_factory=list)  # interfaces written before the attachments (a bridge)


def _addresses(draw: st.DrawFn, a: Att, p4: float = 0.75, router: bool = False) -> None:
    assert a.seg is not None
    if draw(st.integers(0, 99)) < p4 * 100:
        a.v4 = a.seg.next4()
    if router or draw(st.integers(0, 9)) < 8:
        a.v6.append(a.seg.next6())
        if draw(st.integers(0, 7)) == 0:  # a second address: a second prefix on the link, or the same /64
            other = draw(st.sampled_from(["2001:db8:ee", "fd00:ee", a.seg.v6]))
            a.seg.hosts += 1
            a.v6.append(f"{other}::{a.seg.k:x}:{a.seg.hosts:x}")


def _on_subnet(own: list[Att], a: Att, fam: int) -> bool:
    """Whether gateway ``a`` is on a connected subnet of the node with attachments ``own``
    (else the checker's gateway-unreachable; a link-local gateway only needs the device)."""
    x = next(x for x in own if x.seg is a.seg)
    assert a.seg is not None
    return bool(x.v4) if fam == 4 else any(v.startswith(a.seg.v6 + "::") for v in x.v6)


def _neighbor(n: Node, ip: str, lladdr: str, dev: str) -> None:
    """A static ND entry, at most one per address and device (a second is refused by the
    kernel at `up`: File exists)."""
    if not any(f'address: "{ip}",' in x and x.endswith(f"dev: {dev}}}") for x in n.neighbors):
        n.neighbors.append(f'{{address: "{ip}", lladdr: "{lladdr}", dev: {dev}}}')


@st.composite
def dual_labs(draw: st.DrawFn) -> str:
    segs: list[Seg] = []
    macs = iter(range(1, 255))

    def seg(name: str) -> Seg:
        k = len(segs) + 1
        s = Seg(name, k, draw(st.sampled_from([f"2001:db8:{k}", f"2001:db8:{k}", f"fd00:{k}"])))
        segs.append(s)
        return s

    def mac() -> str:
        return f"02:00:00:00:a6:{next(macs):02x}"

    n_sw = draw(st.integers(1, 3))
    switches = [seg(f"s{i}") for i in range(n_sw)]
    hairpin = {s.name: draw(st.integers(0, 3)) == 0 for s in switches}
    nodes: list[Node] = []

    def nic(n: Node, s: Seg, ifname: str) -> Att:
        a = Att(n.name, ifname, s, mac())
        port = ", port: {hairpin: true}" if draw(st.integers(0, 7)) == 0 else ""
        a.extra = f"kind: nic, switch: {s.name}{port}"
        n.atts.append(a)
        return a

    # routers on two or three switches (or one switch and the p2p link below)
    for r in range(draw(st.integers(0, 2)) if n_sw > 1 else 0):
        n = Node(f"r{r}", router=True)
        for j, s in enumerate(draw(st.lists(st.sampled_from(switches), min_size=2, max_size=3, unique_by=id))):
            _addresses(draw, nic(n, s, f"e{j}"), 0.85, router=True)
        nodes.append(n)
    # hosts with one NIC, some with a second (on another switch, or on the same one)
    for h in range(draw(st.integers(1, 4))):
        n = Node(f"h{h}")
        for j, s in enumerate(draw(st.lists(st.sampled_from(switches), min_size=1, max_size=2))):
            a = nic(n, s, f"eth{j}")
            _addresses(draw, a)
            if not a.v6 and draw(st.integers(0, 4)) == 0:
                a.up = False  # an IPv4-only NIC that is down (an IPv6 one is refused: exit 3)
            elif not a.v6 and draw(st.integers(0, 3)) == 0:
                a.mtu = 1200  # below IPV6_MIN_MTU: no IPv6 on the device at all (V8.1)
        nodes.append(n)
    # macvlan/macvtap children of host NICs, each in a node of its own (mN), on the NIC's
    # segment: every mode (passthru alone on its lower; made bridge below if the lab has a
    # hairpin port, which the simulator refuses: sim/kinds/macvlan.v6_problem)
    lowers = [a for n in nodes if not n.router for a in n.atts if a.up and a.mtu is None]
    if lowers and draw(st.integers(0, 2)) == 0:
        for i, low in enumerate(draw(st.lists(st.sampled_from(lowers), min_size=1, max_size=3))):
            assert low.seg is not None
            kind = draw(st.sampled_from(["macvlan", "macvlan", "macvtap"]))
            mode = draw(st.sampled_from(["private", "vepa", "bridge", "bridge", "source", "passthru"]))
            siblings = [x.extra for n in nodes for x in n.atts if f"parent: {low.node}/{low.ifname}," in x.extra]
            if any("mode: passthru" in x for x in siblings):
                continue  # passthru: the only child of its lower (the kernel: EINVAL)
            if mode == "passthru" and siblings:
                mode = "vepa"
            cn = Node(f"m{i}")
            extra = f"kind: {kind}, parent: {low.node}/{low.ifname}, mode: {mode}"
            if mode == "source":
                seen = [x.mac for n in nodes for x in n.atts if x.seg is low.seg and x is not low]
                if seen:
                    extra += f', source_macs: ["{draw(st.sampled_from(seen))}"]'
            a = Att(cn.name, "mv0", low.seg, low.mac if mode == "passthru" else mac(), extra=extra)
            _addresses(draw, a)
            cn.atts.append(a)
            nodes.append(cn)
    # VXLAN VTEPs (vN) over one switch, IPv4 underlay (an IPv6 one is refused), a dual-stack
    # overlay segment: a unicast remote, a list of remotes or a multicast group each
    if draw(st.integers(0, 3)) == 0:
        under = draw(st.sampled_from(switches))
        vs = seg("vx")
        vteps: list[tuple[Node, Att, Att]] = []
        for v in range(draw(st.integers(2, 3))):
            vn = Node(f"v{v}")
            e = Att(vn.name, "eth0", under, mac(), v4=under.next4(), extra=f"kind: nic, switch: {under.name}")
            x = Att(vn.name, "vx0", vs, mac())
            _addresses(draw, x)
            vn.atts += [e, x]
            vteps.append((vn, e, x))
            nodes.append(vn)
        for v, (_, _, x) in enumerate(vteps):
            others = [o.v4 for j, (_, o, _) in enumerate(vteps) if j != v]
            how = draw(st.sampled_from(["remote", "remotes", "group", "group"]))
            if how == "remote":
                dst = f"remote: {others[0]}"
            elif how == "remotes":
                pick = draw(st.lists(st.sampled_from(others), min_size=1, unique=True))
                dst = f"remotes: [{', '.join(str(p) for p in pick)}]"
            else:
                dst = "group: 239.1.1.1"
            learn = "" if draw(st.integers(0, 3)) else ", learning: false"
            x.extra = f"kind: vxlan, vni: 42, {dst}, dev: eth0, dstport: 4789{learn}"
    # a host bridge with veth ports to containers; the bridge may route to a switch
    if draw(st.booleans()):
        bs = seg("br")
        hb = Node("hb")
        br = Att("hb", "br0", bs, mac(), extra="kind: bridge")
        if draw(st.integers(0, 3)):
            _addresses(draw, br, 0.8, router=True)
        hb.atts.append(br)
        nodes.append(hb)
        for p in range(draw(st.integers(1, 2))):
            hp = ", port: {hairpin: true}" if draw(st.integers(0, 4)) == 0 else ""
            hb.atts.append(Att("hb", f"vp{p}", None, mac(), extra=f"kind: veth, peer: ct{p}/eth0, master: br0{hp}"))
            ct = Node(f"ct{p}")
            a = Att(f"ct{p}", "eth0", bs, mac(), extra=f"kind: veth, peer: hb/vp{p}")
            _addresses(draw, a)
            ct.atts.append(a)
            nodes.append(ct)
        if draw(st.booleans()):
            hb.router = True
            _addresses(draw, nic(hb, draw(st.sampled_from(switches)), "eth0"), 0.85, router=True)
    # a point-to-point veth from a router (or a host) to a node of its own
    if draw(st.integers(0, 2)) == 0:
        ps = seg("p2p")
        left = draw(st.sampled_from(nodes))
        pn = Node("pp")
        a = Att(left.name, "pv0", ps, mac(), extra="kind: veth, peer: pp/eth0")
        _addresses(draw, a, 0.85, router=True)
        left.atts.append(a)
        b = Att("pp", "eth0", ps, mac(), extra=f"kind: veth, peer: {left.name}/pv0")
        _addresses(draw, b)
        pn.atts.append(b)
        nodes.append(pn)
    # a /128 (and a /32) on a router or host, on a veth whose peer is in the same node (this
    # kernel has no dummy driver): others route to it
    loops: list[tuple[Node, str | None, str]] = []
    if draw(st.integers(0, 2)) == 0:
        n = draw(st.sampled_from(nodes))
        k = len(segs) + 1
        v6, v4 = f"fd00:ff::{k}", f"203.0.113.{k}"
        a = Att(n.name, "lo0", None, mac(), v4=v4 if draw(st.booleans()) else None, v6=[f"{v6}/128"])
        a.extra = "kind: veth, peer: lo1"
        n.atts.append(a)
        loops.append((n, a.v4, v6))

    if not any(a.v6 for n in nodes for a in n.atts):  # dual-stack: at least one IPv6 address
        usable = [a for n in nodes for a in n.atts if a.seg is not None and a.up and a.mtu is None]
        first = usable[0] if usable else next(a for n in nodes for a in n.atts if a.seg is not None)
        first.up, first.mtu = True, None  # (every NIC was down or below 1280: one is made usable)
        assert first.seg is not None
        first.v6.append(first.seg.next6())

    # routes over the graph -----------------------------------------------------
    def on(s: Seg | None, n: Node) -> list[Att]:
        return [a for a in n.atts if a.seg is s and a.up]

    for n in nodes:
        mine = {id(a.seg) for a in n.atts if a.seg is not None and a.up}
        # gateways: routers' attachments on a segment of n's
        gws = [
            a
            for g in nodes
            if g is not n and (g.router or g.name == "hb")
            for s in segs
            if id(s) in mine
            for g_att in [on(s, g)]
            for a in g_att
        ]
        own = [a for a in n.atts if a.seg is not None and a.up]
        own6 = [a for a in own if a.mtu is None]  # an IPv6 route or neighbour needs the device's IPv6
        used: set[tuple[str, int]] = set()  # (destination, metric): the kernel refuses a second
        for fam in (4, 6):
            for _ in range(draw(st.integers(0, 2))):
                cand = [a for a in gws if (a.v4 if fam == 4 else a.v6)]
                if fam == 4:
                    cand = [a for a in cand if _on_subnet(own, a, 4)]
                else:
                    cand = [a for a in cand if any(x.seg is a.seg for x in own6)]
                far = [s for s in segs if id(s) not in mine]
                dests = ["default"] + [s.net4 if fam == 4 else s.net6 for s in far]
                dests += [
                    f"{lo4}/32" if fam == 4 else f"{lo6}/128"
                    for ln, lo4, lo6 in loops
                    if ln is not n and (lo4 or fam == 6)
                ]
                dest = draw(st.sampled_from(dests))
                if dest == "default" and fam == 6 and draw(st.booleans()):
                    dest = "::/0"
                metric = draw(st.sampled_from([None, None, 100, 200]))
                key = ("default" if dest in ("default", "::/0") else dest, metric or (1024 if fam == 6 else 0))
                if (key, fam) in used:
                    continue
                how = draw(st.integers(0, 9))
                mtxt = f", metric: {metric}" if metric else ""
                if cand and how < 8:
                    a = draw(st.sampled_from(cand))
                    mydev = next(x for x in (own if fam == 4 else own6) if x.seg is a.seg).ifname
                    if fam == 4:
                        via = f"via: {a.v4}"
                    elif not _on_subnet(own, a, 6) or draw(st.integers(0, 2)) == 0:
                        via = f'via: "{eui64(a.mac)}", dev: {mydev}'  # a link-local gateway needs dev
                    else:
                        via = f'via: "{a.v6[0].split("/")[0]}"'
                        if draw(st.integers(0, 3)) == 0:
                            via += f", dev: {mydev}"
                    if fam == 6 and draw(st.integers(0, 3)) == 0:  # a static ND entry for the gateway
                        gw = eui64(a.mac) if "fe80" in via else a.v6[0].split("/")[0]
                        lladdr = a.mac if draw(st.integers(0, 2)) else "02:00:00:00:ee:ee"
                        _neighbor(n, gw, lladdr, mydev)
                elif (own if fam == 4 else own6) and how == 8:
                    # on-link: nobody answers ND for it
                    via = f"dev: {draw(st.sampled_from(own if fam == 4 else own6)).ifname}"
                    if fam == 6 and dest == "default":
                        dest = "::/0"  # 'default' without an IPv6 gateway is IPv4's
                else:
                    continue
                used.add((key, fam))
                q = f'"{dest}"' if ":" in dest else dest
                n.routes.append(f"{{to: {q}, {via}{mtxt}}}")
        # a static ND entry for a neighbour on a shared segment
        if draw(st.integers(0, 4)) == 0:
            peers = [(b, x) for x in own6 for m in nodes if m is not n for b in on(x.seg, m) if b.v6]
            if peers:
                b, x = draw(st.sampled_from(peers))
                lladdr = b.mac if draw(st.integers(0, 2)) else "02:00:00:00:ee:ef"
                _neighbor(n, b.v6[0].split("/")[0], lladdr, x.ifname)
        # sysctls
        if n.router:
            if draw(st.integers(0, 5)):
                n.sysctl["net.ipv4.ip_forward"] = 1
            f6 = draw(st.integers(0, 5))
            if f6 >= 2:
                n.sysctl["net.ipv6.conf.all.forwarding"] = 1
                if own and draw(st.integers(0, 4)) == 0:  # a device's 0 does not stop forwarding (V7.1)
                    n.sysctl[f"net.ipv6.conf.{draw(st.sampled_from(own)).ifname}.forwarding"] = 0
            elif f6 == 1 and own:  # only a device's forwarding: the NA's router flag, no forwarding
                n.sysctl[f"net.ipv6.conf.{draw(st.sampled_from(own)).ifname}.forwarding"] = 1
        if draw(st.integers(0, 5)) == 0:
            key = draw(st.sampled_from(["accept_dad", "enhanced_dad", "dad_transmits"]))
            for where in draw(
                st.lists(st.sampled_from(["all", *(a.ifname for a in own)]), min_size=1, max_size=2, unique=True)
            ):
                n.sysctl[f"net.ipv6.conf.{where}.{key}"] = 0
        if draw(st.integers(0, 29)) == 0:
            n.sysctl["net.ipv6.icmp.echo_ignore_all"] = 1

    # the lab's text ---------------------------------------------------------------
    out = ["lab: fz6", "switches:"]
    any_hairpin = any(hairpin.values()) or any("hairpin: true" in a.extra for n in nodes for a in n.atts)
    for s in switches:
        out.append(f"  {s.name}: {{hairpin: {str(hairpin[s.name]).lower()}}}")
    out.append("nodes:")
    for n in nodes:
        out += [f"  {n.name}:", "    interfaces:"]
        for a in n.atts:
            addrs = ([f"{a.v4}/32" if a.seg is None else f"{a.v4}/24"] if a.v4 else []) + [
                f'"{x}"' if "/" in x else f'"{x}/64"' for x in a.v6
            ]
            if "mode: passthru" in a.extra:  # the child takes its lower's MAC
                spec = a.extra if not any_hairpin else a.extra.replace("mode: passthru", "mode: bridge")
                if any_hairpin:
                    spec += f', mac: "02:00:00:00:a7:{a.mac[-2:]}"'
            else:
                spec = f'{a.extra}, mac: "{a.mac}"'
            if addrs:
                spec += f", addresses: [{', '.join(addrs)}]"
            if not a.up:
                spec += ", up: false"
            if a.mtu:
                spec += f", mtu: {a.mtu}"
            out.append(f"      {a.ifname}: {{{spec}}}")
        if n.routes:
            out += ["    routes:", *(f"      - {r}" for r in n.routes)]
        if n.neighbors:
            out += ["    neighbors:", *(f"      - {x}" for x in n.neighbors)]
        # a device below 1280 has no IPv6, so no net.ipv6.conf.DEV keys [ipv6-mtu] (filtered
        # here, after the draws, so the other labs' draws stay as they were)
        low = {f"net.ipv6.conf.{a.ifname}." for a in n.atts if a.mtu and a.mtu < 1280}
        kept = {k: v for k, v in n.sysctl.items() if not any(k.startswith(p) for p in low)}
        if kept:
            out.append("    sysctl: {" + ", ".join(f"{k}: {v}" for k, v in kept.items()) + "}")
    return "\n".join(out) + "\n"
