"""Who probes and what is probed: the same for every backend.

Sources are nodes and guests in file order (a guest right after the node
that holds it); targets are every IPv4 address of every node and guest, in
file order; a destination given by the user is a node, a guest or an IPv4
address. One copy, so the simulator and the kernel cannot drift apart.
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


def targets(r: Resolved) -> list[Target]:
    """Every IPv4 address of every node and guest, in file order (an address
    two nodes own appears once per owner)."""
    out: list[Target] = []
    for name in endpoints(r):
        if name in r.guests:
            for a in r.guests[name].guest.addresses:
                if ":" not in a:
                    out.append(Target(name, "eth0", a.split("/")[0]))
        else:
            for i in r.node_ifaces(name):
                for a in i.spec.addresses:
                    if ":" not in a:
                        out.append(Target(name, i.name, a.split("/")[0]))
    return out


def resolve_dst(r: Resolved, dst: str) -> list[str]:
    """A node or guest → its IPv4 addresses; an IPv4 address → itself."""
    if dst in r.lab.nodes or dst in r.guests:
        addrs = [t.address for t in targets(r) if t.node == dst]
        if not addrs:
            raise InputError(f"{dst} has no IPv4 address to ping")
        return addrs
    try:
        ipaddress.IPv4Address(dst)
    except ValueError:
        raise InputError(f"{dst!r} is neither a node, a guest nor an IPv4 address of this lab") from None
    return [dst]


def check_source(r: Resolved, src: str) -> None:
    if src not in r.lab.nodes and src not in r.guests:
        raise InputError(f"{src!r} is not a node or guest of lab {r.lab.lab}")
