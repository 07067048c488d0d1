"""Differential fuzzing of port probes: the random rulesets of nftgen (filter chains that
match tcp dport 22, udp dport 53, meta l4proto, ct state...; nat chains with snat, dnat,
masquerade and redirect, dnat/redirect also to a port), the simulator's TCP and UDP port
matrices against the kernel's, the kernel as the judge. FUZZ_N examples (default 6).
The same for IPv6 and dual-stack labs below (FUZZ_PORTS6_N, default 3).
A lab the simulator refuses mid-matrix (exit 3: a NAT to a port whose connection clashes)
is not an example."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, reject
from hypothesis import strategies as st

from vnetlab import load_text, resolve
from vnetlab.kernel import KernelLab, sandbox
from vnetlab.sim import Simulator, sim_unsupported
from vnetlab.sim.nft import ProbeUnsupported

from . import test_fuzz_nft6 as nft6
from .fuzzing import fuzz_settings
from .labgen6 import dual_labs
from .nftgen import labs
from .test_fuzz import ROOT_OK

pytestmark = [
    pytest.mark.kernel,
    pytest.mark.skipif(not ROOT_OK, reason="needs root or user namespaces for the kernel side"),
]

PROBES = [("tcp", 22), ("tcp", 80), ("udp", 53)]


def _kernel(text: str, timeout: float = 0.3, retries: int = 0) -> list[dict]:
    k = KernelLab(resolve(load_text(text)))
    k.timeout = timeout
    k.retries = retries
    k.up()
    return [k.matrix(p, n).as_json() for p, n in PROBES]


#: how many TCP/UDP connections the last compare_ports saw NAT translate in the simulator
TRANSLATED = [0]


def compare_ports(text: str) -> list[str]:
    sim = Simulator(resolve(load_text(text)))
    s = [sim.matrix(p, n).as_json() for p, n in PROBES]
    TRANSLATED[0] = sum(
        1
        for st in sim.world.stacks.values()
        for e in st.conntrack.by_orig.values()
        if e.orig[0] not in (1, 58) and (e.src_nat or e.dst_nat)
    )

    def bad(ker: list[dict]) -> set[tuple[int, str, str]]:
        return {
            (i, src, a)
            for i, (km, sm) in enumerate(zip(ker, s, strict=True))
            for src, row in km["rows"].items()
            for a, ok in row.items()
            if sm["rows"][src][a] != ok or sm["answered_by"][src].get(a) != km["answered_by"][src].get(a)
        }

    ker = sandbox.run(_kernel, text)
    cells = bad(ker)
    if cells:  # a loaded machine: ask again, patiently
        ker = sandbox.run(_kernel, text, 2.0, 2)
        cells &= bad(ker)
    return [
        f"{PROBES[i][0]}/{PROBES[i][1]} {src} -> {a}: sim {s[i]['rows'][src][a]}, kernel {ker[i]['rows'][src][a]}"
        for i, src, a in sorted(cells)
    ]


@fuzz_settings(6)
@given(labs())
def test_port_probes_agree_with_the_kernel(text: str) -> None:
    assert sim_unsupported(load_text(text)) is None, text
    log = os.environ.get("FUZZ_LOG")  # one line per example: whether it has nat chains, and its outcome
    nat = "type nat" in text
    try:
        bad = compare_ports(text)
    except ProbeUnsupported as e:
        if log:
            with open(log, "a") as f:
                f.write(f"nat={nat} refused {e}\n")
        reject()  # refused, named, never guessed: not a disagreement
    if log:
        with open(log, "a") as f:
            f.write(f"nat={nat} translated={TRANSLATED[0]} disagreements={len(bad)}\n")
    assert not bad, "the simulator disagrees with the kernel:\n" + "\n".join(bad) + "\n--- lab ---\n" + text


# IPv6 (issues #13, #14) ------------------------------------------------------------------------------
# test_fuzz_nft6's dual-stack two-router topology (a's requests to b through r1, b's replies
# through r2, both families) with random ip/ip6/inet filter rulesets that match the probes'
# ports, l4proto and ct state, half of them with ip6/inet nat chains (to ports too), and labgen6's random dual-stack labs without a ruleset: every
# port cell of both families, sim against kernel.

PORTS6 = ["22", "80", "53", "{ 22, 53 }", "1-100"]


@st.composite
def _rule6(draw: st.DrawFn, fam: str, hook: str) -> str:
    ms = []
    kind = draw(st.sampled_from(["tcp", "udp", "th", "l4", "addr", "none"]))
    neg = "!= " if draw(st.integers(0, 5)) == 0 else ""
    if kind in ("tcp", "udp"):
        ms.append(f"{kind} dport {neg}{draw(st.sampled_from(PORTS6))}")
    elif kind == "th":
        ms.append(f"meta l4proto {{ tcp, udp }} th dport {neg}{draw(st.sampled_from(PORTS6))}")
    elif kind == "l4":
        ms.append(f"meta l4proto {neg}{draw(st.sampled_from(['tcp', 'udp', 'ipv6-icmp', 'icmp']))}")
    elif kind == "addr" and fam != "ip":
        ms.append(f"ip6 {draw(st.sampled_from(['saddr', 'daddr']))} {neg}{draw(st.sampled_from(nft6.ADDRS6))}")
    for _ in range(draw(st.integers(0, 1))):
        if draw(st.booleans()):
            states = draw(st.lists(st.sampled_from(nft6.STATES), min_size=1, max_size=2, unique=True))
            ms.append(f"ct state {{ {', '.join(states)} }}")
        else:
            ms.append(f"{draw(st.sampled_from(['iifname', 'oifname']))} {draw(st.sampled_from(nft6.NAMES))}")
    verdicts = ["accept", "drop", "drop", "counter"]
    if hook in ("input", "forward", "output"):
        verdicts.append("reject")
    return " ".join([*ms, draw(st.sampled_from(verdicts))])


@st.composite
def _ruleset6(draw: st.DrawFn) -> str:
    fam = draw(st.sampled_from(["ip6", "inet", "inet"]))
    body = []
    for i, hook in enumerate(draw(st.lists(st.sampled_from(nft6.HOOKS), min_size=1, max_size=2))):
        prio = draw(st.sampled_from([-150, 0, 0, 10]))
        rules = draw(st.lists(_rule6(fam, hook), min_size=1, max_size=4))
        # ND passes (a policy drop without it breaks IPv6 whole, which test_fuzz_nft6 covers)
        nd = "    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept\n"
        body.append(
            f"  chain c{i} {{\n    type filter hook {hook} priority {prio}; "
            f"policy {draw(st.sampled_from(['accept', 'accept', 'drop']))};\n"
            + nd
            + "".join(f"    {r}\n" for r in rules)
            + "  }"
        )
    if draw(st.integers(0, 1)) == 0:  # nat chains (§11.18), to ports too
        body += nft6.nat_chains(draw, fam, ports=True)
    return f"table {fam} t {{\n" + "\n".join(body) + "\n}"


@st.composite
def labs6(draw: st.DrawFn) -> str:
    if draw(st.booleans()):  # (a third of labgen6's labs are left out below)
        return draw(dual_labs())
    nodes = {n: "" for n in ("a", "c", "r1", "r2", "b")}
    for n in draw(st.lists(st.sampled_from(list(nodes)), min_size=1, max_size=2, unique=True)):
        nodes[n] = "    nftables: |\n" + "".join(f"      {ln}\n" for ln in draw(_ruleset6()).splitlines())
    return nft6.TOPOLOGY.format(**nodes)


@fuzz_settings(3, "FUZZ_PORTS6_N")
@given(labs6())
def test_ipv6_port_probes_agree_with_the_kernel(text: str) -> None:
    lab = load_text(text)
    if sim_unsupported(lab) is not None:  # (labgen6 draws some labs the simulator refuses, named: not an example)
        reject()
    log = os.environ.get("FUZZ_LOG")  # one line per example: its kind, cells and outcome
    kind = "labgen6" if text.startswith("lab: fz6\n") else "nft6"
    try:
        bad = compare_ports(text)
    except ProbeUnsupported as e:
        if log:
            with open(log, "a") as f:
                f.write(f"{kind} refused {e}\n")
        reject()
    if log:
        cells = sum(len(row) for row in Simulator(resolve(lab)).matrix("tcp", 80).as_json()["rows"].values())
        with open(log, "a") as f:
            nat = "type nat" in text
            f.write(
                f"{kind} nat={nat} translated={TRANSLATED[0]} cells={cells * len(PROBES)} disagreements={len(bad)}\n"
            )
    assert not bad, "the simulator disagrees with the kernel:\n" + "\n".join(bad) + "\n--- lab ---\n" + text
