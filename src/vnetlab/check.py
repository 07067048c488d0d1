"""Cross-object rules of the format's "Validation" section.

Every rule has an id (shown in brackets after each message) and reports every
violation, blaming the later declaration in file order when two are
involved. It never touches the system: facts about this machine (root,
kernel support) belong to the kernel backend's preflight.

Rule ids: duplicate-name, unresolved-ref, peer-mismatch, peer-not-veth,
master-not-bridge, vlan-parent-node, rx-handler, not-ethernet,
passthru-alone, passthru-mac, source-macs-mode, nopromisc-mode,
ipvlan-port-mode, vlan-duplicate, mtu-exceeds-parent, gateway-unreachable,
cycle, port-without-master, duplicate-mac, vxlan-remote, neighbor-dev,
expect-target, sysctl-not-netns, sysctl-key, sysctl-value, ifname-reserved,
ifname-unsafe, host-address, ipv6-mtu, ipv6-duplicate, mtu-max, bridge-ports, nftables-syntax,
nftables-include, nftables-size, expect-port, expect-answered-by, route-exists,
route-dev-down, neighbor-exists.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from .errors import Issue
from .model import Lab, Route, sysctls
from .model.kinds import Ipvlan, Macvlan, Macvtap, Nic, Veth, Vlan, Vxlan
from .model.values import ifname_rule
from .plan.routes import RouteKey, compare, kernel_routes, route_key
from .positions import Loaded, Path_, Positions
from .resolve import Iface, IfKey, Resolved, resolve, split_ref


class _Ctx:
    def __init__(self, r: Resolved, pos: Positions):
        self.r = r
        self.pos = pos
        self.issues: list[Issue] = []
        self.hints_left = _MAX_HINTS
        self._names: dict[str, list[str]] | None = None

    def names(self, node: str) -> list[str]:
        """Interface names of a node, indexed once (a lab may have thousands)."""
        if self._names is None:
            self._names = {}
            for k in self.r.ifaces:
                self._names.setdefault(k[0], []).append(k[1])
        return self._names.get(node, [])

    def hint(self, word: str, options: Iterable[str]) -> str:
        """A did-you-mean, for the first few problems only: difflib is slow on
        thousands of candidates, and a hint on the 4,000th problem helps nobody."""
        if self.hints_left <= 0:
            return ""
        self.hints_left -= 1
        return _hint(word, options)

    def add(self, path: Path_, rule: str, msg: str, *, at_key: bool = False) -> None:
        self.issues.append(self.pos.issue(path, rule, msg, at_key=at_key))

    def order(self, key: IfKey) -> tuple[int, int]:
        """File order of an interface, for 'blame the later one'."""
        return self.pos.key(self.r.ifaces[key].path)


#: did-you-mean hints per check run
_MAX_HINTS = 20


def check_loaded(loaded: Loaded) -> list[Issue]:
    r = resolve(loaded.lab)
    c = _Ctx(r, loaded.positions)
    for rule in RULES:
        rule(c)
    return sorted(set(c.issues))


def check(lab: Lab, positions: Positions | None = None) -> list[Issue]:
    """Every cross-object problem of a validated model (positions optional)."""
    return check_loaded(Loaded(lab, positions or Positions("<lab>")))


def _name(k: IfKey) -> str:
    return f"{k[0]}/{k[1]}"


def rule_names(c: _Ctx) -> None:
    lab = c.r.lab
    seen: dict[str, str] = {}
    entries: list[tuple[tuple[int, int], str, str, Path_]] = []
    for s in lab.switches:
        entries.append((c.pos.key(("switches", s)), s, "switch", ("switches", s)))
    for n in lab.nodes:
        entries.append((c.pos.key(("nodes", n)), n, "node", ("nodes", n)))
    for g in c.r.guests.values():
        p = (*c.r.ifaces[g.device].path, "guest", "name")
        entries.append((c.pos.value(p), g.name, "guest", p))
    for _, name, what, path in sorted(entries):
        if name in seen:
            c.add(
                path,
                "duplicate-name",
                f"{what} name {name!r} is already used by a {seen[name]}; node, guest and switch names share one namespace",
                at_key=what != "guest",
            )
        else:
            seen[name] = what


def rule_refs(c: _Ctx) -> None:
    r, lab = c.r, c.r.lab
    for i in list(r.ifaces.values()):
        if i.implicit:
            continue
        s = i.spec
        if isinstance(s, Veth):
            pk = split_ref(s.peer, i.node)
            if pk[0] not in lab.nodes:
                c.add((*i.path, "peer"), "unresolved-ref", f"peer {s.peer!r}: there is no node {pk[0]!r}")
            elif pk == i.key:
                c.add((*i.path, "peer"), "unresolved-ref", "a veth cannot be its own peer")
            elif pk in r.ifaces and r.ifaces[pk].kind != "veth":
                c.add((*i.path, "peer"), "peer-not-veth", f"peer {_name(pk)} is a {r.ifaces[pk].kind}, not a veth")
            elif pk in r.ifaces and r.peer.get(pk) != i.key:
                a, b = sorted([i.key, pk], key=c.order)
                other = r.peer.get(pk)
                c.add(
                    (*r.ifaces[b].path, "peer"),
                    "peer-mismatch",
                    f"{_name(b)} and {_name(a)} disagree about their peers"
                    + (f" ({_name(pk)} names {_name(other)})" if other and b == i.key else ""),
                )
        parent: str | None = getattr(s, "parent", None)  # a child kind's (model.kinds CHILD)
        if parent is not None:
            pk = split_ref(parent, i.node)
            if isinstance(s, Vlan) and pk[0] != i.node:
                c.add(
                    (*i.path, "parent"),
                    "vlan-parent-node",
                    f"a vlan's parent must be in the same node; write 'parent: IFNAME', not {parent!r}",
                )
            elif pk[0] not in lab.nodes:
                c.add((*i.path, "parent"), "unresolved-ref", f"parent {parent!r}: there is no node {pk[0]!r}")
            elif pk not in r.ifaces:
                c.add(
                    (*i.path, "parent"),
                    "unresolved-ref",
                    f"parent {parent!r}: node {pk[0]!r} has no interface {pk[1]!r}{c.hint(pk[1], c.names(pk[0]))}",
                )
            elif pk == i.key:
                c.add((*i.path, "parent"), "cycle", "an interface cannot be its own parent")
        if s.master is not None:
            mk = (i.node, s.master)
            if mk not in r.ifaces:
                c.add(
                    (*i.path, "master"),
                    "unresolved-ref",
                    f"master {s.master!r}: node {i.node!r} has no interface {s.master!r}{c.hint(s.master, c.names(i.node))}",
                )
            elif r.ifaces[mk].kind != "bridge":
                c.add(
                    (*i.path, "master"),
                    "master-not-bridge",
                    f"master {s.master!r} is a {r.ifaces[mk].kind}; only a bridge can be a master",
                )
            elif mk == i.key:
                c.add((*i.path, "master"), "cycle", "a bridge cannot be its own master")
        if isinstance(s, Nic) and s.switch not in lab.switches:
            c.add(
                (*i.path, "switch"),
                "unresolved-ref",
                f"switch {s.switch!r} is not declared under 'switches:'{c.hint(s.switch, lab.switches)}",
            )
        for dep in s.local_deps():  # a vxlan's dev
            if (i.node, dep) not in r.ifaces:
                c.add((*i.path, "dev"), "unresolved-ref", f"dev {dep!r}: node {i.node!r} has no such interface")


def _hint(word: str, options: Iterable[str]) -> str:
    import difflib

    m = difflib.get_close_matches(word, list(options), n=1)
    return f"; did you mean {m[0]!r}?" if m else ""


def rule_rx_handler(c: _Ctx) -> None:
    """One rx_handler per device (netdev_rx_handler_register answers EBUSY)."""
    r = c.r
    for key, i in r.ifaces.items():
        kids = r.children.get(key, [])
        mac_kids = sorted((k for k in kids if r.ifaces[k].kind in ("macvlan", "macvtap")), key=c.order)
        ip_kids = sorted((k for k in kids if r.ifaces[k].kind == "ipvlan"), key=c.order)
        claims: list[tuple[tuple[int, int], str, Path_]] = []
        if key in r.master:
            claims.append((c.order(key), "a bridge port", (*i.path, "master")))
        if mac_kids:
            k = mac_kids[0]
            claims.append((c.order(k), f"the parent of {r.ifaces[k].kind} {_name(k)}", (*r.ifaces[k].path, "parent")))
        if ip_kids:
            k = ip_kids[0]
            claims.append((c.order(k), f"the parent of ipvlan {_name(k)}", (*r.ifaces[k].path, "parent")))
        claims.sort()
        if i.spec.HOLDS_OWN_RX_HANDLER:
            for _, what, path in claims:
                c.add(
                    path,
                    "rx-handler",
                    f"{_name(key)} is a macvtap, which holds its own receive handler, so it cannot be {what} (the kernel answers EBUSY)",
                )
        elif i.spec.NO_RX_HANDLER:
            for k in kids:
                c.add(
                    (*r.ifaces[k].path, "parent"),
                    "rx-handler",
                    f"{_name(key)} is an ipvlan child, which takes no children (IFF_NO_RX_HANDLER)",
                )
            if key in r.master:
                c.add(
                    (*i.path, "master"),
                    "rx-handler",
                    f"{_name(key)} is an ipvlan child, which cannot be a bridge port (IFF_NO_RX_HANDLER)",
                )
        else:
            for _, what, path in claims[1:]:
                c.add(
                    path,
                    "rx-handler",
                    f"{_name(key)} cannot be {what}: it is already {claims[0][1]}, and a device has one receive handler (the kernel answers EBUSY)",
                )
        if not i.spec.ETHERNET:
            for k in kids:
                c.add(
                    (*r.ifaces[k].path, "parent"),
                    "not-ethernet",
                    f"{_name(key)} is a tun (no Ethernet header); a {r.ifaces[k].kind} needs an Ethernet parent",
                )
            if key in r.master:
                c.add(
                    (*i.path, "master"),
                    "not-ethernet",
                    f"{_name(key)} is a tun (no Ethernet header); a bridge port must be Ethernet",
                )


def rule_modes(c: _Ctx) -> None:
    r = c.r
    for key, kids in r.children.items():
        mac_kids = sorted((k for k in kids if r.ifaces[k].kind in ("macvlan", "macvtap")), key=c.order)
        passthru = [k for k in mac_kids if getattr(r.ifaces[k].spec, "mode", None) == "passthru"]
        if passthru and len(mac_kids) > 1:
            for n, k in enumerate(mac_kids[1:], 1):
                earlier = [p for p in mac_kids[:n] if p in passthru]
                first = f"a passthru child {_name(earlier[0])}" if earlier else f"the child {_name(mac_kids[0])}"
                c.add(
                    (*r.ifaces[k].path, "parent"),
                    "passthru-alone",
                    f"{_name(key)} already has {first}; a passthru child must be its parent's only child (the kernel answers EINVAL)",
                )
        ip_kids = sorted((k for k in kids if r.ifaces[k].kind == "ipvlan"), key=c.order)
        if ip_kids:
            head = r.ifaces[ip_kids[0]].spec
            assert isinstance(head, Ipvlan)
            for k in ip_kids[1:]:
                kid = r.ifaces[k].spec
                assert isinstance(kid, Ipvlan)
                if (kid.mode, kid.flag) != (head.mode, head.flag):
                    c.add(
                        (*r.ifaces[k].path, "mode"),
                        "ipvlan-port-mode",
                        f"ipvlan children of {_name(key)} share one mode and flag (they belong to the parent's port): {_name(ip_kids[0])} is {head.mode} {head.flag}, this one is {kid.mode} {kid.flag}",
                    )
        vlans: dict[tuple[str, int], IfKey] = {}
        for k in sorted((k for k in kids if r.ifaces[k].kind == "vlan"), key=c.order):
            vl = r.ifaces[k].spec
            assert isinstance(vl, Vlan)
            vk = (vl.protocol, vl.id)
            if vk in vlans:
                c.add(
                    (*r.ifaces[k].path, "id"),
                    "vlan-duplicate",
                    f"{_name(key)} already has {vl.protocol} VLAN {vl.id} ({_name(vlans[vk])}); the kernel allows one device per parent, protocol and id",
                )
            else:
                vlans[vk] = k
    for i in r.ifaces.values():
        s = i.spec
        mode = getattr(s, "mode", None)
        if isinstance(s, Macvlan | Macvtap):
            if s.source_macs and mode != "source":
                c.add(
                    (*i.path, "source_macs"),
                    "source-macs-mode",
                    f"source_macs only applies to mode source, not {mode}",
                    at_key=True,
                )
            if s.nopromisc and mode != "passthru":
                c.add(
                    (*i.path, "nopromisc"),
                    "nopromisc-mode",
                    f"nopromisc only applies to mode passthru, not {mode}",
                    at_key=True,
                )
            pk = r.parent.get(i.key)
            parent_mac = r.ifaces[pk].mac if pk is not None else None
            if mode == "passthru" and s.mac is not None and s.mac != parent_mac:
                c.add(
                    (*i.path, "mac"),
                    "passthru-mac",
                    f"a passthru child takes its parent's MAC ({parent_mac}; the kernel sets it); set 'mac' on the parent instead",
                    at_key=True,
                )
        pk = r.parent.get(i.key)
        if pk is not None and s.mtu is not None:
            pmtu = r.ifaces[pk].spec.mtu or 1500
            if s.mtu > pmtu:
                c.add(
                    (*i.path, "mtu"),
                    "mtu-exceeds-parent",
                    f"mtu {s.mtu} is larger than parent {_name(pk)}'s {pmtu} (the kernel answers EINVAL)",
                )
        if isinstance(s, Vxlan):
            if s.remote and s.group:
                c.add((*i.path, "group"), "vxlan-remote", "give either remote or group, not both", at_key=True)
            if s.group and not ipaddress.ip_address(s.group).is_multicast:
                c.add((*i.path, "group"), "vxlan-remote", f"group {s.group} is not a multicast address")
            if s.remote and ipaddress.ip_address(s.remote).is_multicast:
                c.add((*i.path, "remote"), "vxlan-remote", f"remote {s.remote} is multicast; use 'group' for that")
            seen = {s.remote} if s.remote else set()
            for n, ip in enumerate(s.remotes):
                if ipaddress.ip_address(ip).is_multicast:
                    c.add((*i.path, "remotes", n), "vxlan-remote", f"remotes entry {ip} is multicast; use 'group'")
                elif ipaddress.ip_address(ip) in {ipaddress.ip_address(x) for x in seen}:
                    c.add(
                        (*i.path, "remotes", n), "vxlan-remote", f"{ip} is already a destination (fdb append: EEXIST)"
                    )
                seen.add(ip)


def rule_cycles(c: _Ctx) -> None:
    r = c.r
    edges: dict[IfKey, list[IfKey]] = {}
    for a, b in [*r.parent.items(), *r.master.items()]:
        edges.setdefault(a, []).append(b)
    state: dict[IfKey, int] = {}
    reported: set[frozenset[IfKey]] = set()

    def dfs(k: IfKey, stack: list[IfKey]) -> None:
        state[k] = 1
        stack.append(k)
        for n in edges.get(k, []):
            if state.get(n) == 1:
                cyc = stack[stack.index(n) :]
                fk = frozenset(cyc)
                if fk not in reported and len(cyc) > 1:
                    reported.add(fk)
                    last = max(cyc, key=c.order)
                    field = "parent" if last in r.parent else "master"
                    c.add((*r.ifaces[last].path, field), "cycle", "cycle: " + " → ".join(_name(x) for x in [*cyc, n]))
            elif state.get(n) is None:
                dfs(n, stack)
        stack.pop()
        state[k] = 2

    for k in r.ifaces:
        if state.get(k) is None:
            dfs(k, [])


def rule_ports(c: _Ctx) -> None:
    for i in c.r.ifaces.values():
        if i.spec.port is not None and i.spec.master is None and i.kind != "nic":
            c.add(
                (*i.path, "port"),
                "port-without-master",
                "'port:' sets bridge-port options; it needs 'master:' (or a nic, whose switch port it configures)",
                at_key=True,
            )


def rule_macs(c: _Ctx) -> None:
    r = c.r
    entries: list[tuple[tuple[int, int], str, str, Path_]] = []
    for i in r.ifaces.values():
        if i.mac_source == "inherited" or i.implicit:
            continue
        path: Path_ = (*i.path, "mac") if i.mac_source == "explicit" else i.path
        entries.append(
            (c.pos.value(path) if i.mac_source == "explicit" else c.pos.key(path), i.mac, _name(i.key), path)
        )
    for g in r.guests.values():
        host = r.ifaces[g.device]
        if g.mac_source == "inherited" or (host.kind == "macvtap" and g.mac == host.mac):
            continue  # a macvtap's guest uses the macvtap's MAC: one station, written twice
        path = (*host.path, "guest", "mac" if g.mac_source == "explicit" else "name")
        entries.append((c.pos.value(path), g.mac, f"guest {g.name}", path))
    seen: dict[tuple[int, str], tuple[str, IfKey | None]] = {}
    for _, mac, who, where in sorted(entries):
        node, _, ifname = who.partition("/")
        dev: IfKey | None = None if who.startswith("guest ") else (node, ifname)
        dom = r.domains[dev] if dev else r.domains[f"guest:{who[6:]}"]
        if (dom, mac) not in seen:
            seen[(dom, mac)] = (who, dev)
            continue
        first, first_dev = seen[(dom, mac)]
        if dev and first_dev and r.master.get(dev, dev) == r.master.get(first_dev, first_dev):
            continue  # a bridge and its ports: their MACs are all the bridge's local FDB entries, one station
            # (the kernel gives a bridge one of its ports' MACs by default)
        c.add(where, "duplicate-mac", f"MAC {mac} of {who} is already used by {first} in the same broadcast domain")


def _connected(addresses: Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_interface(a).network for a in addresses]


def _check_routes(c: _Ctx, path: Path_, routes: Iterable[Route], nets: list, devs: set[str] | None) -> None:
    for n, rt in enumerate(routes):
        if rt.dev is not None and devs is not None and rt.dev not in devs:
            c.add(
                (*path, "routes", n, "dev"), "unresolved-ref", f"route dev {rt.dev!r} is not an interface of this node"
            )
        if rt.via is not None:
            gw = ipaddress.ip_address(rt.via)
            if gw.version == 6 and gw.is_link_local:
                if rt.dev is None:  # the kernel: "Egress device not specified" (kernel-semantics §11)
                    c.add(
                        (*path, "routes", n, "via"),
                        "gateway-unreachable",
                        f"gateway {rt.via} is a link-local address: the route needs 'dev' as well",
                    )
            elif not any(gw in net for net in nets):
                c.add(
                    (*path, "routes", n, "via"),
                    "gateway-unreachable",
                    f"gateway {rt.via} is not on a connected subnet of this node",
                )
        if rt.via is None and rt.dev is None:
            c.add((*path, "routes", n), "gateway-unreachable", "a route needs 'via', 'dev' or both")


def _check_route_exists(c: _Ctx, node: str, routes: Iterable[Route]) -> None:
    """`ip route add` refuses a route with the destination and metric of one already in the
    table, whatever its device or gateway ("File exists", kernel-semantics "Routes the kernel
    derives"). A route identical to one the kernel made from an address is a no-op, not a clash."""
    kernel = kernel_routes(c.r, node)
    seen: dict[RouteKey, int] = {}
    for n, rt in enumerate(routes):
        key = route_key(rt.to, rt.via, rt.metric)
        metric = key[2]
        what = f"route to {rt.to} (metric {metric})"
        found = compare(rt, kernel)
        if found is not None and found[0] == "same":
            continue
        if found is not None:
            c.add(
                ("nodes", node, "routes", n),
                "route-exists",
                f"{what} clashes with the route the kernel makes from an address, {found[1].describe()}:"
                " the kernel refuses a second route with the same destination and metric (File exists);"
                f" give it another metric, or write the kernel's route exactly (dev {found[1].dev}, no via)",
            )
        elif key in seen:
            c.add(
                ("nodes", node, "routes", n),
                "route-exists",
                f"{what} has the destination and metric of routes[{seen[key]}]: the kernel refuses a second"
                " route with the same destination and metric (File exists); give one of them another metric",
            )
        else:
            seen[key] = n


def rule_routes(c: _Ctx) -> None:
    r = c.r
    for node, n in r.lab.nodes.items():
        if not n.routes and not n.neighbors:
            continue  # most nodes of a big lab: nothing to look up
        devs = {i.name for i in r.node_ifaces(node)} | {"lo"}
        down = {i.name for i in r.node_ifaces(node) if not i.spec.up}
        nets = []
        if any(rt.via is not None for rt in n.routes):
            # a device that is down has no prefix route: its subnets reach no gateway
            nets = _connected(a for i in r.node_ifaces(node) if i.spec.up for a in i.spec.addresses)
        _check_routes(c, ("nodes", node), n.routes, nets, devs)
        for j, rt in enumerate(n.routes):
            if rt.dev is not None and rt.dev in down:
                c.add(
                    ("nodes", node, "routes", j, "dev"),
                    "route-dev-down",
                    f"route to {rt.to} uses {rt.dev}, which is down (up: false): the kernel refuses a route"
                    ' through a device that is not up ("Device for nexthop is not up", ENETDOWN)',
                )
        _check_route_exists(c, node, n.routes)
        for j, rt in enumerate(n.routes):
            six = ":" in rt.to or (rt.via is not None and ":" in rt.via)
            if six and rt.dev is not None and _mtu_below_ipv6(r, node, rt.dev):
                c.add(
                    ("nodes", node, "routes", j, "dev"),
                    "ipv6-mtu",
                    f"route to {rt.to} uses {rt.dev}, whose MTU is below 1280: IPv6 is off there "
                    "(the kernel answers ENODEV)",
                )
        for j, nb in enumerate(n.neighbors):
            if ":" in nb.address and nb.dev is not None and _mtu_below_ipv6(r, node, nb.dev):
                c.add(
                    ("nodes", node, "neighbors", j, "dev"),
                    "ipv6-mtu",
                    f"neighbour {nb.address} on {nb.dev}, whose MTU is below 1280: IPv6 is off there "
                    '(the kernel answers "IPv6 is disabled on this device")',
                )
        given: dict[tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, str], int] = {}
        for j, nb in enumerate(n.neighbors):
            if nb.dev is not None:
                key = (ipaddress.ip_address(nb.address), nb.dev)
                if key in given:
                    c.add(
                        ("nodes", node, "neighbors", j),
                        "neighbor-exists",
                        f"a static neighbour for {nb.address} on {nb.dev} is already given (neighbors[{given[key]}]):"
                        " the kernel refuses a second entry for one address on one device, even an identical one"
                        " (ip neigh add: File exists)",
                    )
                else:
                    given[key] = j
            if nb.dev is None:
                c.add(("nodes", node, "neighbors", j), "neighbor-dev", "a static neighbour needs 'dev'", at_key=True)
            elif nb.dev not in devs:
                c.add(
                    ("nodes", node, "neighbors", j, "dev"),
                    "unresolved-ref",
                    f"neighbour dev {nb.dev!r} is not an interface of this node",
                )
    for g in r.guests.values():
        path = (*r.ifaces[g.device].path, "guest")
        _check_routes(c, path, g.guest.routes, _connected(g.guest.addresses), None)


