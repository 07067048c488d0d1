"""Resolved lab → ordered steps, in the order the format prescribes.

Namespaces first (switches, then nodes, as they appear); each switch's
bridge; interfaces in file order with parents before children and both ends
of a veth in one step (created in place in their namespaces); bridge ports
in the order their devices appear; a node's sysctl once its interfaces exist
and before its addresses; links up (parents first, then lo); routes in order;
static neighbours; each node's nftables ruleset last. Every MAC is explicit except where the kernel
decides it (ipvlan children, passthru children and vlan devices inherit).
"""

from __future__ import annotations

from typing import Any

from ..model.derive import derived_mac, switch_bridge_name
from ..resolve import Iface, IfKey, Resolved
from .steps import Step


def _vlans(v: tuple[int | str, ...]) -> tuple[int | str, ...]:
    return tuple(v)


def _port_opts(port: Any, hairpin_default: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if hairpin_default or (port is not None and port.hairpin):
        out["hairpin"] = True
    if port is not None:
        if not port.learning:
            out["learning"] = False
        if not port.flood:
            out["flood"] = False
        if port.pvid is not None:
            out["pvid"] = port.pvid
        if not port.untagged:
            out["untagged"] = False
        if port.vlans:
            out["vlans"] = _vlans(port.vlans)
    return out


def _vlan_defaults(opts: dict[str, Any], default_pvid: int) -> dict[str, Any]:
    """A port with VLAN settings replaces the membership the kernel gave it
    (the bridge's default PVID) with its own; its PVID defaults to that one."""
    if any(k in opts for k in ("pvid", "vlans", "untagged")):
        return {**opts, "pvid": opts.get("pvid", default_pvid), "default_pvid": default_pvid}
    return opts


def _link_args(r: Resolved, i: Iface) -> dict[str, Any]:
    s = i.spec
    args: dict[str, Any] = {"kind": i.kind}
    if i.mac_source != "inherited" and type(s).ETHERNET:  # an L3 device (tun) has no MAC to set
        args["mac"] = i.mac
    if s.mtu is not None:
        args["mtu"] = s.mtu
    p = r.parent.get(i.key)
    if p is not None:
        args["parent"] = p[1]
        args["parent_ns"] = p[0]
    args.update(s.link_fields())
    return args


def build_plan(r: Resolved) -> list[Step]:
    lab = r.lab
    steps: list[Step] = []
    alias = f"vnetlab:{lab.lab}"
    for sw in lab.switches:
        steps.append(Step("netns", sw, sw, {"netns": r.netns(sw), "alias": f"{alias}:{sw}"}))
    for node in lab.nodes:
        steps.append(Step("netns", node, node, {"netns": r.netns(node), "alias": f"{alias}:{node}"}))
    ups: list[tuple[str, str]] = []
    for sw, spec in lab.switches.items():
        br = switch_bridge_name()
        steps.append(
            Step(
                "link",
                sw,
                br,
                {
                    "kind": "bridge",
                    "mac": derived_mac(lab.lab, sw, br),
                    "vlan_filtering": spec.vlan_filtering,
                    "stp": False,
                    "alias": alias,
                },
            )
        )
        ups.append((sw, br))
    done: set[IfKey] = set()

    def make(key: IfKey, depth: int = 0) -> None:
        if key in done or depth > 64:
            return
        i = r.ifaces[key]
        p = r.parent.get(key)
        if p is not None:
            make(p, depth + 1)
        for dep in i.spec.local_deps():
            if (i.node, dep) in r.ifaces:
                make((i.node, dep), depth + 1)
        done.add(key)
        args = _link_args(r, i)
        args["alias"] = alias
        sw = r.switch_of.get(key)
        if sw is not None:  # a nic: a veth whose peer is its switch port
            port = r.switch_port_name(key)
            args.update(peer=port, peer_ns=sw, peer_mac=derived_mac(lab.lab, sw, port))
        elif key in r.peer:  # a veth: both ends in one step
            pk = r.peer[key]
            done.add(pk)
            peer = r.ifaces[pk]
            args.update(peer=pk[1], peer_ns=pk[0], peer_mac=peer.mac)
            if peer.spec.mtu is not None:
                args["peer_mtu"] = peer.spec.mtu
            if peer.spec.up:
                ups.append(pk)
        steps.append(Step("link", i.node, i.name, args))
        if i.spec.up:
            ups.append(key)
        if sw is not None:
            ups.append((sw, r.switch_port_name(key)))

    for key in r.ifaces:
        if key not in done:
            make(key)
    # ports: switch ports in nic order, then bridges' ports in file order
    for sw, nics in r.switch_ports.items():
        for k in nics:
            opts = _vlan_defaults(_port_opts(r.ifaces[k].spec.port, lab.switches[sw].hairpin), 1)
            steps.append(Step("port", sw, r.switch_port_name(k), {"master": switch_bridge_name(), **opts}))
    for k, m in r.master.items():
        i = r.ifaces[k]
        opts = _port_opts(i.spec.port if k not in r.switch_of else None)  # a nic's port options are its switch's
        opts = _vlan_defaults(opts, getattr(r.ifaces[m].spec, "default_pvid", 1))
        steps.append(Step("port", k[0], k[1], {"master": m[1], **opts}))
    for node, n in lab.nodes.items():
        for key, val in n.sysctl.items():
            steps.append(Step("sysctl", node, key, {"value": val}))
        for i in r.node_ifaces(node):
            for a in i.spec.addresses:
                steps.append(Step("addr", node, i.name, {"address": a}))
    for sw, spec in lab.switches.items():
        for a in spec.addresses:
            steps.append(Step("addr", sw, switch_bridge_name(), {"address": a}))
    for ns, name in ups:
        steps.append(Step("up", ns, name))
    for ns in [*lab.switches, *lab.nodes]:
        steps.append(Step("up", ns, "lo"))
    for node, n in lab.nodes.items():
        for rt in n.routes:
            steps.append(Step("route", node, rt.to, {"via": rt.via, "dev": rt.dev, "metric": rt.metric}))
        for nb in n.neighbors:
            steps.append(Step("neigh", node, nb.address, {"lladdr": nb.lladdr, "dev": nb.dev}))
    for node, n in lab.nodes.items():
        if n.nftables is not None:
            steps.append(Step("nft", node, "ruleset", {"ruleset": n.nftables}))
    return steps
