"""`steps:` on the kernel through the command line: `test --backend both` brings
the lab up in a throw-away sandbox, checks each step after applying it, and
compares both backends per step; a step whose kernel verdict differs fails."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

from .conftest import netns_list

LAB = str(ROOT / "labs" / "steps-link-down.yaml")


def _vnetlab(*args: str) -> tuple[int, str, str]:
    p = subprocess.run([sys.executable, "-m", "vnetlab", *args], capture_output=True, text=True, check=False)
    return p.returncode, p.stdout, p.stderr


def _run(lab: str) -> dict:
    return {"test": _vnetlab("test", lab, "--backend", "both", "--json"), "left": netns_list()}


def test_both_backends_agree_on_every_step(in_sandbox) -> None:
    f = in_sandbox(_run, LAB)
    code, out, err = f["test"]
    assert code == 0, out + err
    doc = json.loads(out)
    assert [s["name"] for s in doc["steps"]] == ["parent down", "parent up", "veth peer down"]
    down = doc["steps"][0]["expectations"][0]
    assert down["backends"]["kernel"]["results"] == {"198.18.1.2": False}
    assert doc["steps"][1]["expectations"][0]["backends"]["kernel"]["results"] == {"198.18.1.2": True}
    assert "changed in place" in err
    assert [c["text"] for c in doc["steps"][0]["kernel_changes"] if c["action"] == "change"] == ["set eth0 down"]
    assert f["left"] == []  # the sandboxed lab is gone


def test_a_wrong_step_fails_on_the_kernel(in_sandbox, tmp_path) -> None:
    text = Path(LAB).read_text()
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(text.replace("- {from: host, to: box, reach: false,", "- {from: host, to: box, reach: true,"))
    f = in_sandbox(_vnetlab, "test", str(wrong), "--backend", "kernel", "--json")
    code, out, _ = f
    assert code == 1
    doc = json.loads(out)
    assert [s["passed"] for s in doc["steps"]] == [True, True, False]
    bad = doc["steps"][2]["expectations"][0]
    assert bad["backends"]["kernel"]["results"] == {"203.0.113.2": False} and not bad["passed"]


def test_a_step_that_makes_a_device_again_reloads_the_rulesets_naming_it(in_sandbox) -> None:
    """`iif "mv0"` is resolved to mv0's index when nft loads the rule; a step that
    recreates mv0 (a mode change to passthru) loads the node's ruleset again, so the
    kernel accepts on the new mv0 as the simulator does (before: no reach)."""
    lab = str(ROOT / "tests" / "data" / "steps-nft-recreate.yaml")
    code, out, err = in_sandbox(_vnetlab, "test", lab, "--backend", "both", "--json")
    assert code == 0, out + err
    doc = json.loads(out)
    (step,) = doc["steps"]
    assert step["name"] == "passthru" and step["passed"]
    assert step["expectations"][0]["backends"]["kernel"]["results"] == {"192.0.2.11": True}
    assert [c["action"] for c in step["kernel_changes"] if c.get("op") == "nft"] == ["refresh"]
