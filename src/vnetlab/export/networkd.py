"""The lab as systemd-networkd configuration: .netdev and .network files per node.

systemd-networkd configures the namespace it runs in and cannot place a
device in another one, so this exports each node's host-side configuration:
the files a machine playing that node would carry. What does not fit is said
in a comment at the top of the output: devices whose parent lives in another
node (the parent's side must name the child, here only when both are in one
node), the external switches and their port options, guests, and sysctls
other than IP forwarding (ip_forward, IPv6's all.forwarding).

Every value comes from a validated lab (names without whitespace or control
bytes, canonical addresses), so none can start a new line or section;
``_safe`` refuses a file where one would.
"""

from __future__ import annotations

from ..resolve import Iface, Resolved
from .kinds import EXPORT_KINDS


def _key(i: Iface) -> str:
    """The key on a parent's (or underlay's) .network that names the device."""
    return str(EXPORT_KINDS[i.kind].NETWORK_KEYS[i.kind])


def _netdev(r: Resolved, i: Iface) -> list[str]:
    s = i.spec
    out = ["[NetDev]", f"Name={i.name}", f"Kind={i.kind}"]
    if i.mac_source != "inherited" and type(s).ETHERNET:  # an L3 device (tun) has no MAC
        out.append(f"MACAddress={i.mac}")
    if s.mtu:
        out.append(f"MTUBytes={s.mtu}")
    own: list[str] = EXPORT_KINDS[i.kind].netdev(r, i)
    return out + own


def _network(
    r: Resolved, i: Iface, node_children: dict[str, list[Iface]], vxlans_on: dict[str, list[Iface]]
) -> list[str]:
    s = i.spec
    net = []
    for a in s.addresses:
        net.append(f"Address={a}")
    for c in node_children.get(i.name, []):
        net.append(f"{_key(c)}={c.name}")
    for v in vxlans_on.get(i.name, []):
        net.append(f"{_key(v)}={v.name}")
    if s.master:
        net.append(f"Bridge={s.master}")
    sysctl = r.lab.nodes[i.node].sysctl
    fwd = [f for f, key in _FORWARD.items() if sysctl.get(key) in (1, "1")]
    if fwd:  # networkd sets net.ipv4.ip_forward / net.ipv6.conf.all.forwarding from it
        net.append(f"IPForward={'yes' if len(fwd) == 2 else fwd[0]}")
    out = ["[Match]", f"Name={i.name}", "", "[Link]", f"ActivationPolicy={'up' if s.up else 'down'}"]
    if s.mtu and not EXPORT_KINDS[i.kind].netdev_owned(r, i):
        # no .netdev of this node sets it: a nic (hardware), or a veth end whose peer's
        # .netdev made it ([Peer] takes only Name= and MACAddress=)
        out.append(f"MTUBytes={s.mtu}")
    if net:
        out += ["", "[Network]", *net]
    for ip in getattr(s, "remotes", ()):  # vxlan head-end replication: all-zero FDB entries
        out += ["", "[BridgeFDB]", "MACAddress=00:00:00:00:00:00", f"Destination={ip}"]
    if s.master and s.port is not None:
        out += [
            "",
            "[Bridge]",
            f"HairPin={'yes' if s.port.hairpin else 'no'}",
            f"Learning={'yes' if s.port.learning else 'no'}",
            f"UnicastFlood={'yes' if s.port.flood else 'no'}",
        ]
    from ..plan.routes import is_kernel_made, kernel_routes

    kernel = kernel_routes(r, i.node)
    for rt in r.lab.nodes[i.node].routes:
        dev_ok = rt.dev == i.name or (rt.dev is None and rt.via and _on_link(i, rt.via))
        if dev_ok and not is_kernel_made(rt, kernel):  # one the kernel makes from an address: as `up`, nothing to add
            default = "::/0" if ":" in (rt.via or "") else "0.0.0.0/0"  # the family as `up` picks it
            out += ["", "[Route]", f"Destination={default if rt.to == 'default' else rt.to}"]
            if rt.via:
                out.append(f"Gateway={rt.via}")
            if rt.metric is not None:
                out.append(f"Metric={rt.metric}")
    for nb in r.lab.nodes[i.node].neighbors:
        if nb.dev == i.name:
            out += ["", "[Neighbor]", f"Address={nb.address}", f"LinkLayerAddress={nb.lladdr}"]
    return out


