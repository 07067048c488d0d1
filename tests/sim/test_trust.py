"""Issue #12: the simulator's answers are one semantics.

* the matrix (fast paths on) equals the full flood (what runs while tracing)
  and equals `trace` cell by cell, on every shipped and regression lab;
* the regression labs' expectations hold on the simulator (the kernel side is
  tests/differential/test_fuzz.py::test_regression_labs);
* a 1,000-port hub is fully reachable, and a real bridge loop is still a loop;
* `trace` lists the cause on the path first, harmless flood copies last.
"""

from __future__ import annotations

import time

import pytest

from tests.conftest import LABS, ROOT
from vnetlab import load, load_text, resolve
from vnetlab.sim import Simulator

REGRESSIONS = sorted((ROOT / "tests" / "differential" / "regressions").glob("*.yaml"))
DATA = ROOT / "tests" / "data" / "sim"


def oracle(r, proto: str = "icmp", port: int | None = None) -> list[str]:
    """Cells where the matrix and a fresh `trace` of that one pair disagree."""
    rows = Simulator(r).matrix(proto, port)["rows"]
    tracer = Simulator(r)  # what `vnetlab trace` and `test` use, one cell after another
    bad = []
    for src, row in rows.items():
        for addr, ok in row.items():
            traced = tracer.ping(src, addr, flush=True, proto=proto, port=port)[0].ok
            if traced != ok:
                bad.append(f"{src} -> {addr}: matrix {ok}, trace {traced}")
    return bad


@pytest.mark.parametrize("path", LABS + REGRESSIONS, ids=lambda p: p.name)
def test_matrix_equals_trace(path) -> None:
    from vnetlab.sim import sim_unsupported

    if why := sim_unsupported(load(path)):  # refused, never silently accepted (test_cli_sim checks the exit 3)
        assert "nftables" in why
        return
    assert oracle(resolve(load(path))) == []


PORT_LABS = [p for p in LABS if "proto: tcp" in p.read_text() or "proto: udp" in p.read_text()]


@pytest.mark.parametrize("probe", [("tcp", 80), ("tcp", 22), ("udp", 53)], ids=lambda p: f"{p[0]}-{p[1]}")
@pytest.mark.parametrize("path", PORT_LABS, ids=lambda p: p.name)
def test_port_matrix_equals_trace(path, probe) -> None:
    """The port probes' matrix (TCP, UDP) is the same semantics as `trace --proto --port`."""
    assert PORT_LABS, "no shipped lab has port expectations"
    assert oracle(resolve(load(path)), *probe) == []


@pytest.mark.parametrize("path", REGRESSIONS, ids=lambda p: p.name)
def test_regression_expectations_hold_on_the_simulator(path) -> None:
    lab = load(path)
    sim = Simulator(lab)
    for e in lab.expect:
        for res in sim.ping(e.from_, e.to, flush=True):
            assert res.ok == e.reach, f"{e.from_} -> {res.dst}: sim {res.ok}, expected {e.reach}"


def hub(n: int) -> str:
    """One node with a bridge and n veth ports, a node behind each (198.18.0.0/16)."""
    lines = ["lab: hub", "nodes:", "  hub:", "    interfaces:", "      br0: {kind: bridge, addresses: [198.18.0.1/16]}"]
    lines += [f"      p{i}: {{kind: veth, peer: n{i}/eth0, master: br0}}" for i in range(n)]
    for i in range(n):
        ip = f"198.18.{(i + 2) // 256}.{(i + 2) % 256}"
        lines += [f"  n{i}:", "    interfaces:", f"      eth0: {{kind: veth, peer: hub/p{i}, addresses: [{ip}/16]}}"]
    return "\n".join(lines) + "\n"


def test_a_1000_port_hub_is_fully_reachable() -> None:
    """The hub's 1,000 ARP broadcasts used to trip a global 1,000,000-event guard."""
    r = resolve(load_text(hub(1000)))
    t0 = time.perf_counter()
    m = Simulator(r).matrix()
    elapsed = time.perf_counter() - t0
    bad = [(s, a) for s, row in m["rows"].items() for a, ok in row.items() if not ok]
    assert len(m["rows"]) == 1001 and not bad, bad[:5]
    print(f"1000-port hub: 1001 x 1001 matrix in {elapsed:.1f}s")


def test_the_hub_row_without_fast_paths() -> None:
    """Every copy really made (as while capturing): 1,000 × 1,000 copies, no false loop."""
    sim = Simulator(resolve(load_text(hub(1000))))
    sim.world.captures["(force full flood)"] = []
    row = sim.probe("hub", [t.address for t in sim.targets])
    assert all(row.values()) and sim.world.loops == []


def test_a_bridge_loop_is_reported_as_a_loop(run_cli) -> None:
    lab = DATA / "bridge-loop.yaml"
    sim = Simulator(load(lab))
    t0 = time.perf_counter()
    sim.probe("a", ["198.51.100.2"])
    assert time.perf_counter() - t0 < 5
    assert sim.world.loops, "a broadcast storm went unnoticed"
    code, out, _ = run_cli("trace", str(lab), "a", "b")
    because = out.split("=>", 1)[1].splitlines()[1]
    assert code == 1 and "[forwarding-loop;" in because, out


def test_loop_free_labs_never_hit_the_loop_check() -> None:
    from vnetlab.sim import sim_unsupported

    for path in LABS + REGRESSIONS:
        if sim_unsupported(load(path)):
            continue  # the simulator refuses it (exit 3)
        sim = Simulator(load(path))
        for src in sim.endpoints:
            sim.probe(src, [t.address for t in sim.targets])
            assert sim.world.loops == [], (path.name, src)


def test_trace_names_the_cause_before_flood_copies(run_cli) -> None:
    code, out, _ = run_cli("trace", str(DATA / "because-order.yaml"), "a", "t")
    because = [ln for ln in out.splitlines() if ln.strip().startswith("because")]
    assert code == 1 and len(because) == 2, out
    assert "[echo-ignored; icmp_echo]" in because[0]
    assert "[bridge-no-hairpin; br_flood]" in because[1]


def test_trace_explains_a_cell_that_needs_its_row(run_cli) -> None:
    """Alone, h0 -> .12 fails; in the matrix row (all probes from one neighbour cache) it succeeds,
    and the trace must say what the matrix says, and why it traces the whole row."""
    lab = DATA / "row-concurrency.yaml"
    r = resolve(load(lab))
    assert Simulator(r).matrix()["rows"]["h0"]["198.51.100.12"] is True
    alone = Simulator(r)
    assert alone.probe("h0", ["198.51.100.12"]) == {"198.51.100.12": False}
    code, out, _ = run_cli("trace", str(lab), "h0", "198.51.100.12")
    assert code == 0 and "=> reachable" in out and "probes in one row" in out, out


def test_trace_names_the_flood_drop_that_kept_the_target_deaf(run_cli) -> None:
    """A parent pinging its own macvlan child over a switch without hairpin: the target never
    hears the ARP request, so the copy dropped at the switch's ingress port is the cause, and the
    source's "no ARP reply" is its symptom, named after it."""
    code, out, _ = run_cli("trace", str(ROOT / "labs" / "macvlan-modes.yaml"), "bridge", "198.51.100.11")
    because = [ln for ln in out.splitlines() if ln.strip().startswith("because")]
    assert code == 1 and "[bridge-no-hairpin; br_flood]" in because[0], out
    assert "[neigh-failed; neigh_timer_handler]" in because[1], out
