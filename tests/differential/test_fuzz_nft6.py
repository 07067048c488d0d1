"""Differential fuzzing of nftables on IPv6 packets (docs/kernel-semantics.md §11.8):
random filter rulesets of families ip, ip6 and inet, with ICMPv6 and ND matches
and 'ct state untracked', and nat chains in ip6/inet tables (snat, dnat, masquerade,
redirect: §11.18), on nftgen's two-router topology made dual-stack (a's
requests to b go through r1, b's replies through r2, for both families); the
simulator's matrix against the kernel's, the kernel as the judge. FUZZ_N
examples (default 12)."""

from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.differential.fuzzing import fuzz_settings
from tests.differential.test_fuzz import ROOT_OK, compare
from vnetlab import load_text, resolve
from vnetlab.sim import Simulator, sim_unsupported

pytestmark = [
    pytest.mark.kernel,
    pytest.mark.skipif(not ROOT_OK, reason="needs root or user namespaces for the kernel side"),
]

TOPOLOGY = """lab: nft6fuzz
switches:
  sa: {{}}
  sb: {{}}
nodes:
  a:
    interfaces:
      eth0: {{kind: nic, switch: sa, addresses: [192.0.2.10/24, "2001:db8:a::10/64"]}}
    routes: [{{to: default, via: 192.0.2.1}}, {{to: default, via: "2001:db8:a::1"}}]
{a}  c:
    interfaces:
      eth0: {{kind: nic, switch: sa, addresses: [192.0.2.20/24, "2001:db8:a::20/64"]}}
    routes: [{{to: default, via: 192.0.2.2}}, {{to: default, via: "2001:db8:a::2"}}]
{c}  r1:
    interfaces:
      ea: {{kind: nic, switch: sa, addresses: [192.0.2.1/24, "2001:db8:a::1/64"]}}
      eb: {{kind: nic, switch: sb, addresses: [198.51.100.1/24, "2001:db8:b::1/64"]}}
    sysctl: {{net.ipv4.ip_forward: 1, net.ipv6.conf.all.forwarding: 1}}
{r1}  r2:
    interfaces:
      ea: {{kind: nic, switch: sa, addresses: [192.0.2.2/24, "2001:db8:a::2/64"]}}
      eb: {{kind: nic, switch: sb, addresses: [198.51.100.2/24, "2001:db8:b::2/64"]}}
    sysctl: {{net.ipv4.ip_forward: 1, net.ipv6.conf.all.forwarding: 1}}
{r2}  b:
    interfaces:
      eth0: {{kind: nic, switch: sb, addresses: [198.51.100.10/24, "2001:db8:b::10/64"]}}
    routes: [{{to: default, via: 198.51.100.2}}, {{to: default, via: "2001:db8:b::2"}}]
{b}"""

ADDRS6 = ["2001:db8:a::10", "2001:db8:a::20", "2001:db8:a::1", "2001:db8:b::2", "2001:db8:b::10"]
PREFIXES6 = ["2001:db8:a::/64", "2001:db8:b::/64", "fe80::/64", "ff02::/16", "::1"]
ADDRS4 = ["192.0.2.10", "198.51.100.10", "192.0.2.0/24"]
ICMP6 = ["echo-request", "echo-reply", "nd-neighbor-solicit", "nd-neighbor-advert"]
NAMES = ['"eth0"', '"ea"', '"eb"', '"lo"', '"e*"']
HOOKS = ["prerouting", "input", "forward", "output", "postrouting"]
STATES = ["new", "established", "related", "invalid", "untracked"]


def _pick(draw: st.DrawFn, xs: list[str], maxn: int = 3) -> str:
    vs = draw(st.lists(st.sampled_from(xs), min_size=1, max_size=maxn, unique=True))
    return vs[0] if len(vs) == 1 else "{ " + ", ".join(vs) + " }"


