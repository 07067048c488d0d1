"""Generated labs for the benchmarks (addresses from 198.18.0.0/15)."""

from __future__ import annotations

import ipaddress


def star(n: int, v6: bool = False) -> str:
    """n nodes, one nic each, on one switch: the all-pairs matrix is n × n (with ``v6``,
    each node has an IPv6 address too: n × 2n)."""
    base = int(ipaddress.IPv4Address("198.18.0.0"))
    lines = [f"lab: star{n}", "switches:", "  sw: {}", "nodes:"]
    for i in range(n):
        ip = ipaddress.IPv4Address(base + i + 1)
        six = f', "2001:db8::{i + 1:x}/64"' if v6 else ""
        lines.append(f"  n{i}:\n    interfaces:\n      eth0: {{kind: nic, switch: sw, addresses: [{ip}/15{six}]}}")
    return "\n".join(lines) + "\n"


def macvlans(n: int, mode: str = "bridge") -> str:
    """n macvlan children of one parent, each in its own node, plus the parent and a peer."""
    base = int(ipaddress.IPv4Address("198.18.0.0"))
    lines = [
        f"lab: mv{n}",
        "switches:",
        "  sw: {}",
        "nodes:",
        "  host:\n    interfaces:\n      eth0: {kind: nic, switch: sw, addresses: [198.19.255.1/15]}",
        "  peer:\n    interfaces:\n      eth0: {kind: nic, switch: sw, addresses: [198.19.255.2/15]}",
    ]
    for i in range(n):
        ip = ipaddress.IPv4Address(base + i + 1)
        lines.append(
            f"  c{i}:\n    interfaces:\n      mv0: {{kind: macvlan, parent: host/eth0, mode: {mode}, addresses: [{ip}/15]}}"
        )
    return "\n".join(lines) + "\n"


def tree(n: int, per_switch: int = 1000) -> str:
    """n nodes on switches of at most ``per_switch`` ports (a kernel bridge takes 1023),
    joined into one broadcast domain: each access switch s<k> is cabled to the core
    switch through node a<k>, which bridges its two NICs. One address per node."""
    base = int(ipaddress.IPv4Address("198.18.0.0"))
    k = (n + per_switch - 1) // per_switch
    if k <= 1:
        return star(n)
    lines = [f"lab: tree{n}", "switches:", "  core: {}", *(f"  s{j}: {{}}" for j in range(k)), "nodes:"]
    for j in range(k):
        lines.append(
            f"  a{j}:\n    interfaces:\n      up0: {{kind: nic, switch: core, master: br0}}\n"
            f"      dn0: {{kind: nic, switch: s{j}, master: br0}}\n      br0: {{kind: bridge}}"
        )
    for i in range(n):
        ip = ipaddress.IPv4Address(base + i + 1)
        lines.append(
            f"  n{i}:\n    interfaces:\n      eth0: {{kind: nic, switch: s{i // per_switch}, addresses: [{ip}/15]}}"
        )
    return "\n".join(lines) + "\n"