#: IPForward= values and the sysctl each stands for
_FORWARD = {"ipv4": "net.ipv4.ip_forward", "ipv6": "net.ipv6.conf.all.forwarding"}


def _on_link(i: Iface, via: str) -> bool:
    import ipaddress

    return any(ipaddress.ip_address(via) in ipaddress.ip_interface(a).network for a in i.spec.addresses)


def _safe(text: str) -> str:
    """A file's text, refused if a lab string could have added a line or a section
    (validation already refuses control bytes in every string that gets here)."""
    if not all(line.isprintable() for line in text.splitlines()):
        raise ValueError("a networkd value holds a control character")
    return text


def files(r: Resolved) -> dict[str, str]:
    """{"node/NN-name.netdev": text, …}"""
    out: dict[str, str] = {}
    for node in r.lab.nodes:
        ifs = r.node_ifaces(node)
        children: dict[str, list[Iface]] = {}
        vxlans_on: dict[str, list[Iface]] = {}  # an underlay device → the devices on it (a vxlan's dev)
        for i in ifs:
            p = r.parent.get(i.key)
            if p is not None and p[0] == node:
                children.setdefault(p[1], []).append(i)
            for dep in i.spec.local_deps():
                vxlans_on.setdefault(dep, []).append(i)
        n = 10
        for i in ifs:
            if EXPORT_KINDS[i.kind].netdev_owned(r, i):
                out[f"{node}/{n}-{i.name}.netdev"] = _safe("\n".join(_netdev(r, i)) + "\n")
            out[f"{node}/{n}-{i.name}.network"] = _safe("\n".join(_network(r, i, children, vxlans_on)) + "\n")
            n += 1
    return out


def notes(r: Resolved) -> list[str]:
    out = ["systemd-networkd configures only the namespace it runs in: these are each node's host-side files."]
    for i in r.ifaces.values():
        p = r.parent.get(i.key)
        if p is not None and p[0] != i.node:
            out.append(
                f"{i.node}/{i.name}: its parent {p[0]}/{p[1]} is in another node; networkd on {p[0]} would create it there ({_key(i)}= on the parent) and cannot move it"
            )
        if i.key in r.peer and r.peer[i.key][0] != i.node and i.key < r.peer[i.key]:
            q = r.peer[i.key]
            out.append(
                f"{i.node}/{i.name}: its veth peer {q[0]}/{q[1]} lives in another node; networkd creates both ends here"
            )
    if r.lab.switches:
        out.append(
            "switches ("
            + ", ".join(r.lab.switches)
            + ") are external: their port options (hairpin, learning, flood) are the switch's configuration"
        )
    if r.guests:
        out.append("guests (" + ", ".join(r.guests) + ") are VMs: configure them inside the guest")
    for node, n in r.lab.nodes.items():
        other = [k for k in n.sysctl if k not in _FORWARD.values()]
        if other:
            out.append(f"{node}: sysctl {', '.join(other)} has no networkd key (use sysctl.d)")
        if n.nftables is not None:
            out.append(f"{node}: its nftables ruleset has no networkd key (load it with nft -f, e.g. nftables.service)")
    return out


def to_text(r: Resolved) -> str:
    parts = ["# systemd-networkd configuration for lab " + r.lab.lab, *(f"# note: {n}" for n in notes(r)), ""]
    for path, text in files(r).items():
        parts += [f"### {path}", text]
    return "\n".join(parts)
