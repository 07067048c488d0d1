"""Resolved lab → ordered steps, in the order the format prescribes.

Namespaces first (switches, then nodes, as they appear); each switch's
bridge; interfaces in file order with parents before children and both ends
of a veth in one step (created in place in their namespaces); bridge ports
in the order their devices appear; a node's sysctl once its interfaces exist
and before its addresses; links up (parents first, then lo); routes in order (but
those identical to a route the kernel made from an address: plan/routes.py);
static neighbours; each node's nftables ruleset last. Every MAC is explicit except where the kernel
decides it (ipvlan children, passthru children and vlan devices inherit).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..model.derive import derived_mac, switch_bridge_name
from ..model.kinds import Bridge
from ..model.kinds.bridge import BridgeLink
from ..resolve import Iface, Resolved
from .order import creation_order
from .routes import is_kernel_made, kernel_routes
from .steps import AddrSpec, LinkSpec, NeighSpec, NetnsSpec, NftSpec, PortSpec, RouteSpec, Step, SysctlSpec


def _port(master: str, port: Any, hairpin: bool = False, default_pvid: int | None = None) -> PortSpec:
    """A port step's spec. A port with VLAN settings replaces the membership the
    kernel gave it (the bridge's default PVID) with its own; its PVID defaults to that one."""
    spec = PortSpec(master, hairpin=hairpin or (port is not None and port.hairpin))
    if port is not None:
        spec = replace(
            spec,
            learning=port.learning,
            flood=port.flood,
            pvid=port.pvid,
            untagged=port.untagged,
            vlans=tuple(port.vlans),
            pvid_given=port.pvid is not None,
        )
    if default_pvid is not None and (spec.pvid is not None or spec.vlans or not spec.untagged):
        spec = replace(spec, pvid=spec.pvid if spec.pvid is not None else default_pvid, default_pvid=default_pvid)
    return spec


def _link(r: Resolved, i: Iface, alias: str) -> LinkSpec:
    s = i.spec
    p = r.parent.get(i.key)
    return LinkSpec(
        i.kind,
        mac=i.mac if i.mac_source != "inherited" and type(s).ETHERNET else None,  # an L3 device (tun) has no MAC
        mtu=s.mtu,
        parent=p[1] if p is not None else None,
        parent_ns=p[0] if p is not None else None,
        fields=s.link_fields(),
        alias=alias,
    )


def build_plan(r: Resolved) -> list[Step]:
    lab = r.lab
    steps: list[Step] = []
    alias = f"vnetlab:{lab.lab}"
    for sw in lab.switches:
        steps.append(Step("netns", sw, sw, NetnsSpec(r.netns(sw), f"{alias}:{sw}")))
    for node in lab.nodes:
        steps.append(Step("netns", node, node, NetnsSpec(r.netns(node), f"{alias}:{node}")))
    ups: list[tuple[str, str]] = []
    for sw, spec in lab.switches.items():
        br = switch_bridge_name()
        bridge = LinkSpec(
            "bridge", mac=derived_mac(lab.lab, sw, br), fields=BridgeLink(spec.vlan_filtering, False), alias=alias
        )
        steps.append(Step("link", sw, br, bridge))
        ups.append((sw, br))
    for key in creation_order(r):
        i = r.ifaces[key]
        link = _link(r, i, alias)
        on = r.switch_of.get(key)
        if on is not None:  # a nic: a veth whose peer is its switch port
            pname = r.switch_port_name(key)
            link = replace(link, peer=pname, peer_ns=on, peer_mac=derived_mac(lab.lab, on, pname))
        elif key in r.peer:  # a veth: both ends in one step
            pk = r.peer[key]
            peer = r.ifaces[pk]
            link = replace(link, peer=pk[1], peer_ns=pk[0], peer_mac=peer.mac, peer_mtu=peer.spec.mtu)
            if peer.spec.up:
                ups.append(pk)
        steps.append(Step("link", i.node, i.name, link))
        if i.spec.up:
            ups.append(key)
        if on is not None:
            ups.append((on, pname))
    # ports: switch ports in nic order, then bridges' ports in file order
    for sw, nics in r.switch_ports.items():
        for k in nics:
            port = _port(switch_bridge_name(), r.ifaces[k].spec.port, lab.switches[sw].hairpin, 1)
            steps.append(Step("port", sw, r.switch_port_name(k), port))
    for k, m in r.master.items():
        i = r.ifaces[k]
        opts = i.spec.port if k not in r.switch_of else None  # a nic's port options are its switch's
        master = r.ifaces[m].spec
        pvid = master.default_pvid if isinstance(master, Bridge) else 1
        steps.append(Step("port", k[0], k[1], _port(m[1], opts, default_pvid=pvid)))
    for node, n in lab.nodes.items():
        for sysctl, val in n.sysctl.items():
            steps.append(Step("sysctl", node, sysctl, SysctlSpec(val)))
        for i in r.node_ifaces(node):
            for a in i.spec.addresses:
                steps.append(Step("addr", node, i.name, AddrSpec(a)))
    for sw, spec in lab.switches.items():
        for a in spec.addresses:
            steps.append(Step("addr", sw, switch_bridge_name(), AddrSpec(a)))
    for ns, name in ups:
        steps.append(Step("up", ns, name))
    for ns in [*lab.switches, *lab.nodes]:
        steps.append(Step("up", ns, "lo"))
    for node, n in lab.nodes.items():
        kernel = kernel_routes(r, node) if n.routes else {}
        for rt in n.routes:
            if is_kernel_made(rt, kernel):
                continue  # the kernel made it from an address: stating it is a no-op (plan/routes.py)
            steps.append(Step("route", node, rt.to, RouteSpec(rt.via, rt.dev, rt.metric)))
        for nb in n.neighbors:
            assert nb.dev is not None  # check.py's neighbor-dev rule
            steps.append(Step("neigh", node, nb.address, NeighSpec(nb.lladdr, nb.dev)))
    for node, n in lab.nodes.items():
        if n.nftables is not None:
            steps.append(Step("nft", node, "ruleset", NftSpec(n.nftables)))
    return steps
