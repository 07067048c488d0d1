"""Resolved lab → World: devices, switches, stacks, guests, in the kernel backend's order.

Parents are made before children, both ends of a veth are paired, switch
ports are enslaved in the order their nics appear, and each node's stack
gets its addresses, routes and static neighbours.
"""

from __future__ import annotations

import ipaddress
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..model.derive import derived_mac, switch_bridge_name, switch_port_name
from ..plan.order import creation_order
from ..resolve import Iface, IfKey, Resolved
from .kinds import SIM_KINDS
from .kinds._common import D
from .kinds.bridge import BridgeDev
from .kinds.tuntap import GuestNic
from .kinds.veth import VethDev, pair
from .stack import Stack, guest_stack
from .world import Device, World

if TYPE_CHECKING:
    from .ipv6 import DadOutcome


def _vids(vlans: tuple[int | str, ...]) -> frozenset[int]:
    out: set[int] = set()
    for v in vlans:
        if isinstance(v, int):
            out.add(v)
        else:
            a, b = v.split("-")
            out.update(range(int(a), int(b) + 1))
    return frozenset(out)


def _enslave(br: BridgeDev, dev: Device, opts: Any, hairpin: bool = False) -> None:
    """Make ``dev`` a port of ``br`` with the lab's port options (or the defaults)."""
    br.add_port(
        dev,
        hairpin=hairpin or bool(opts and opts.hairpin),
        learning=opts.learning if opts else True,
        flood=opts.flood if opts else True,
        pvid=opts.pvid if opts else None,
        vlans=_vids(opts.vlans) if opts else frozenset(),
        untagged=opts.untagged if opts else True,
    )


@dataclass
class Fixed:
    """What a lab fixes for every world built from it, worked out once per ``Resolved``
    (``fixed``): a trace builds three worlds, a matrix two, from one."""

    #: each interface's place in the kernel backend's creation order (plan.build.creation_order)
    made: dict[IfKey, int]
    #: IPv6: each namespace's netdev list order (ipv6.netdev_order; None: no IPv6 in the lab)
    netdev: dict[str, dict[str, int]] | None
    #: and what duplicate address detection left (set by the first build)
    dad: DadOutcome | None = field(default=None)
    #: IPv6: where a node has one prefix on two devices, the order its prefix routes enter
    #: the table in as `up` builds it, by node → (device, address, prefix length) (the kernel
    #: takes the oldest of equal routes: plan.order.Replay6, kernel-semantics §11.11)
    prefix_rank: dict[str, dict[tuple[str, int, int], int]] = field(default_factory=dict)


_FIXED: dict[int, Fixed] = {}


def fixed(r: Resolved) -> Fixed:
    """``r``'s ``Fixed``, kept while ``r`` lives (by identity: a Resolved is not hashable)."""
    f = _FIXED.get(id(r))
    if f is None:
        netdev = None
        if r.uses_v6:
            from .ipv6 import netdev_order

            netdev = netdev_order(r)
        f = _FIXED[id(r)] = Fixed({k: n for n, k in enumerate(creation_order(r))}, netdev)
        if netdev is not None and _prefix_on_two_devices(r):
            from ..plan.order import Replay6

            f.prefix_rank = Replay6.fresh(r, netdev).prefix_rank()
        weakref.finalize(r, _FIXED.pop, id(r), None)
    return f


def _prefix_on_two_devices(r: Resolved) -> bool:
    """Whether a node has one IPv6 prefix on two of its devices (then the order of their
    equal prefix routes decides which one its packets take)."""
    seen: set[tuple[str, ipaddress.IPv6Network]] = set()
    for (node, _), i in r.ifaces.items():
        nets = {ipaddress.IPv6Interface(a).network for a in i.spec.addresses if ":" in a}
        for net in nets:
            if net.prefixlen < 128 and (node, net) in seen:
                return True
        seen.update((node, net) for net in nets)
    return False


