"""The verification layer on the simulator: one Matrix type, duplicate
addresses as one column with the answering owner, compare, Trace, and the
Python API's simulator half."""

from __future__ import annotations

import json

import pytest

import vnetlab
from tests.conftest import ROOT
from vnetlab.verify.compare import compare

DUP = ROOT / "tests" / "data" / "valid" / "duplicate-address.yaml"
MODES = ROOT / "labs" / "macvlan-modes.yaml"


def test_a_duplicate_address_is_one_column_that_names_every_owner() -> None:
    m = vnetlab.simulate(vnetlab.load(DUP)).matrix()
    assert [c.address for c in m.columns] == ["203.0.113.1", "192.0.2.1", "203.0.113.5", "192.0.2.2"]
    assert m.columns[0].nodes == ["a", "b"] and m.columns[2].nodes == ["a1", "b1"]
    assert all(len(row) == len(m.columns) for row in m.rows.values())


def test_answered_by_names_the_owner_on_the_sources_side() -> None:
    m = vnetlab.simulate(vnetlab.load(DUP)).matrix()
    by = m.answered_by
    assert by["a"]["203.0.113.5"] == "a1" and by["b"]["203.0.113.5"] == "b1"
    assert by["a1"]["203.0.113.1"] == "a" and by["b1"]["203.0.113.1"] == "b"
    assert by["x"]["203.0.113.5"] == "a1"  # routed through a: b1 is on another segment
    assert by["a"]["203.0.113.1"] == "a"  # its own address
    # only reached cells are named
    assert m.rows["b"]["192.0.2.1"] is False and "192.0.2.1" not in by["b"]


def test_matrix_json_keeps_rows_and_adds_answered_by(run_cli) -> None:
    code, out, _ = run_cli("matrix", str(DUP), "--json")
    assert code == 0
    doc = json.loads(out)
    assert set(doc) == {"lab", "backend", "targets", "rows", "answered_by", "elapsed_s"}
    assert doc["targets"][0] == {
        "node": "a",
        "interface": "v0",
        "address": "203.0.113.1",
        "family": 4,
        "owners": [{"node": "a", "interface": "v0"}, {"node": "b", "interface": "v0"}],
    }
    assert doc["targets"][1] == {
        "node": "a",
        "interface": "vx",
        "address": "192.0.2.1",
        "family": 4,
    }  # one owner: as before
    assert doc["rows"]["b1"] == {"203.0.113.1": True, "192.0.2.1": False, "203.0.113.5": True, "192.0.2.2": False}
    assert doc["answered_by"]["b1"] == {"203.0.113.1": "b", "203.0.113.5": "b1"}


def test_matrix_table_names_the_owners_and_who_replied(run_cli) -> None:
    code, out, _ = run_cli("matrix", str(DUP))
    assert code == 0
    assert "a / b" in out and "a1 / b1" in out
    b1_row = next(line for line in out.splitlines() if line.startswith("│ b1 "))
    assert "✔ b " in b1_row and "✔ a " not in b1_row
    assert out.count("203.0.113.5") == 1  # one column, not one per owner


def test_compare_finds_the_cells_that_differ() -> None:
    sim = vnetlab.simulate(vnetlab.load(DUP))
    m1, m2 = sim.matrix(), sim.matrix()
    assert vnetlab.compare(m1, m2) == []
    m2.rows["b"]["192.0.2.1"] = True
    m2.answered_by["x"]["203.0.113.5"] = "b1"  # same verdict, another owner: also a disagreement
    bad = compare(m1, m2)
    assert [(c.src, c.address, c.a, c.b) for c in bad] == [
        ("b", "192.0.2.1", False, True),
        ("x", "203.0.113.5", True, True),
    ]
    assert bad[1].a_by == "a1" and bad[1].b_by == "b1" and bad[0].owners == "a"
    m2.unchecked = frozenset({"192.0.2.1"})  # a cell a backend cannot judge is not compared
    m2.unchecked_sources = frozenset({"x"})
    assert compare(m1, m2) == []


def test_simulate_checks_the_lab_first() -> None:
    data = {
        "lab": "t",
        "nodes": {
            "h": {
                "interfaces": {
                    "eth0": {"kind": "veth", "peer": "nowhere/x"},
                    "mv0": {"kind": "macvlan", "parent": "eth9"},
                }
            }
        },
    }
    lab = vnetlab.Lab.model_validate(data)  # the model alone accepts it
    with pytest.raises(vnetlab.LabInvalid) as e:
        vnetlab.simulate(lab)
    assert len(e.value.issues) >= 2 and {i.rule for i in e.value.issues} == {"unresolved-ref"}


def test_simulation_api() -> None:
    sim = vnetlab.simulate(MODES)
    assert sim.ping("b1", "b2") is True
    assert sim.ping("bridge", "b1") is False
    t = sim.trace("bridge", "b1")
    assert isinstance(t, vnetlab.Trace)
    assert t.verdict == "no reach" and t.reached is False and t.hops
    assert any("[bridge-no-hairpin; br_flood]" in b for b in t.because)
    assert sim.trace("b1", "b2").because == []
    m = sim.matrix()
    assert isinstance(m, vnetlab.Matrix) and m.as_json()["rows"] == m.rows
    assert all(o.passed for o in sim.evaluate())
    assert not sim.ping("b1", "2001:db8::1")  # an IPv6 destination: no IPv6 in this lab, no route
    with pytest.raises(vnetlab.InputError):
        sim.ping("b1", "nonsense")


def test_trace_json_and_text_are_unchanged_in_shape(run_cli) -> None:
    code, out, _ = run_cli("trace", str(MODES), "bridge", "b1", "--json")
    doc = json.loads(out)
    assert code == 1 and doc["traces"][0]["dst"] == "198.51.100.11" and doc["traces"][0]["reachable"] is False
    code, out, _ = run_cli("trace", str(MODES), "bridge", "b1")
    assert code == 1 and "because lan/p0" in out and "=> unreachable" in out