def rule_expect(c: _Ctx) -> None:
    r = c.r
    endpoints = set(r.lab.nodes) | set(r.guests)
    for n, e in enumerate(r.lab.expect):
        if e.from_ not in endpoints:
            c.add(
                ("expect", n, "from"),
                "expect-target",
                f"from {e.from_!r} is not a node or guest{c.hint(e.from_, endpoints)}",
            )
        if e.to not in endpoints:
            try:
                ipaddress.ip_address(e.to)
            except ValueError:
                c.add(
                    ("expect", n, "to"),
                    "expect-target",
                    f"to {e.to!r} is neither a node, a guest nor an IP address{c.hint(e.to, endpoints)}",
                )
        if e.proto == "icmp" and e.port is not None:
            c.add(("expect", n, "port"), "expect-port", "'port' needs proto tcp or udp (an echo request has no port)")
        elif e.proto != "icmp" and e.port is None:
            c.add(("expect", n), "expect-port", f"proto {e.proto} needs a 'port' (1..65535)", at_key=True)
        elif e.port is not None and not 1 <= e.port <= 65535:
            c.add(("expect", n, "port"), "expect-port", f"port {e.port} is not in 1..65535")
        if e.answered_by is not None and e.answered_by not in endpoints:
            c.add(
                ("expect", n, "answered_by"),
                "expect-answered-by",
                f"answered_by {e.answered_by!r} is not a node or guest{c.hint(e.answered_by, endpoints)}",
            )


