"""A lab with guests kept up by `vnetlab up`: its guest daemon answers for the
guests across commands, `status` shows it, a lost daemon is restarted by `up`
and reported (not misjudged) by `test`, and `down` ends it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from tests.conftest import ROOT

from .conftest import netns_list

LAB = str(ROOT / "labs" / "macvtap-on-veth.yaml")


def _vnetlab(*args: str) -> tuple[int, str]:
    p = subprocess.run([sys.executable, "-m", "vnetlab", *args], capture_output=True, text=True, check=False)
    return p.returncode, p.stdout + p.stderr


def _alive(pid: int) -> bool:
    """A running guest daemon (an exited one not yet reaped by its reaper is a zombie: ended)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            comm_state = fh.read().split(") ", 1)
    except OSError:
        return False
    return comm_state[0].endswith("(vnetlab-guests") and not comm_state[1].startswith("Z")


def _cycle() -> dict:
    f: dict = {"up": _vnetlab("up", LAB), "again": _vnetlab("up", LAB)}
    code, out = _vnetlab("status", "mvtveth", "--json")
    f["status"] = json.loads(out) if code == 0 else out
    pid = f["status"]["guest_daemon"]["pid"]
    f["alive_while_up"] = _alive(pid)
    f["matrix"] = json.loads(_vnetlab("matrix", LAB, "--backend", "kernel", "--json")[1])
    f["test"] = _vnetlab("test", LAB, "--backend", "both")
    f["ping"] = _vnetlab("ping", LAB, "vm1", "host", "--backend", "kernel")
    os.kill(pid, 9)  # the daemon is lost: the lab's guests have no reader now
    time.sleep(0.2)
    f["test_without"] = _vnetlab("test", LAB, "--backend", "kernel", "--json")
    f["test_without_text"] = _vnetlab("test", LAB, "--backend", "kernel")
    f["ping_without"] = _vnetlab("ping", LAB, "vm1", "host", "--backend", "kernel")
    f["restart"] = _vnetlab("up", LAB)
    code, out = _vnetlab("status", "mvtveth", "--json")
    f["pid2"] = json.loads(out)["guest_daemon"]["pid"]
    f["test_again"] = _vnetlab("test", LAB, "--backend", "kernel")
    f["down"] = _vnetlab("down", "mvtveth")
    f["alive_after_down"] = _alive(f["pid2"])
    f["netns_after"] = netns_list()
    return f


def test_guest_daemon_lives_with_the_lab(in_sandbox) -> None:
    f = in_sandbox(_cycle)
    assert f["up"][0] == 0 and "created" in f["up"][1] and "guests vm1, vm2: served by process" in f["up"][1]
    assert f["again"][0] == 0 and f["again"][1].startswith("lab mvtveth: no changes\n"), f["again"]
    assert f["status"]["guest_daemon"]["guests"] == ["vm1", "vm2"] and f["alive_while_up"]
    # the guests are rows of the live matrix; vm1 reaches the bridge, vm2 (wrong MAC) does not
    rows = f["matrix"]["rows"]
    assert {"vm1", "vm2", "host"} <= set(rows)
    assert rows["vm1"]["203.0.113.1"] is True and rows["vm2"]["203.0.113.1"] is False
    assert rows["host"]["203.0.113.10"] is True
    assert f["test"][0] == 0, f["test"][1]
    assert f["ping"][0] == 0 and "reply" in f["ping"][1], f["ping"]
    # without its daemon: guest expectations cannot be judged (skipped, with the reason), and
    # the lab as a whole fails: its guests are not there, whatever the other rows say
    code, out = f["test_without"]
    doc = json.loads(out)
    skipped = [o for o in doc["expectations"] if o.get("skipped")]
    assert code == 1 and doc["passed"] is False and len(skipped) == 3, doc
    assert "guest daemon of lab mvtveth is not running" in skipped[0]["skipped"]
    assert len(doc["problems"]) == 1 and "guest daemon of lab mvtveth is gone" in doc["problems"][0]
    code, out = f["test_without_text"]
    assert code == 1 and "error: the guest daemon of lab mvtveth is gone" in out, out
    assert "`vnetlab up` on the unchanged file starts it again" in out
    assert f["ping_without"][0] == 3 and "`vnetlab up` on the unchanged file starts it again" in f["ping_without"][1]
    assert f["restart"][0] == 0 and f["restart"][1].startswith("lab mvtveth: guests restarted\n"), f["restart"]
    assert f"served by process {f['pid2']}" in f["restart"][1]
    assert f["test_again"][0] == 0, f["test_again"][1]
    assert f["down"][0] == 0 and "removed 1 namespaces" in f["down"][1]
    assert not f["alive_after_down"]
    assert f["netns_after"] == []


