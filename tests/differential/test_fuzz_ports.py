"""Differential fuzzing of port probes: the random rulesets of nftgen (filter chains that
match tcp dport 22, udp dport 53, meta l4proto, ct state...; nat chains with snat, dnat,
masquerade and redirect, dnat/redirect also to a port), the simulator's TCP and UDP port
matrices against the kernel's, the kernel as the judge. FUZZ_N examples (default 6).
A lab the simulator refuses mid-matrix (exit 3: a NAT to a port whose connection clashes)
is not an example."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, reject

from vnetlab import load_text, resolve
from vnetlab.kernel import KernelLab, sandbox
from vnetlab.sim import Simulator, sim_unsupported
from vnetlab.sim.nft import ProbeUnsupported

from .fuzzing import fuzz_settings
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
        if e.orig[0] != 1 and (e.src_nat or e.dst_nat)
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