# -- what the kernel refuses, or accepts and then does something else with ----------


def _ifname_path(c: _Ctx, i: Iface) -> tuple[Path_, bool]:
    """Where an interface's name is written: its key, or the peer field that implies it."""
    if i.implicit and i.key in c.r.peer:
        return (*c.r.ifaces[c.r.peer[i.key]].path, "peer"), False
    return i.path, True


def rule_ifnames(c: _Ctx) -> None:
    """Names dev_valid_name() lets through but that do not make the device the lab names."""
    for i in c.r.ifaces.values():
        name = i.name
        path, at_key = _ifname_path(c, i)
        problem = ifname_rule(name)
        if problem:
            c.add(path, problem[0], problem[1], at_key=at_key)


def rule_sysctl(c: _Ctx) -> None:
    """Only per-namespace net.* keys (model/sysctls.py), well formed, with plain values."""
    for node, n in c.r.lab.nodes.items():
        devs = set(c.names(node)) | {"lo"}
        for key, value in n.sysctl.items():
            path = ("nodes", node, "sysctl", key)
            if not sysctls.well_formed(key):
                c.add(
                    path,
                    "sysctl-key",
                    f"sysctl key {key!r} is not a dotted name of letters, digits, '_' and '-'",
                    at_key=True,
                )
                continue
            verdict, dev = sysctls.classify(key)
            if verdict == "not-netns":
                c.add(
                    path,
                    "sysctl-not-netns",
                    f"sysctl {key} is not a setting of the node's network namespace "
                    "(only per-namespace net.* keys can be set: anything else is machine-wide)",
                    at_key=True,
                )
            elif verdict == "dotted-dev":
                c.add(
                    path,
                    "sysctl-key",
                    f"sysctl {key}: an interface name with a dot ({dev!r}) cannot be written in a dotted sysctl key",
                    at_key=True,
                )
            elif dev is not None and dev not in devs:
                c.add(
                    path,
                    "sysctl-key",
                    f"sysctl {key}: node {node!r} has no interface {dev!r}{c.hint(dev, devs)}",
                    at_key=True,
                )
            elif dev is not None and key.startswith("net.ipv6.conf.") and _mtu_below_ipv6(c.r, node, dev):
                c.add(
                    path,
                    "ipv6-mtu",
                    f"sysctl {key}: {dev} has an MTU below 1280, so no IPv6 and no net.ipv6.conf.{dev} "
                    "(the kernel has no such file)",
                    at_key=True,
                )
            problem = sysctls.value_problem(value)
            if problem:
                c.add(path, "sysctl-value", f"sysctl {key}: {problem}")


