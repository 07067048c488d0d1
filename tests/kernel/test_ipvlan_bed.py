"""ipvlan on a real kernel (the full-kernel VM; this machine has no CONFIG_IPVLAN):
the §4.6 test bed in every mode and flag, with and without hairpin, with and
without static neighbours — the simulator's matrix must equal the kernel's."""

from __future__ import annotations

import pytest

from tests.sim.bed import bed
from vnetlab.kernel import KernelLab, preflight

pytestmark = pytest.mark.skipif(
    not preflight.supported(["ipvlan"]).get("ipvlan"),
    reason="this kernel lacks ipvlan (CONFIG_IPVLAN); runs in the full-kernel tier",
)


def _kernel_rows(r) -> dict:
    k = KernelLab(r)
    k.up()
    return k.matrix()["rows"]


@pytest.mark.parametrize("hairpin", [False, True])
@pytest.mark.parametrize("static", [False, True])
@pytest.mark.parametrize(
    "mode", ["l2 bridge", "l2 private", "l2 vepa", "l3 bridge", "l3 private", "l3 vepa", "l3s bridge"]
)
def test_ipvlan_bed_matches_the_kernel(in_sandbox, mode: str, hairpin: bool, static: bool) -> None:
    pairs = (("a", "b"), ("b", "a"), ("host", "a"), ("peer", "a")) if static else ()
    sim = bed(mode, mode, hairpin=hairpin, kind="ipvlan", static=pairs)
    ker = in_sandbox(_kernel_rows, sim.r)
    got = sim.matrix()["rows"]
    bad = [
        f"{s} -> {a}: sim {got[s][a]}, kernel {ok}"
        for s, row in ker.items()
        for a, ok in row.items()
        if got[s][a] != ok
    ]
    assert not bad, "\n".join(bad)