class Builder:
    def __init__(self, r: Resolved):
        self.r = r
        self.fixed = fixed(r)
        self.world = World()
        self.stacks: dict[str, Stack] = {}
        self.devs: dict[IfKey, Device] = {}
        self.switches: dict[str, BridgeDev] = {}
        self.guest_stacks: dict[str, Stack] = {}

    def plain(self, cls: type[D], iface: Iface, **kw: Any) -> D:
        mac = kw.pop("mac", iface.mac)
        return cls(self.world, iface.node, iface.name, mac, up=iface.spec.up, mtu=iface.spec.mtu or 1500, **kw)

    def device_of(self, key: IfKey) -> Device:
        dev = self.devs.get(key)
        if dev is None:
            i = self.r.ifaces[key]
            dev = SIM_KINDS[i.kind](self, i)
            self.devs[key] = dev
            self.stacks[i.node].add_device(dev)
        return dev

    def build(self) -> World:
        r, lab, w = self.r, self.r.lab, self.world
        for node, n in lab.nodes.items():
            self.stacks[node] = w.stacks[node] = Stack(w, node, dict(n.sysctl))
        for sw, spec in lab.switches.items():
            st = self.stacks[sw] = w.stacks[sw] = Stack(w, sw)
            br = BridgeDev(
                w,
                sw,
                switch_bridge_name(),
                derived_mac(lab.lab, sw, switch_bridge_name()),
                vlan_filtering=spec.vlan_filtering,
            )
            st.add_device(br)
            self.switches[sw] = br
            for a in spec.addresses:
                st.add_address(br, a)
        for key in r.ifaces:
            self.device_of(key)
        for ka, kb in r.peer.items():
            da, db = self.devs[ka], self.devs[kb]
            assert isinstance(da, VethDev) and isinstance(db, VethDev)
            pair(da, db)
        # switch ports are enslaved as the kernel backend makes them: each with its
        # nic's link step (plan order: parents first), which sets the flood order
        made = self.fixed.made
        for sw, nics in r.switch_ports.items():
            br = self.switches[sw]
            ports = []
            for idx, k in enumerate(nics):
                name = switch_port_name(idx)
                port = VethDev(w, sw, name, derived_mac(lab.lab, sw, name))
                self.stacks[sw].add_device(port)
                nic = self.devs[k]
                assert isinstance(nic, VethDev)
                pair(nic, port)
                ports.append((made.get(k, idx), port, k))
            for _, port, k in sorted(ports, key=lambda x: x[0]):
                _enslave(br, port, r.ifaces[k].spec.port, lab.switches[sw].hairpin)
        for k, m in r.master.items():
            master = self.devs[m]
            assert isinstance(master, BridgeDev)
            i = r.ifaces[k]
            opts = i.spec.port if k not in r.switch_of else None  # a nic's port options are its switch's
            _enslave(master, self.devs[k], opts)
        for key, i in r.ifaces.items():
            for a in i.spec.addresses:
                self.stacks[i.node].add_address(self.devs[key], a)
        for node, n in lab.nodes.items():
            st = self.stacks[node]
            for rt in n.routes:
                dev = self.devs.get((node, rt.dev)) if rt.dev else None
                st.add_route(rt.to, rt.via, dev, rt.metric)
            for nb in n.neighbors:
                if nb.dev and (node, nb.dev) in self.devs:
                    st.add_neighbor(self.devs[(node, nb.dev)], nb.address, nb.lladdr)
        for g in r.guests.values():
            host = self.devs[g.device]
            gnic = GuestNic(w, g.name, "eth0", g.mac, host=host)
            gs = guest_stack(w, g.guest, gnic)
            host.guest_nic = gnic
            self.guest_stacks[g.name] = w.stacks[g.name] = gs
        netdev = self.fixed.netdev
        if netdev is not None:  # IPv6 on in every namespace of a lab with an IPv6 address
            for st in w.stacks.values():
                st.enable_ipv6()
                if st.v6 is not None and st.name in self.fixed.prefix_rank:
                    st.v6.prefix_rank = self.fixed.prefix_rank[st.name]
        for st in w.stacks.values():
            st.finalize()
        w.freeze()
        for dev in self.devs.values():
            if dev.ipvlan_port is not None:
                dev.ipvlan_port.index()
        if netdev is not None:
            from .ipv6 import dad

            self.fixed.dad = dad(w, netdev, self.fixed.dad)
        return w
