"""Who probes and what is probed: the same for every backend.

Sources are nodes and guests in file order (a guest right after the node
that holds it); targets are every IPv4 and global IPv6 address of every
node and guest, in file order; a destination given by the user
is a node, a guest or an address. One copy, so the simulator and the kernel cannot drift apart.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from ..errors import InputError
from ..resolve import Resolved


@dataclass(frozen=True)
class Target:
    """One address of one node or guest (a guest's interface is ``eth0``)."""

    node: str
    interface: str
    address: str


def endpoints(r: Resolved) -> list[str]:
    """Nodes and guests in file order (a guest right after the node that holds it)."""
    out: list[str] = []
    for node in r.lab.nodes:
        out.append(node)
        for i in r.node_ifaces(node):
            g = getattr(i.spec, "guest", None)
            if g is not None:
                out.append(g.name)
    return out


def _global(cidr: str) -> str | None:
    """The address of a CIDR if it is a matrix column: IPv4, or a global IPv6 address
    (link-local addresses are not columns), IPv6 in its canonical (compressed) form."""
    a = cidr.split("/")[0]
    if ":" not in a:
        return a
    ip = ipaddress.IPv6Address(a)
    return None if ip.is_link_local else str(ip)


def targets(r: Resolved) -> list[Target]:
    """Every IPv4 address and every global IPv6 address of every node and guest, in file
    order (an address two nodes own appears once per owner)."""
    out: list[Target] = []
    for name in endpoints(r):
        if name in r.guests:
            for cidr in r.guests[name].guest.addresses:
                g = _global(cidr)
                if g is not None:
                    out.append(Target(name, "eth0", g))
        else:
            for i in r.node_ifaces(name):
                for cidr in i.spec.addresses:
                    g = _global(cidr)
                    if g is not None:
                        out.append(Target(name, i.name, g))
    return out


def family(address: str) -> int:
    return 6 if ":" in address else 4


def resolve_dst(r: Resolved, dst: str) -> list[str]:
    """A node or guest → its addresses (IPv4, and global IPv6); an address → itself
    (IPv6 in its canonical form, as the matrix names it)."""
    if dst in r.lab.nodes or dst in r.guests:
        addrs = [t.address for t in targets(r) if t.node == dst]
        if not addrs:
            raise InputError(f"{dst} has no address to ping")
        return addrs
    try:
        ip = ipaddress.ip_address(dst)
    except ValueError:
        raise InputError(f"{dst!r} is neither a node, a guest nor an IP address of this lab") from None
    if ip.version == 6 and ip.is_link_local:
        raise InputError(f"{dst}: a link-local address needs an interface; probe a global address")
    return [str(ip) if ip.version == 6 else dst]


def check_source(r: Resolved, src: str) -> None:
    if src not in r.lab.nodes and src not in r.guests:
        raise InputError(f"{src!r} is not a node or guest of lab {r.lab.lab}")
