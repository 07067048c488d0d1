"""IPv6 in labs with `steps:` on the kernel (kernel-semantics §11.17): `test --backend both`
applies each step in place and both backends agree, step by step, on the dual-stack step labs;
in steps-v6-route-order the kernel's verdicts are those of the replayed route order, not of a
fresh build of the step's lab."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

from .conftest import netns_list

V6_STEP_LABS = sorted((ROOT / "labs").glob("steps-v6-*.yaml"))


def _run(lab: str) -> dict:
    p = subprocess.run(
        [sys.executable, "-m", "vnetlab", "test", lab, "--backend", "both", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    return {"code": p.returncode, "out": p.stdout, "err": p.stderr, "left": netns_list()}


@pytest.mark.parametrize("lab", V6_STEP_LABS, ids=lambda p: p.name)
def test_dual_stack_steps_agree_on_both_backends(in_sandbox, lab) -> None:
    f = in_sandbox(_run, str(lab))
    assert f["code"] == 0, f["out"] + f["err"]
    doc = json.loads(f["out"])
    assert doc["steps"] and all(s["passed"] for s in doc["steps"])
    assert f["left"] == []


def test_the_kernel_keeps_the_older_prefix_route_after_a_step(in_sandbox) -> None:
    f = in_sandbox(_run, str(ROOT / "labs" / "steps-v6-route-order.yaml"))
    doc = json.loads(f["out"])
    step1 = doc["steps"][0]["expectations"]  # "eth0 joins the prefix"
    # h -> d's address: eth0's route came second, so h's packets leave by pv0
    assert step1[1]["backends"]["kernel"]["results"] == {"2001:db8:ee::d": False}
    step3 = doc["steps"][2]["expectations"]  # "pv0 up again"
    assert step3[1]["backends"]["kernel"]["results"] == {"2001:db8:ee::e": False}
