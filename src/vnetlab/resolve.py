"""Lab → Resolved: references bound, the device graph, MACs, broadcast domains.

Computed once, pure, and tolerant: a reference that does not resolve is left
out of the graph (``check`` reports it), so the checker can run on a broken
lab and the backends can rely on a checked one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from .model import Guest, InterfaceBase, Lab
from .model.derive import derived_mac, netns_name, switch_port_name
from .model.kinds import CHILD_KINDS, Veth, Vlan

IfKey = tuple[str, str]  # (node, ifname)


def split_ref(ref: str, node: str) -> IfKey:
    """``ifname`` or ``node/ifname`` as seen from ``node``."""
    if "/" in ref:
        n, i = ref.split("/", 1)
        return (n, i)
    return (node, ref)


@dataclass(frozen=True)
class Iface:
    """One interface of the lab with everything derived about it."""

    node: str
    name: str
    spec: InterfaceBase
    mac: str
    #: "explicit", "derived" or "inherited" (shares a parent's MAC by design)
    mac_source: str
    #: True for a veth end that only its peer declares
    implicit: bool = False

    @property
    def key(self) -> IfKey:
        return (self.node, self.name)

    @property
    def kind(self) -> str:
        return self.spec.kind  # type: ignore[attr-defined]  # each kind class declares kind (a Literal), the base does not

    @property
    def path(self) -> tuple[str, ...]:
        return ("nodes", self.node, "interfaces", self.name)


@dataclass(frozen=True)
class GuestInfo:
    guest: Guest
    device: IfKey
    mac: str
    mac_source: str

    @property
    def name(self) -> str:
        return self.guest.name


@dataclass
class Resolved:
    """The lab's device graph. Keys are (node, ifname)."""

    lab: Lab
    ifaces: dict[IfKey, Iface] = field(default_factory=dict)
    peer: dict[IfKey, IfKey] = field(default_factory=dict)
    parent: dict[IfKey, IfKey] = field(default_factory=dict)
    master: dict[IfKey, IfKey] = field(default_factory=dict)
    switch_of: dict[IfKey, str] = field(default_factory=dict)
    guests: dict[str, GuestInfo] = field(default_factory=dict)

    @cached_property
    def children(self) -> dict[IfKey, list[IfKey]]:
        out: dict[IfKey, list[IfKey]] = {}
        for c, p in self.parent.items():
            out.setdefault(p, []).append(c)
        return out

    @cached_property
    def ports(self) -> dict[IfKey, list[IfKey]]:
        out: dict[IfKey, list[IfKey]] = {}
        for p, m in self.master.items():
            out.setdefault(m, []).append(p)
        return out

    @cached_property
    def switch_ports(self) -> dict[str, list[IfKey]]:
        """Nics cabled to each switch, in file order (that is port order)."""
        out: dict[str, list[IfKey]] = {s: [] for s in self.lab.switches}
        for k, s in self.switch_of.items():
            out.setdefault(s, []).append(k)
        return out

    @cached_property
    def _port_index(self) -> dict[IfKey, int]:
        """Each cabled nic's position on its switch (``switch_ports`` order), looked up once
        per nic by the plan and the simulator: a list's ``index`` made the plan quadratic."""
        return {k: i for ports in self.switch_ports.values() for i, k in enumerate(ports)}

    def switch_port_name(self, nic: IfKey) -> str:
        return switch_port_name(self._port_index[nic])

    def netns(self, node: str) -> str:
        return netns_name(self.lab.lab, node)

    def node_ifaces(self, node: str) -> list[Iface]:
        """The interfaces of ``node``, in file order (an index: one pass over the lab, not one per call)."""
        index = self._node_keys
        if index[0] != len(self.ifaces):  # rebuilt if interfaces were added since
            index = self.__dict__["_node_keys"] = _index_by_node(self.ifaces)
        return [self.ifaces[k] for k in index[1].get(node, ())]

    @cached_property
    def uses_v6(self) -> bool:
        """Whether the lab has any IPv6 address (an interface's, a switch's or a guest's): then IPv6
        is on in every namespace and guest (spec, IPv6), on the kernel and in the simulator (which
        loads sim.ipv6)."""
        return (
            any(":" in a for i in self.ifaces.values() for a in i.spec.addresses)
            or any(":" in a for sw in self.lab.switches.values() for a in sw.addresses)
            or any(":" in a for g in self.guests.values() for a in g.guest.addresses)
        )

    @cached_property
    def _node_keys(self) -> tuple[int, dict[str, list[IfKey]]]:
        return _index_by_node(self.ifaces)

    @cached_property
    def domains(self) -> dict[IfKey | str, int]:
        """Broadcast domain id of every interface, guest ("guest:NAME") and switch ("switch:NAME")."""
        uf: dict[object, object] = {}

        def find(x: object) -> object:
            uf.setdefault(x, x)
            while uf[x] != x:
                uf[x] = uf[uf[x]]
                x = uf[x]
            return x

        def union(a: object, b: object) -> None:
            uf[find(a)] = find(b)

        for k in self.ifaces:
            find(k)
        for a, b in self.peer.items():
            union(a, b)
        vlans: dict[IfKey, tuple[IfKey, str, int]] = {}
        for c, p in self.parent.items():
            spec = self.ifaces[c].spec
            if isinstance(spec, Vlan):
                vlans[c] = (p, spec.protocol, spec.id)
            else:
                union(c, p)
        for p, m in self.master.items():
            union(p, m)
        for k, s in self.switch_of.items():
            union(k, f"switch:{s}")
        for g in self.guests.values():
            union(f"guest:{g.name}", g.device)
        # A vlan device is not in its parent's domain but in that VLAN of it: vlan
        # devices with one protocol and id over one domain share a domain. Joining
        # can merge parents' domains, so repeat until nothing changes.
        while vlans:
            before = len({find(x) for x in list(uf)})
            for c, (p, proto, vid) in vlans.items():
                union(c, ("vlan", find(p), proto, vid))
            tags: dict[tuple[object, str, int], object] = {}
            for c, (p, proto, vid) in vlans.items():
                t = (find(p), proto, vid)
                if t in tags:
                    union(c, tags[t])
                else:
                    tags[t] = c
            if len({find(x) for x in list(uf)}) == before:
                break
        roots: dict[object, int] = {}
        out: dict[IfKey | str, int] = {}
        for x in list(uf):
            if isinstance(x, tuple) and len(x) == 4:
                continue  # a VLAN's own union-find node, not an object of the lab
            out[x] = roots.setdefault(find(x), len(roots))  # type: ignore[index]  # x: an interface key or "guest:NAME"
        return out


