"""The simulator loads its IPv6 and nftables parts only for a lab that needs them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

_PROG = """
import sys
from vnetlab import load, resolve
from vnetlab.sim import Simulator
from vnetlab.verify.trace import trace
sim = Simulator(resolve(load(sys.argv[1])))
sim.matrix()
trace(sim, sim.endpoints[0], sim.targets[-1].address)
print(" ".join(sorted(m for m in ("vnetlab.sim.ipv6", "vnetlab.sim.nft", "vnetlab.nft", "vnetlab.plan.build") if m in sys.modules)))
"""


@pytest.mark.parametrize(
    ("lab", "loaded"),
    [
        ("router.yaml", ""),  # IPv4, no ruleset
        ("router-filter.yaml", "vnetlab.nft vnetlab.sim.nft"),
        ("v6-routed.yaml", "vnetlab.sim.ipv6"),
        ("v6-nft-inet.yaml", "vnetlab.nft vnetlab.sim.ipv6 vnetlab.sim.nft"),
    ],
)
def test_what_a_simulation_loads(lab: str, loaded: str) -> None:
    out = subprocess.run(
        [sys.executable, "-c", _PROG, str(ROOT / "labs" / lab)], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == loaded.split()