def _mtu_below_ipv6(r: Resolved, node: str, dev: str) -> bool:
    i = r.ifaces.get((node, dev))
    return i is not None and not i.implicit and effective_mtu(r, i) < 1280


def effective_mtu(r: Resolved, i: Iface) -> int:
    """The MTU the kernel gives ``i`` when `up` makes it: its `mtu:`, else 1500, except a
    VXLAN device with a lower (`dev`): at most the lower's MTU minus 50 (IPv4 underlay) or
    70 (IPv6), which is also what it gets without `mtu:` (vxlan_config_apply: a larger
    `mtu` is clamped without an error; kernel-semantics §11.14, 11b_vxlan6_underlay.sh)."""
    s = i.spec
    if isinstance(s, Vxlan) and s.dev is not None:
        low = r.ifaces.get((i.node, s.dev))
        if low is not None and not low.implicit:
            v6 = any(x is not None and ":" in x for x in (s.remote, s.group, s.local))
            top = max((low.spec.mtu or 1500) - (70 if v6 else 50), 68)
            return min(s.mtu or top, top)
    return s.mtu or 1500


def _address_problem(cidr: str) -> str | None:
    iface = ipaddress.ip_interface(cidr)
    ip = iface.ip
    if iface.network.prefixlen == 0:
        return "a prefix length of 0 makes no connected route (the kernel adds the address alone)"
    if ip.is_multicast and ip.version == 6:
        return "it is a multicast address (the kernel refuses it without IFA_F_MCAUTOJOIN)"
    if ip.is_multicast:
        return "it is a multicast address (the kernel assigns it but adds no route to it)"
    if ip.version == 4 and ip == ipaddress.IPv4Address("255.255.255.255"):
        return "it is the limited broadcast address"
    if ip.version == 4 and ip in ipaddress.IPv4Network("0.0.0.0/8"):
        return "0.0.0.0/8 is 'this network' (0.0.0.0 is silently not assigned, the rest get no route)"
    if ip.version == 6 and ip.is_unspecified:
        return "it is the unspecified address (the kernel answers EINVAL)"
    if ip.version == 6 and ip.is_loopback:
        return "::1 belongs to lo only (the kernel refuses it on other devices)"
    return None


