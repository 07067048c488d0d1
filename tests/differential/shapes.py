"""The shapes of issue #12 that a random lab contains, read from its text.

`shapes(text)` names each shape the lab has (a node with two or more NICs,
sibling children in one node, each ARP/rp_filter knob, the port count of its
largest switch, each vxlan destination form, one address owned by two nodes;
for a dual-stack lab of labgen6 the IPv6 shapes of SHAPES6); the fuzz tests record them with hypothesis.event(), so
`pytest --hypothesis-show-statistics` shows how often each appeared.

Run `python -m tests.differential.shapes [N] [dual]` to count them over N labs
drawn from the generator (default 500; `dual`: labgen6's)."""

from __future__ import annotations

import ipaddress
import sys
from collections import Counter

import yaml

SHAPES = (
    "node with 2+ nics",
    "sibling children in one node",
    "arp_ignore",
    "arp_announce",
    "rp_filter",
    "switch with 2-8 ports",
    "switch with 9-40 ports",
    "vxlan remote",
    "vxlan remotes",
    "vxlan group",
    "duplicate address on separate segments",
)

#: the dual-stack shapes (labgen6)
SHAPES6 = (
    "dual-stack",
    "IPv6 route via a global gateway",
    "IPv6 route via a link-local gateway",
    "IPv6 route on-link by dev",
    "IPv6 default as ::/0",
    "static ND entry",
    "router with IPv6 forwarding off",
    "router with only a device's IPv6 forwarding",
    "IPv6 on a host bridge",
    "IPv6 /128 on an in-node veth",
    "two IPv6 prefixes on one interface",
    "hairpin port",
    "accept_dad, enhanced_dad or dad_transmits 0",
    "icmp.echo_ignore_all",
    "device with an MTU below 1280",
    "two NICs on one switch",
    "a device's forwarding 0 under all.forwarding 1",
)


def shapes6(doc: dict) -> set[str]:
    out = {"dual-stack"}
    for name, node in (doc.get("nodes") or {}).items():
        ifs = node.get("interfaces") or {}
        sysctl = node.get("sysctl") or {}
        for rt in node.get("routes") or []:
            via, to = str(rt.get("via", "")), str(rt.get("to"))
            if to == "::/0":
                out.add("IPv6 default as ::/0")
            if via.startswith("fe80"):
                out.add("IPv6 route via a link-local gateway")
            elif ":" in via:
                out.add("IPv6 route via a global gateway")
            elif not via and (":" in to):
                out.add("IPv6 route on-link by dev")
        if any(":" in str(nb["address"]) for nb in node.get("neighbors") or []):
            out.add("static ND entry")
        router = name.startswith("r") or (name == "hb" and "eth0" in ifs)
        if router and not sysctl.get("net.ipv6.conf.all.forwarding"):
            fwd = [k for k in sysctl if k.endswith(".forwarding")]
            out.add("router with only a device's IPv6 forwarding" if fwd else "router with IPv6 forwarding off")
        for i in ifs.values():
            v6 = [a for a in i.get("addresses") or [] if ":" in str(a)]
            if i.get("kind") == "bridge" and v6:
                out.add("IPv6 on a host bridge")
            if any(str(a).endswith("/128") for a in v6):
                out.add("IPv6 /128 on an in-node veth")
            if len({ipaddress.ip_interface(a).network for a in v6}) > 1:
                out.add("two IPv6 prefixes on one interface")
            if (i.get("port") or {}).get("hairpin"):
                out.add("hairpin port")
        if any(k.endswith(("accept_dad", "enhanced_dad", "dad_transmits")) for k in sysctl):
            out.add("accept_dad, enhanced_dad or dad_transmits 0")
        if "net.ipv6.icmp.echo_ignore_all" in sysctl:
            out.add("icmp.echo_ignore_all")
        if any(int(i.get("mtu", 1500)) < 1280 for i in ifs.values()):
            out.add("device with an MTU below 1280")
        sws = [i["switch"] for i in ifs.values() if i.get("kind") == "nic"]
        if len(sws) != len(set(sws)):
            out.add("two NICs on one switch")
        if sysctl.get("net.ipv6.conf.all.forwarding") and any(
            k.endswith(".forwarding") and not v for k, v in sysctl.items()
        ):
            out.add("a device's forwarding 0 under all.forwarding 1")
    return out


def shapes(text: str) -> set[str]:
    doc = yaml.safe_load(text)
    if doc.get("lab") == "fz6":
        return shapes6(doc)
    out: set[str] = set()
    ports: Counter[str] = Counter()
    owners: dict[str, set[str]] = {}
    for name, node in (doc.get("nodes") or {}).items():
        ifs = node.get("interfaces") or {}
        if sum(1 for i in ifs.values() if i.get("kind") == "nic") >= 2:
            out.add("node with 2+ nics")
        parents = Counter(i["parent"] for i in ifs.values() if i.get("kind") in ("macvlan", "macvtap"))
        if any(c >= 2 for c in parents.values()):
            out.add("sibling children in one node")
        for key, v in (node.get("sysctl") or {}).items():
            for knob in ("arp_ignore", "arp_announce", "rp_filter"):
                if key.endswith("." + knob) and int(v):
                    out.add(knob)
        for i in ifs.values():
            if i.get("kind") == "nic":
                ports[i["switch"]] += 1
            if i.get("kind") == "vxlan":
                for form in ("remote", "remotes", "group"):
                    if form in i:
                        out.add(f"vxlan {form}")
            for a in i.get("addresses") or []:
                owners.setdefault(str(a).split("/")[0], set()).add(name)
    if ports:
        top = max(ports.values())
        if 2 <= top <= 8:
            out.add("switch with 2-8 ports")
        elif 9 <= top <= 40:
            out.add("switch with 9-40 ports")
        out.add(f"largest switch: {top} ports")
    if any(len(o) > 1 for o in owners.values()):
        out.add("duplicate address on separate segments")
    return out


def record(text: str) -> None:
    """hypothesis.event() for every shape of the lab (shown by --hypothesis-show-statistics)."""
    from hypothesis import event

    for s in sorted(shapes(text)):
        if not s.startswith("largest"):
            event(s)


def count(n: int, dual: bool = False) -> tuple[Counter[str], int]:
    from hypothesis import HealthCheck, Phase, given, settings

    from .labgen import labs
    from .labgen6 import dual_labs

    seen: Counter[str] = Counter()
    drawn = [0]

    @settings(max_examples=n, deadline=None, suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    @given(dual_labs() if dual else labs())
    def draw(text: str) -> None:
        drawn[0] += 1
        seen.update(shapes(text))

    draw()
    return seen, drawn[0]


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    dual = sys.argv[2:] == ["dual"]
    seen, drawn = count(n, dual)
    print(f"{drawn} labs")
    for s in SHAPES6 if dual else SHAPES:
        print(f"{s:<40} {seen[s]:4d} ({100 * seen[s] / drawn:.0f} %)")
    if dual:
        sys.exit(0)
    sizes = sorted(int(k.split()[2]) for k in seen if k.startswith("largest"))
    print(f"largest switch per lab: {sizes[0]}..{sizes[-1]} ports")
