"""`steps:` through the command line on the simulator: test per step, --step."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import ROOT

VEPA = str(ROOT / "labs" / "steps-vepa-hairpin.yaml")


def test_test_json_reports_each_step(run_cli) -> None:
    code, out, _ = run_cli("test", VEPA, "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["passed"] is True
    assert [(e["from"], e["to"], e["results"]) for e in doc["expectations"]] == [
        ("v1", "v2", {"192.0.2.12": False}),
        ("v1", "peer", {"192.0.2.66": True}),
    ]
    assert [s["name"] for s in doc["steps"]] == ["hairpin on", "hairpin off"]
    on, off = doc["steps"]
    assert on["expectations"][0]["results"] == {"192.0.2.12": True} and on["passed"]
    assert off["expectations"][0]["results"] == {"192.0.2.12": False} and off["passed"]


def test_text_has_a_header_per_step(run_cli) -> None:
    code, out, err = run_cli("test", VEPA)
    assert code == 0
    assert "== the lab as written" in out and "== step hairpin on" in out and "== step hairpin off" in out
    assert "5 passed, 0 failed (2 steps)" in err


def test_a_failing_step_exits_1(tmp_path, run_cli) -> None:
    text = Path(VEPA).read_text().replace("- {from: v1, to: v2, reach: false}\n", "- {from: v1, to: v2, reach: true}\n")
    lab = tmp_path / "wrong.yaml"
    lab.write_text(text)
    code, out, _ = run_cli("test", str(lab), "--json")
    assert code == 1
    doc = json.loads(out)
    assert [s["passed"] for s in doc["steps"]] == [True, False]
    assert all(e["passed"] for e in doc["expectations"])


def test_matrix_and_trace_take_a_step(run_cli) -> None:
    def cell(*step: str) -> bool:
        code, out, _ = run_cli("matrix", VEPA, "--json", *step)
        assert code == 0
        return json.loads(out)["rows"]["v1"]["192.0.2.12"]

    assert [cell(), cell("--step", "hairpin on"), cell("--step", "hairpin off")] == [False, True, False]
    assert run_cli("trace", VEPA, "v1", "v2", "--step", "hairpin on")[0] == 0
    code, out, _ = run_cli("trace", VEPA, "v1", "v2")
    assert code == 1 and "bridge-no-hairpin" in out


def test_unknown_step_is_exit_2_listing_the_names(run_cli) -> None:
    for cmd in (["matrix", VEPA], ["trace", VEPA, "v1", "v2"], ["diff", VEPA]):
        code, _, err = run_cli(*cmd, "--step", "hairpin of")
        assert code == 2, cmd
        assert "no step named 'hairpin of'; the steps are: 'hairpin on', 'hairpin off'" in err, err
