"""The ip export of a lab full of shell metacharacters, run for real (issue #12).

The script runs as root in a sandbox with a fresh working directory; every
hostile string would create a canary file there (``id>c1`` …) if the shell
ever read it as code. The devices must exist under exactly the names the lab
gives, as `ip -json` reads them back.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

from tests.unit.test_hostile_names import HOSTILE, SYSCTL, hostile_ifnames

from .conftest import ip_json, netns_list


def _run_script(path: str) -> dict:
    script = subprocess.run(
        [sys.executable, "-m", "vnetlab", "export", path, "--format", "ip"], capture_output=True, text=True, check=True
    ).stdout
    with tempfile.TemporaryDirectory() as cwd:
        p = subprocess.run(["sh", "-c", script], cwd=cwd, capture_output=True, text=True, check=False)
        canaries = sorted(os.listdir(cwd))
    names = {ln["ifname"] for ns in netns_list() for ln in ip_json(ns, "link", "show")}
    return {"rc": p.returncode, "stderr": p.stderr, "canaries": canaries, "names": names, "netns": netns_list()}


def test_hostile_names_build_exactly_and_run_nothing(in_sandbox) -> None:
    got = in_sandbox(_run_script, str(HOSTILE))
    assert got["canaries"] == []
    assert got["rc"] == 0, got["stderr"]
    assert hostile_ifnames() <= got["names"]
    assert got["netns"] == ["x--y-n--y", "x--y-n__x", "x--y-s--w"]


def test_hostile_sysctl_value_is_one_word(in_sandbox) -> None:
    got = in_sandbox(_run_script, str(SYSCTL))
    assert got["canaries"] == []
    assert got["rc"] != 0  # the kernel refuses the value; the shell never ran it
    assert "ip_forward" in got["stderr"]
