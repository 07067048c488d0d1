"""The shapes of issue #12 that a random lab contains, read from its text.

`shapes(text)` names each shape the lab has (a node with two or more NICs,
sibling children in one node, each ARP/rp_filter knob, the port count of its
largest switch, each vxlan destination form, one address owned by two nodes);
the fuzz tests record them with hypothesis.event(), so
`pytest --hypothesis-show-statistics` shows how often each appeared.

Run `python -m tests.differential.shapes [N]` to count them over N labs drawn
from the generator (default 500)."""

from __future__ import annotations

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


def shapes(text: str) -> set[str]:
    doc = yaml.safe_load(text)
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


def count(n: int) -> tuple[Counter[str], int]:
    from hypothesis import HealthCheck, Phase, given, settings

    from .labgen import labs

    seen: Counter[str] = Counter()
    drawn = [0]

    @settings(max_examples=n, deadline=None, suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    @given(labs())
    def draw(text: str) -> None:
        drawn[0] += 1
        seen.update(shapes(text))

    draw()
    return seen, drawn[0]


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    seen, drawn = count(n)
    print(f"{drawn} labs")
    for s in SHAPES:
        print(f"{s:<40} {seen[s]:4d} ({100 * seen[s] / drawn:.0f} %)")
    sizes = sorted(int(k.split()[2]) for k in seen if k.startswith("largest"))
    print(f"largest switch per lab: {sizes[0]}..{sizes[-1]} ports")