def _up_and_leave() -> int:
    from vnetlab import load, resolve
    from vnetlab.kernel import KernelLab

    k = KernelLab(resolve(load(LAB)))
    k.up()
    assert k.guests is not None and _alive(k.guests.pid)
    return k.guests.pid  # no `down`: the sandbox ends with the lab still up


def test_a_guest_daemon_ends_with_its_sandbox(in_sandbox) -> None:
    pid = in_sandbox(_up_and_leave)
    deadline = time.monotonic() + 3
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid), "the guest daemon outlived its sandbox (and would keep its namespaces alive)"


def _external() -> dict:
    f: dict = {"up": _vnetlab("up", "--external-guests", LAB)}
    code, out = _vnetlab("status", "mvtveth", "--json")
    f["daemon"] = json.loads(out)["guest_daemon"]
    f["external"] = json.loads(out)["external_guests"]
    code, out = _vnetlab("test", LAB, "--backend", "kernel", "--json")
    f["test"] = (code, json.loads(out))
    f["switch"] = _vnetlab("up", LAB)  # now with vnetlab's own guests: the lab is rebuilt
    f["down"] = _vnetlab("down", "mvtveth")
    return f


def test_external_guests_are_probed_not_emulated(in_sandbox) -> None:
    """With --external-guests no daemon holds the devices: what is expected of
    the guests is checked against whatever VM is there (here: none, so it
    fails), and what would be sent from inside a guest is skipped."""
    f = in_sandbox(_external)
    assert f["up"][0] == 0 and "guests left to your VMs (vm1: mvtveth-host mac-veth1" in f["up"][1], f["up"]
    assert f["daemon"] is None and f["external"] is True
    code, doc = f["test"]
    by = {(e["from"], e["to"]): e for e in doc["expectations"]}
    assert code == 1 and by[("host", "vm1")]["passed"] is False  # probed for real: no VM answers
    assert doc["problems"] == []  # no daemon is expected: its absence is no failure of its own
    assert "one of your own VMs" in by[("vm1", "host")]["skipped"]
    assert "recreated" in f["switch"][1] and "served by process" in f["switch"][1]
    assert f["down"][0] == 0


CLIENT = """
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(b"\\0vnetlab-guests:mvtveth")
s.sendall(json.dumps({"op": "stop"}).encode() + b"\\n")
print(s.recv(65536).decode().strip())
"""


def _stop_as(uid: int | None, netns: str) -> tuple[int, str]:
    """A client of the daemon's socket in the namespace where it listens, as ``uid``."""
    cmd = ["nsenter", f"--net=/run/netns/{netns}"]
    if uid is not None:
        cmd += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]
    p = subprocess.run([*cmd, sys.executable, "-I", "-c", CLIENT], capture_output=True, text=True, check=False)
    return p.returncode, p.stdout + p.stderr


def _strangers() -> dict:
    from vnetlab import load, resolve
    from vnetlab.kernel import KernelLab

    k = KernelLab(resolve(load(LAB)))
    k.up()
    pid, listen_ns = k.guests.pid, k.guest_ns
    k.close()
    f: dict = {"nobody": _stop_as(65534, listen_ns)}
    time.sleep(0.3)
    f["alive_after_nobody"] = _alive(pid)
    f["test_after_nobody"] = _vnetlab("test", LAB, "--backend", "kernel")
    f["root"] = _stop_as(None, listen_ns)
    time.sleep(0.3)
    f["alive_after_root"] = _alive(pid)
    k.down()
    return f


def test_only_root_and_its_owner_may_stop_the_guest_daemon(in_sandbox) -> None:
    """The daemon's socket is abstract (no file permissions): any process in the
    namespace can connect. The daemon checks the client's uid (SO_PEERCRED) and
    serves only root and the user who started it."""
    f = in_sandbox(_strangers)
    code, out = f["nobody"]
    assert code == 0 and "permission denied: uid 65534 may not use the guest daemon of lab mvtveth" in out, out
    assert f["alive_after_nobody"], "an unprivileged process stopped the guest daemon"
    assert f["test_after_nobody"][0] == 0, f["test_after_nobody"]
    assert f["root"][0] == 0 and '"ok": true' in f["root"][1], f["root"]  # the same client, as root: obeyed
    assert not f["alive_after_root"]