def rule_addresses(c: _Ctx) -> None:
    r = c.r
    owners: list[tuple[Path_, tuple[str, ...], int | None]] = []
    derived: dict[Path_, str] = {}
    for name, sw in r.lab.switches.items():
        owners.append((("switches", name), sw.addresses, None))
    for i in r.ifaces.values():
        if not i.implicit:
            eff = effective_mtu(r, i)
            owners.append((i.path, i.spec.addresses, eff))
            if eff != (i.spec.mtu or 1500):
                low = getattr(i.spec, "dev", None)
                derived[i.path] = f" (a VXLAN device's MTU is at most its lower {low}'s minus 50, 70 over IPv6)"
    for g in r.guests.values():
        owners.append(((*r.ifaces[g.device].path, "guest"), g.guest.addresses, None))
    for path, addresses, mtu in owners:
        for n, a in enumerate(addresses):
            problem = _address_problem(a)
            if problem:
                c.add((*path, "addresses", n), "host-address", f"{a} cannot be a host address: {problem}")
            elif mtu is not None and mtu < 1280 and ":" in a:
                c.add(
                    (*path, "addresses", n),
                    "ipv6-mtu",
                    f"{a}: IPv6 needs an MTU of at least 1280, this device has {mtu}{derived.get(path, '')}"
                    " (the kernel answers EINVAL)",
                )


