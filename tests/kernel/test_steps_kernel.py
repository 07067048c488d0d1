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