@st.composite
def proto_match(draw: st.DrawFn, fam: str) -> str:
    """At most one per rule (nft refuses two protocol contexts that conflict)."""
    neg = "!= " if draw(st.integers(0, 5)) == 0 else ""
    kinds = ["icmpv6", "ip6addr", "l4"] if fam != "ip" else ["icmp", "ip4addr", "l4"]
    if fam == "inet":
        kinds += ["icmp", "ip4addr", "nfproto"]
    kind = draw(st.sampled_from(kinds))
    if kind == "icmpv6":
        return f"icmpv6 type {neg}{_pick(draw, ICMP6)}"
    if kind == "icmp":
        return f"icmp type {neg}{_pick(draw, ['echo-request', 'echo-reply'], 2)}"
    if kind == "ip6addr":
        return f"ip6 {draw(st.sampled_from(['saddr', 'daddr']))} {neg}{_pick(draw, ADDRS6 + PREFIXES6)}"
    if kind == "ip4addr":
        return f"ip {draw(st.sampled_from(['saddr', 'daddr']))} {neg}{_pick(draw, ADDRS4)}"
    if kind == "nfproto":
        return f"meta nfproto {neg}{draw(st.sampled_from(['ipv4', 'ipv6']))}"
    return f"meta l4proto {neg}{draw(st.sampled_from(['icmp', 'ipv6-icmp', 'tcp']))}"


@st.composite
def rule(draw: st.DrawFn, fam: str, hook: str) -> str:
    ms = []
    if draw(st.booleans()):
        ms.append(draw(proto_match(fam)))
    for _ in range(draw(st.integers(0, 2))):
        neg = "!= " if draw(st.integers(0, 5)) == 0 else ""
        kind = draw(st.sampled_from(["iifname", "oifname", "ct"]))
        if kind == "ct":
            states = draw(st.lists(st.sampled_from(STATES), min_size=1, max_size=2, unique=True))
            ms.append(f"ct state {{ {', '.join(states)} }}" if not neg else f"ct state != {states[0]}")
        else:
            ms.append(f"{kind} {neg}{_pick(draw, NAMES)}")
    verdicts = ["accept", "drop", "drop", "counter"]
    if hook in ("input", "forward", "output"):
        verdicts.append("reject")
    return " ".join([*ms, draw(st.sampled_from(verdicts))])


#: the NAT statements each hook allows (nft_nat_validate), as in nftgen, and the nat chains' priorities
NAT_STMTS = {"prerouting": ["dnat", "redirect"], "output": ["dnat", "redirect"], "postrouting": ["snat", "masquerade"]}
NAT_STMTS["input"] = ["snat"]
NAT_PRIOS = [-150, -100, -100, 0, 10, 100, 100, 150]
NAT_PORTS = [22, 53, 80, 8080]


@st.composite
def nat_rule(draw: st.DrawFn, fam: str, hook: str, ports: bool = False) -> str:
    """A rule of an ip6 or inet nat chain (§11.18): snat/dnat to an address of the lab, masquerade,
    redirect; with ``ports``, dnat/redirect/snat/masquerade to a port after a TCP/UDP match;
    in an inet table now and then an IPv4 statement, which IPv6 packets pass by."""
    ms = []
    if draw(st.booleans()):
        ms.append(draw(proto_match(fam)))
    if draw(st.booleans()):
        ms.append(f"{draw(st.sampled_from(['iifname', 'oifname']))} {_pick(draw, NAMES)}")
    if draw(st.integers(0, 5)) == 0:
        return " ".join([*ms, draw(st.sampled_from(["accept", "drop", "counter"]))])
    kind = draw(st.sampled_from(NAT_STMTS[hook]))
    port = None
    if ports and not any(m.split()[0] in ("icmpv6", "icmp", "meta") for m in ms) and draw(st.booleans()):
        ms.append(draw(st.sampled_from(["tcp dport 22", "tcp dport { 22, 80 }", "udp dport 53", "tcp dport 80"])))
        port = draw(st.sampled_from(NAT_PORTS))
    if kind in ("snat", "dnat"):
        # nft takes the statement's family from the rule's context ("conflicting protocols" else)
        v4 = any(m.startswith(("icmp ", "ip ", "meta nfproto ipv4")) for m in ms)
        v6 = any(m.startswith(("icmpv6 ", "ip6 ", "meta nfproto ipv6")) for m in ms)
        if fam == "inet" and (v4 or (not v6 and draw(st.integers(0, 4)) == 0)):
            return " ".join([*ms, f"{kind} ip to {draw(st.sampled_from(ADDRS4[:2]))}"])
        addr = draw(st.sampled_from(ADDRS6))
        to = f"[{addr}]:{port}" if port is not None else addr
        return " ".join([*ms, f"{kind} ip6 to {to}" if fam == "inet" else f"{kind} to {to}"])
    return " ".join([*ms, f"{kind} to :{port}" if port is not None else kind])