def rule_ipv6_duplicate(c: _Ctx) -> None:
    """An IPv6 address on two interfaces of one broadcast domain: both would run DAD
    together when the lab comes up, and the kernel fails a random one of them
    (docs/kernel-semantics.md §11, V2.7), so no backend could promise a verdict."""
    r = c.r
    entries: list[tuple[tuple[int, int], object, str, Path_, str]] = []
    for name, sw in r.lab.switches.items():
        for n, a in enumerate(sw.addresses):
            if ":" in a:
                path: Path_ = ("switches", name, "addresses", n)
                entries.append((c.pos.value(path), r.domains.get(f"switch:{name}"), f"switch {name}", path, a))
    for i in r.ifaces.values():
        if i.implicit:
            continue
        for n, a in enumerate(i.spec.addresses):
            if ":" in a:
                path = (*i.path, "addresses", n)
                entries.append((c.pos.value(path), r.domains.get(i.key), _name(i.key), path, a))
    seen: dict[tuple[object, ipaddress.IPv6Address], str] = {}
    for _, dom, who, path, cidr in sorted(entries, key=lambda e: e[0]):
        ip = ipaddress.IPv6Interface(cidr).ip
        if (dom, ip) in seen:
            c.add(
                path,
                "ipv6-duplicate",
                f"IPv6 address {ip} of {who} is already on {seen[(dom, ip)]} in the same broadcast domain "
                "(Duplicate Address Detection would fail one of them at random)",
            )
        else:
            seen[(dom, ip)] = who


