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


def _state(sim: Simulator) -> tuple:
    """What a matrix row leaves: neighbour entries, dirty stacks, waiting resolutions, bridge FDBs."""
    w = sim.world
    neigh = {n: sorted((k[0].label, k[1], v.mac, v.state) for k, v in st.neigh.items()) for n, st in w.stacks.items()}
    fdbs = {
        label: sorted((k, e.port.dev.label if e.port else None, e.local) for k, e in d.fdb.items())
        for label, d in w.devices.items()
        if hasattr(d, "ports") and isinstance(getattr(d, "fdb", None), dict)
    }
    return neigh, sorted(s.name for s in w.dirty), {k: [d.label for d in v] for k, v in w.waiting.items()}, fdbs


def _rows_and_states(text: str, full: bool) -> list[tuple]:
    sim = Simulator(load_text(text))
    if full:
        sim.world.captures["(force full flood)"] = []
    from vnetlab.verify.matrix import columns

    cols = columns(sim.r)
    addrs = [c.address for c in cols]
    out = []
    with sim.measuring(cols):
        for s in sim.sources():
            out.append((sim.answers(s, addrs), _state(sim)))
    return out


_TWO_NICS = "  two:\n    interfaces:\n      eth0: {kind: nic, switch: sw, addresses: [198.19.1.1/15]}\n      eth1: {kind: nic, switch: sw, addresses: [198.19.1.2/15]}\n"


@pytest.mark.parametrize(
    "text",
    [
        star(20),
        star(10, v6=True),
        star(12) + _TWO_NICS,
        star(12) + '    neighbors:\n      - {address: 198.18.0.3, lladdr: "02:00:00:00:00:03", dev: eth0}\n',
        star(12) + "    sysctl: {net.ipv4.icmp_echo_ignore_all: 1}\n",
        star(12) + "    sysctl: {net.ipv4.conf.all.arp_ignore: 2}\n",
    ],
    ids=["star20", "dual-stack", "two-nics", "static-entry", "echo-ignored", "arp-ignore"],
)
def test_whole_echo_exchange_leaves_the_same_state(text: str) -> None:
    """Stack.echo_on_bridge (a cell's exchange in one step) leaves, after every row, the
    answers and the state the events leave (the full path runs while capturing)."""
    assert _rows_and_states(text, False) == _rows_and_states(text, True)
