"""The CLI against a lab that is up, from a process that cannot see it, and
with names it did not choose: a user without the privileges to enter the
lab's namespaces is told so (exit 3), never that no lab runs; and names read
back from the kernel reach the terminal escaped."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

from .conftest import netns_list

LAB = str(ROOT / "labs" / "veth-container.yaml")
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def _vnetlab(*args: str, user: list[str] | None = None) -> tuple[int, str, str]:
    cmd = [*(user or []), sys.executable, "-m", "vnetlab", *args]
    p = subprocess.run(cmd, capture_output=True, text=True, check=False)
    return p.returncode, p.stdout, p.stderr


def _unprivileged() -> dict:
    from vnetlab import load, resolve
    from vnetlab.kernel import KernelLab

    KernelLab(resolve(load(LAB))).up()
    f = {
        "list": _vnetlab("list", user=NOBODY),
        "list-json": _vnetlab("list", "--json", user=NOBODY),
        "down": _vnetlab("down", "nspawn", user=NOBODY),
        "status": _vnetlab("status", "nspawn", user=NOBODY),
        "exec": _vnetlab("exec", "nspawn", "web", "true", user=NOBODY),
        "import": _vnetlab("import", "--all", user=NOBODY),
    }
    f["netns_after"] = netns_list()
    f["root_list"] = _vnetlab("list", "--json")
    f["root_down"] = _vnetlab("down", "nspawn")
    f["root_list_after"] = _vnetlab("list")
    return f


def test_without_privileges_the_cli_says_it_cannot_see(in_sandbox) -> None:
    f = in_sandbox(_unprivileged)
    for cmd in ("list", "list-json", "down", "status", "exec", "import"):
        code, out, err = f[cmd]
        assert code == 3 and out == "", (cmd, code, out, err)
        assert "seeing the labs on this machine needs root: as uid 65534" in err, (cmd, err)
        assert "cannot enter /run/netns/" in err and "Operation not permitted" in err, (cmd, err)
    assert f["netns_after"] == ["nspawn-host", "nspawn-web"]  # the unprivileged down removed nothing
    assert json.loads(f["root_list"][1]) == {"labs": [{"lab": "nspawn", "namespaces": ["host", "web"]}]}
    assert f["root_down"][0] == 0 and "removed 2 namespaces" in f["root_down"][1]
    assert f["root_list_after"] == (0, "no labs are running\n", "")


ESC = "e\x1b[31m"
ESC2 = "p\x1b]0;x\x07"


def _odd_names() -> dict:
    from vnetlab import load, resolve
    from vnetlab.kernel import KernelLab

    KernelLab(resolve(load(LAB))).up()
    # devices the lab did not make, named as the kernel allows: status shows what is there
    subprocess.run(["ip", "-n", "nspawn-web", "link", "add", ESC, "type", "veth", "peer", "name", ESC2], check=True)
    f = {"status": _vnetlab("status", "nspawn"), "json": _vnetlab("status", "nspawn", "--json")}
    _vnetlab("down", "nspawn")
    return f


def test_status_escapes_names_from_the_kernel(in_sandbox) -> None:
    f = in_sandbox(_odd_names)
    code, out, err = f["status"]
    assert code == 0, err
    assert "\x1b" not in out + err and "\x07" not in out + err
    assert "e\\x1b[31m" in out and "p\\x1b]0;x\\x07" in out
    names = {ln["interface"] for ln in json.loads(f["json"][1])["nodes"]["web"]}
    assert {ESC, ESC2} <= names  # JSON carries the names themselves (json escapes them)