def rule_mtu_max(c: _Ctx) -> None:
    for i in c.r.ifaces.values():
        top = i.spec.MAX_MTU
        if i.spec.mtu is not None and i.spec.mtu > top:
            c.add(
                (*i.path, "mtu"),
                "mtu-max",
                f"mtu {i.spec.mtu} is above a {i.kind}'s maximum {top} (the kernel answers EINVAL)",
            )


#: BR_MAX_PORTS is 1024 and port number 0 is reserved: the 1,024th port gets EXFULL
BRIDGE_MAX_PORTS = 1023


def rule_bridge_ports(c: _Ctx) -> None:
    r = c.r
    for br, ports in r.ports.items():
        if len(ports) > BRIDGE_MAX_PORTS:
            for k in sorted(ports, key=c.order)[BRIDGE_MAX_PORTS:]:
                c.add(
                    (*r.ifaces[k].path, "master"),
                    "bridge-ports",
                    f"bridge {_name(br)} already has {BRIDGE_MAX_PORTS} ports, the kernel's maximum (EXFULL)",
                )
    for sw, nics in r.switch_ports.items():
        for k in nics[BRIDGE_MAX_PORTS:]:
            c.add(
                (*r.ifaces[k].path, "switch"),
                "bridge-ports",
                f"switch {sw} already has {BRIDGE_MAX_PORTS} ports, the most a kernel bridge takes (EXFULL)",
            )