def _index_by_node(ifaces: dict[IfKey, Iface]) -> tuple[int, dict[str, list[IfKey]]]:
    out: dict[str, list[IfKey]] = {}
    for k in ifaces:
        out.setdefault(k[0], []).append(k)
    return len(ifaces), out


def resolve(lab: Lab) -> Resolved:
    # One pass per step, attribute reads through __dict__ (a missing field of a
    # pydantic model costs an exception): 50,000 interfaces resolve in a blink.
    r = Resolved(lab)
    nodes = lab.nodes
    declared: dict[IfKey, InterfaceBase] = {}
    for node, n in nodes.items():
        for name, spec in n.interfaces.items():
            declared[(node, name)] = spec
    # implicit veth ends: declared only by their peer
    implicit: dict[IfKey, InterfaceBase] = {}
    for key, spec in declared.items():
        if isinstance(spec, Veth):
            pk = split_ref(spec.peer, key[0])
            if pk not in declared and pk[0] in nodes and pk not in implicit:
                implicit[pk] = Veth(kind="veth", peer=f"{key[0]}/{key[1]}")
    everything = [*declared.items(), *implicit.items()]
    # MACs: own first, then inherited ones (parents before children)
    ifaces = r.ifaces
    labname = lab.lab
    for key, spec in everything:
        if spec.mac:
            mac, src = spec.mac, "explicit"
        else:
            mac, src = derived_mac(labname, key[0], key[1]), "derived"
        ifaces[key] = Iface(key[0], key[1], spec, mac, src, key in implicit)
    switches = lab.switches
    peer, parent, master, switch_of = r.peer, r.parent, r.master, r.switch_of
    for key, spec in everything:
        node = key[0]
        fields = spec.__dict__
        kind = fields["kind"]
        if kind == "veth":
            pk = split_ref(fields["peer"], node)
            if pk in ifaces and isinstance(ifaces[pk].spec, Veth):
                peer[key] = pk
        elif kind in CHILD_KINDS:
            pk = split_ref(fields["parent"], node)
            if pk in ifaces and pk != key:
                parent[key] = pk
        m = fields["master"]
        if m is not None and m != key[1] and (node, m) in ifaces:
            master[key] = (node, m)
        if kind == "nic" and fields["switch"] in switches:
            switch_of[key] = fields["switch"]
    # inherited MACs follow the parent chain (a vlan on a passthru child, …)
    if parent:
        for key in _parents_first(r):
            pkey = parent.get(key)
            if pkey is None:
                continue
            i = ifaces[key]
            fields = i.spec.__dict__
            kind = fields["kind"]
            if kind == "ipvlan" or fields.get("mode") == "passthru" or (kind == "vlan" and fields["mac"] is None):
                ifaces[key] = Iface(i.node, i.name, i.spec, ifaces[pkey].mac, "inherited", i.implicit)
    for key, i in ifaces.items():
        g = i.spec.__dict__.get("guest")
        if g is None:
            continue
        if g.mac:
            mac, src = g.mac, "explicit"
        elif i.kind == "macvtap":
            mac, src = i.mac, "inherited"
        else:
            mac, src = derived_mac(labname, g.name, "eth0"), "derived"
        r.guests[g.name] = GuestInfo(g, key, mac, src)
    return r


def _parents_first(r: Resolved) -> list[IfKey]:
    order: list[IfKey] = []
    seen: set[IfKey] = set()

    def visit(k: IfKey, depth: int = 0) -> None:
        if k in seen or depth > 64:
            return
        p = r.parent.get(k)
        if p is not None:
            visit(p, depth + 1)
        if k not in seen:
            seen.add(k)
            order.append(k)

    for k in r.ifaces:
        visit(k)
    return order
