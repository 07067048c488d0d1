"""br_netfilter, kernel against simulator: a hub bridging h1 and h2 on br0 and routing to h3,
with bridge-nf-call-iptables 1 or 0 (and, dual-stack, bridge-nf-call-ip6tables: §8.3) and a ruleset of the variants that decide the rules of
kernel-semantics §8.2 (bridge vs port names, no input device in POSTROUTING, conntrack of
bridged replies) plus seeded random rulesets over every hook; the ICMP matrix must be the
same cell for cell."""

from __future__ import annotations

import os
import random
import shutil

import pytest

from vnetlab import load_text, resolve
from vnetlab.kernel import KernelLab
from vnetlab.sim import Simulator

pytestmark = [
    pytest.mark.skipif(shutil.which("nft") is None, reason="needs nft"),
    pytest.mark.skipif(not os.path.isdir("/proc/sys/net/bridge"), reason="br_netfilter is not loaded here"),
]

HOOKS = ("prerouting", "input", "forward", "output", "postrouting")
MATCHES = (
    'iifname "br0"',
    'oifname "br0"',
    'iifname "p1"',
    'oifname "p2"',
    'iifname "wan"',
    'oifname "wan"',
    "ip saddr 192.0.2.11",
    "ip daddr 192.0.2.12",
    "ip daddr 192.0.2.1",
    "ip saddr 198.51.100.10",
    "icmp type echo-request",
    "icmp type echo-reply",
    "ct state established",
    "ct state new",
)


def lab(table: str, brnf: int) -> str:
    body = "\n".join("      " + line for line in table.splitlines())
    return (
        "lab: brnfk\nnodes:\n  hub:\n    interfaces:\n"
        "      br0: {kind: bridge, addresses: [192.0.2.1/24]}\n"
        "      p1: {kind: veth, peer: h1/eth0, master: br0}\n"
        "      p2: {kind: veth, peer: h2/eth0, master: br0}\n"
        "      wan: {kind: veth, peer: h3/eth0, addresses: [198.51.100.1/24]}\n"
        f"    sysctl: {{net.ipv4.ip_forward: 1, net.bridge.bridge-nf-call-iptables: {brnf}}}\n"
        f"    nftables: |\n{body}\n"
        "  h1:\n    interfaces:\n      eth0: {kind: veth, peer: hub/p1, addresses: [192.0.2.11/24]}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "  h2:\n    interfaces:\n      eth0: {kind: veth, peer: hub/p2, addresses: [192.0.2.12/24]}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "  h3:\n    interfaces:\n      eth0: {kind: veth, peer: hub/wan, addresses: [198.51.100.10/24]}\n"
        "    routes: [{to: default, via: 198.51.100.1}]\n"
    )


def table(chains: dict[str, tuple[str, list[str]]]) -> str:
    out = ["table inet t {"]
    for hook, (policy, rules) in chains.items():
        out.append(f"  chain {hook} {{\n    type filter hook {hook} priority 0; policy {policy};")
        out += [f"    {r}" for r in rules]
        out.append("  }")
    return "\n".join([*out, "}"])


FIXED = {
    "port-names": table({"forward": ("accept", ['iifname "p1" drop', 'oifname "p2" drop'])}),
    "bridge-names": table({"forward": ("accept", ['iifname "br0" oifname "br0" ip saddr 192.0.2.11 drop'])}),
    "stateful": table(
        {"forward": ("drop", ["ct state established accept", 'iifname "br0" ip saddr 192.0.2.11 accept'])}
    ),
    "post-no-iif": table(
        {"postrouting": ("accept", ['iifname "br0" oifname "br0" drop', 'oifname "br0" ip daddr 192.0.2.12 drop'])}
    ),
    "pre-drop": table({"prerouting": ("accept", ['iifname "br0" ip saddr 192.0.2.12 icmp type echo-request drop'])}),
}


def _family(match: str) -> int:
    """The family a match binds its rule to (nft refuses a rule with an IPv4 and an IPv6 one)."""
    if match.startswith(("ip ", "icmp ", "meta nfproto ipv4")):
        return 4
    return 6 if match.startswith(("ip6 ", "icmpv6 ", "meta nfproto ipv6")) else 0


def _rule(rng: random.Random, matches: tuple[str, ...]) -> str:
    while True:
        ms = rng.sample(matches, rng.randint(1, 2))
        if len({_family(m) for m in ms} - {0}) <= 1:
            return " ".join(ms) + " " + rng.choice(("accept", "drop"))


