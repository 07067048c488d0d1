"""The simulator's shortcuts (ARP requests delivered only where they can change
something) must give exactly the matrix of the full flood, which is what runs
while tracing or capturing."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import LABS, ROOT
from vnetlab import load, load_text
from vnetlab.sim import Simulator
from vnetlab.steps import lab_after, states

sys.path.insert(0, str(ROOT / "benchmarks"))
from genlabs import macvlans, star


def _both(lab) -> tuple[dict, dict]:
    fast = Simulator(lab)
    full = Simulator(lab)
    full.world.captures["(force full flood)"] = []
    a, b = fast.matrix(), full.matrix()
    return a["rows"], b["rows"]


@pytest.mark.parametrize(
    "path", LABS + sorted((ROOT / "tests" / "differential" / "regressions").glob("*.yaml")), ids=lambda p: p.name
)
def test_shipped_labs(path) -> None:
    from vnetlab.sim import sim_unsupported

    lab = load(path)
    if why := sim_unsupported(lab):  # refused, never silently accepted (test_cli_sim checks the exit 3)
        assert "nftables" in why
        return
    fast, full = _both(lab_after(lab, None))
    assert fast == full
    for name, after in states(lab):  # and the lab after each of its steps
        fast, full = _both(after)
        assert fast == full, name


@pytest.mark.parametrize(
    "text",
    [star(20), macvlans(12), macvlans(12, "vepa"), macvlans(12, "private")],
    ids=["star20", "mv-bridge", "mv-vepa", "mv-private"],
)
def test_generated_labs(text: str) -> None:
    fast, full = _both(load_text(text))
    assert fast == full


def test_a_hairpin_star_with_static_entries() -> None:
    text = star(12).replace("  sw: {}", "  sw: {hairpin: true}")
    text += '    neighbors:\n      - {address: 198.18.0.3, lladdr: "02:00:00:00:00:03", dev: eth0}\n'
    fast, full = _both(load_text(text))
    assert fast == full