def nat_chains(draw: st.DrawFn, fam: str, ports: bool = False) -> list[str]:
    """One or two nat chains of an ip6 or inet table."""
    out = []
    for i, hook in enumerate(draw(st.lists(st.sampled_from(list(NAT_STMTS)), min_size=1, max_size=2, unique=True))):
        rules = draw(st.lists(nat_rule(fam, hook, ports), min_size=1, max_size=3))
        out.append(
            f"  chain n{i} {{\n    type nat hook {hook} priority {draw(st.sampled_from(NAT_PRIOS))}; policy accept;\n"
            + "".join(f"    {r}\n" for r in rules)
            + "  }"
        )
    return out


@st.composite
def ruleset(draw: st.DrawFn) -> str:
    out = []
    for t in range(draw(st.integers(1, 2))):
        fam = draw(st.sampled_from(["ip", "ip6", "inet", "inet"]))
        body = []
        for i, hook in enumerate(draw(st.lists(st.sampled_from(HOOKS), min_size=1, max_size=2))):
            prio = draw(st.sampled_from([-300, -150, 0, 0, 10]))
            policy = draw(st.sampled_from(["accept", "accept", "drop"]))
            rules = draw(st.lists(rule(fam, hook), min_size=0, max_size=4))
            body.append(
                f"  chain c{i} {{\n    type filter hook {hook} priority {prio}; policy {policy};\n"
                + "".join(f"    {r}\n" for r in rules)
                + "  }"
            )
        if fam != "ip" and draw(st.booleans()):
            body += nat_chains(draw, fam)
        out.append(f"table {fam} t{t} {{\n" + "\n".join(body) + "\n}")
    return "\n".join(out)


@st.composite
def labs(draw: st.DrawFn) -> str:
    nodes = {n: "" for n in ("a", "c", "r1", "r2", "b")}
    for n in draw(st.lists(st.sampled_from(list(nodes)), min_size=1, max_size=3, unique=True)):
        nodes[n] = "    nftables: |\n" + "".join(f"      {ln}\n" for ln in draw(ruleset()).splitlines())
    return TOPOLOGY.format(**nodes)


@fuzz_settings(12)
@given(labs())
def test_ipv6_rulesets_agree_with_the_kernel(text: str) -> None:
    assert sim_unsupported(load_text(text)) is None, text  # the generator stays inside the subset
    bad = compare(text)
    if log := os.environ.get("FUZZ_LOG"):  # one line per example: nat chains or not, cells, outcome
        sim = Simulator(resolve(load_text(text)))
        rows = sim.matrix()["rows"]
        nat6 = sum(  # IPv6 echo connections NAT translated (in the tables as the matrix left them)
            1
            for s in sim.world.stacks.values()
            for e in s.conntrack.by_orig.values()
            if e.orig[0] == 58 and (e.src_nat or e.dst_nat)
        )
        with open(log, "a") as f:
            cells = sum(map(len, rows.values()))
            f.write(f"nat={'type nat' in text} translated6={nat6} cells={cells} disagreements={len(bad)}\n")
    assert not bad, "the simulator disagrees with the kernel:\n" + "\n".join(bad) + "\n--- lab ---\n" + text