def random_table(rng: random.Random, matches: tuple[str, ...] = MATCHES) -> str:
    chains: dict[str, tuple[str, list[str]]] = {}
    for hook in rng.sample(HOOKS, rng.randint(1, 3)):
        rules = [_rule(rng, matches) for _ in range(rng.randint(1, 3))]
        chains[hook] = (rng.choice(("accept", "accept", "drop")), rules)
    return table(chains)


CASES = [(f"{name}-{b}", lab(t, b)) for name, t in FIXED.items() for b in (1, 0)]
CASES += [(f"random{i}", lab(random_table(random.Random(i)), 1)) for i in range(int(os.environ.get("BRNF_N", "8")))]


# bridged IPv6 (kernel-semantics §8.3): the same hub dual-stack, both switches drawn, matches that
# tell the families, neighbour discovery and untracked packets apart
MATCHES6 = (
    'iifname "br0"',
    'oifname "br0"',
    'iifname "p1"',
    'oifname "p2"',
    'oifname "wan"',
    "ip6 saddr fd00::11",
    "ip6 daddr fd00::12",
    "ip6 daddr fd00::1",
    "ip6 saddr fd01::10",
    "ip saddr 192.0.2.11",
    "icmpv6 type echo-request",
    "icmpv6 type echo-reply",
    "icmpv6 type nd-neighbor-solicit",
    "icmpv6 type nd-neighbor-advert",
    "meta nfproto ipv6",
    "meta nfproto ipv4",
    "ct state established",
    "ct state new",
    "ct state untracked",
)


def lab6(table: str, v4: int, v6: int) -> str:
    text = lab(table, v4).replace(
        "net.bridge.bridge-nf-call-iptables: ",
        f"net.ipv6.conf.all.forwarding: 1, net.bridge.bridge-nf-call-ip6tables: {v6}, "
        "net.bridge.bridge-nf-call-iptables: ",
    )
    for v4a, v6a in (
        ("192.0.2.1/24", "fd00::1/64"),
        ("198.51.100.1/24", "fd01::1/64"),
        ("192.0.2.11/24", "fd00::11/64"),
        ("192.0.2.12/24", "fd00::12/64"),
        ("198.51.100.10/24", "fd01::10/64"),
    ):
        text = text.replace(f"[{v4a}]", f"[{v4a}, '{v6a}']")
    text = text.replace("{to: default, via: 192.0.2.1}", "{to: default, via: 192.0.2.1}, {to: default, via: 'fd00::1'}")
    return text.replace(
        "{to: default, via: 198.51.100.1}", "{to: default, via: 198.51.100.1}, {to: default, via: 'fd01::1'}"
    )


FIXED6 = {
    "docker6": table({"forward": ("drop", ['iifname "br0" oifname "br0" meta nfproto ipv4 accept'])}),
    "nd-accept6": table(
        {
            "forward": (
                "drop",
                [
                    "icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept",
                    "ct state established accept",
                    "ip6 saddr fd00::11 accept",
                ],
            )
        }
    ),
    "pre-post6": table(
        {
            "prerouting": (
                "accept",
                ['iifname "p1" drop', 'iifname "br0" ip6 saddr fd00::12 icmpv6 type echo-request drop'],
            ),
            "postrouting": ("accept", ['iifname "br0" oifname "br0" drop']),
        }
    ),
}
CASES += [(f"{name}-{a}{b}", lab6(t, a, b)) for name, t in FIXED6.items() for a, b in ((0, 1), (1, 0), (1, 1))]
CASES += [
    (
        f"random6-{i}",
        lab6(random_table(random.Random(1000 + i), MATCHES6), *random.Random(2000 + i).choice(((0, 1), (1, 1)))),
    )
    for i in range(int(os.environ.get("BRNF6_N", "6")))
]


def test_every_drawn_ruleset_is_one_nft_reads() -> None:
    """The generator's rules never mix the families (nft: "conflicting protocols specified")."""
    from vnetlab.check import check

    bad = [name for name, text in CASES if check(load_text(text))]
    assert not bad, bad


def _matrix(text: str) -> dict:
    k = KernelLab(resolve(load_text(text)))
    k.up()
    try:
        return k.matrix().as_json()
    finally:
        k.close()


@pytest.mark.parametrize(("name", "text"), CASES, ids=[c[0] for c in CASES])
def test_br_netfilter_matrix_equals_the_simulators(name, text, in_sandbox) -> None:
    got = in_sandbox(_matrix, text)
    want = Simulator(load_text(text)).matrix().as_json()
    assert got["rows"] == want["rows"], f"{name}: kernel {got['rows']} simulator {want['rows']}\n{text}"
