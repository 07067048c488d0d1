"""Generated labs for the benchmarks (addresses from 198.18.0.0/15)."""

from __future__ import annotations

import ipaddress


def star(n: int) -> str:
    """n nodes, one nic each, on one switch: the all-pairs matrix is n × n."""
    base = int(ipaddress.IPv4Address("198.18.0.0"))
    lines = [f"lab: star{n}", "switches:", "  sw: {}", "nodes:"]
    for i in range(n):
        ip = ipaddress.IPv4Address(base + i + 1)
        lines.append(f"  n{i}:\n    interfaces:\n      eth0: {{kind: nic, switch: sw, addresses: [{ip}/15]}}")
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