def rule_nftables(c: _Ctx) -> None:
    """A node's ruleset: no include, not too large (vnetlab's), then nft's own check
    (run in a throw-away user+network namespace: see vnetlab.nft), each problem at
    its line inside the YAML block."""
    if all(n.nftables is None for n in c.r.lab.nodes.values()):
        return  # no ruleset: nft (and subprocess) are not even imported
    from . import nft
    from .errors import EnvironmentProblem

    for node, n in c.r.lab.nodes.items():
        if n.nftables is None:
            continue
        path = ("nodes", node, "nftables")
        try:
            found = nft.problems(n.nftables, nft.node_ifnames(c.r, node))
        except nft.NftUnavailable as e:
            raise EnvironmentProblem(f"cannot check node {node}'s nftables ruleset: {e}") from None
        block = c.pos.blocks.get(path)
        for p in found:
            if block is not None:
                line, col = block[0] + p.line - 1, block[1] + p.col - 1
            else:  # a quoted or folded string: its lines are not the file's
                line, col = c.pos.value(path)
            c.issues.append(Issue(c.pos.file, line, col, p.rule, f"node {node}: {p.message}"))


RULES = [
    rule_names,
    rule_refs,
    rule_rx_handler,
    rule_modes,
    rule_cycles,
    rule_ports,
    rule_macs,
    rule_routes,
    rule_expect,
    rule_ifnames,
    rule_sysctl,
    rule_addresses,
    rule_ipv6_duplicate,
    rule_mtu_max,
    rule_bridge_ports,
    rule_nftables,
]
