"""Atomic, idempotent, crash-safe: rollback at every step, kill -9 mid-up, re-up,
changes, two labs at once, and a missing kernel kind."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from vnetlab import load, load_text, resolve
from vnetlab.errors import EnvironmentProblem
from vnetlab.kernel import KernelLab, owner, preflight

from .conftest import ip_json, netns_list

PASSTHRU = str(ROOT / "labs" / "macvlan-passthru-source.yaml")
MODES = str(ROOT / "labs" / "macvlan-modes.yaml")
VETH = str(ROOT / "labs" / "veth-container.yaml")


def _fail_everywhere(path: str) -> list[tuple[int, str, list[str]]]:
    r = resolve(load(path))
    k = KernelLab(r)
    out = []
    for n in range(len(k.plan())):
        try:
            k.up(fail_at=n)
        except EnvironmentProblem as e:
            out.append((n, str(e), netns_list()))
        else:
            out.append((n, "no failure", netns_list()))
            k.down()
    return out


def test_an_injected_failure_at_every_step_rolls_back_completely(in_sandbox) -> None:
    res = in_sandbox(_fail_everywhere, PASSTHRU)
    assert len(res) > 30
    for n, msg, left in res:
        assert "failed" in msg and "everything this run created was removed" in msg, (n, msg)
        assert left == [], (n, left)


def _kill_mid_up(path: str, frac: float) -> dict:
    r = resolve(load(path))
    at = max(1, int(len(KernelLab(r).plan()) * frac))
    pid = os.fork()
    if pid == 0:

        def progress(done: int, total: int) -> None:
            if done == at:
                os.kill(os.getpid(), signal.SIGKILL)

        try:
            KernelLab(r).up(progress=progress)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    during = netns_list()
    removed = owner.down(r.lab.lab)
    return {"killed": os.WIFSIGNALED(status), "during": during, "removed": removed, "after": netns_list()}


@pytest.mark.parametrize("frac", [0.0, 0.1, 0.3, 0.6, 0.95])
def test_kill_9_during_up_then_down_leaves_nothing(in_sandbox, frac: float) -> None:
    f = in_sandbox(_kill_mid_up, MODES, frac)
    assert f["killed"] and f["during"]
    assert sorted(f["removed"]) == f["during"]
    assert f["after"] == []


def _reup_and_change() -> dict:
    text = Path(MODES).read_text()
    k = KernelLab(resolve(load_text(text)))
    first, second = k.up(), k.up()
    changed = text.replace(
        "mv0: {kind: macvlan, parent: bridge/eth0, mode: bridge, addresses: [198.51.100.11/24]}",
        "mv0: {kind: macvlan, parent: bridge/eth0, mode: vepa, addresses: [198.51.100.111/24]}",
    )
    k2 = KernelLab(resolve(load_text(changed)))
    third = k2.up()
    link = next(ln for ln in ip_json("mvmodes-b1", "-d", "link", "show") if ln["ifname"] == "mv0")
    addrs = [
        a["local"] for ad in ip_json("mvmodes-b1", "addr", "show") if ad["ifname"] == "mv0" for a in ad["addr_info"]
    ]
    k2.down()
    return {
        "first": first,
        "second": second,
        "third": third,
        "mode": link["linkinfo"]["info_data"]["mode"],
        "addrs": addrs,
        "after": netns_list(),
    }


def test_reup_is_a_no_op_and_a_change_is_applied(in_sandbox) -> None:
    f = in_sandbox(_reup_and_change)
    assert (f["first"], f["second"], f["third"]) == ("created", "no changes", "changed")  # in place
    assert f["mode"] == "vepa" and f["addrs"] == ["198.51.100.111"]
    assert f["after"] == []


def _two_labs() -> dict:
    a, b = KernelLab(resolve(load(VETH))), KernelLab(resolve(load(MODES)))
    a.up()
    b.up()
    both = sorted({m.lab for m in owner.owned()})
    ra = a.probe("web", ["192.0.2.1"])
    rb = b.probe("b1", ["198.51.100.12"])
    a.down()
    left = netns_list()
    b.down()
    return {"both": both, "ra": ra, "rb": rb, "left": left, "after": netns_list()}


def test_two_labs_up_at_once_do_not_collide(in_sandbox) -> None:
    f = in_sandbox(_two_labs)
    assert f["both"] == ["mvmodes", "nspawn"]
    assert f["ra"] == {"192.0.2.1": True} and f["rb"] == {"198.51.100.12": True}
    assert all(n.startswith("mvmodes-") for n in f["left"]) and f["left"]
    assert f["after"] == []


def _missing_kind() -> tuple[int, str, list[str]]:
    p = subprocess.run(
        [sys.executable, "-m", "vnetlab", "up", str(ROOT / "labs" / "ipvlan-l2-l3.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    return p.returncode, p.stderr, netns_list()


def test_a_kernel_without_a_kind_fails_first_with_exit_3(in_sandbox) -> None:
    if preflight.supported(["ipvlan"])["ipvlan"]:
        pytest.skip("this kernel has ipvlan")
    code, err, left = in_sandbox(_missing_kind)
    assert code == 3
    assert "this kernel has no ipvlan support (CONFIG_IPVLAN)" in err
    assert "Traceback" not in err
    assert left == []


def test_a_killed_sandboxed_matrix_leaves_nothing_on_the_machine() -> None:
    before = netns_list()
    p = subprocess.Popen(
        [sys.executable, "-m", "vnetlab", "matrix", MODES, "--backend", "kernel"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import time

    time.sleep(1.5)  # up and probing
    p.kill()
    p.wait()
    time.sleep(0.2)
    assert netns_list() == before


def _cli_cycle() -> list[tuple[int, str]]:
    out = []
    for args in (
        ["up", VETH],
        ["up", VETH],
        ["list"],
        ["status", "nspawn"],
        ["exec", "nspawn", "web", "--", "ip", "-br", "addr"],
        ["ping", VETH, "web", "host", "--backend", "kernel"],
        ["down", VETH],
        ["down", "nspawn"],
    ):
        p = subprocess.run([sys.executable, "-m", "vnetlab", *args], capture_output=True, text=True, check=False)
        out.append((p.returncode, p.stdout + p.stderr))
    return out


def test_cli_lifecycle(in_sandbox) -> None:
    res = in_sandbox(_cli_cycle)
    codes = [c for c, _ in res]
    assert codes == [0, 0, 0, 0, 0, 0, 0, 0], res
    assert "created" in res[0][1] and "no changes" in res[1][1]
    assert "nspawn: 2 namespaces" in res[2][1]
    assert "ve-web" in res[3][1] and "192.0.2.1/30" in res[3][1]
    assert "192.0.2.2/30" in res[4][1]
    assert "reply" in res[5][1]
    assert "removed 2 namespaces" in res[6][1] and "not running" in res[7][1]


def _concurrent() -> dict:
    env = {**os.environ, "VNETLAB_LOCK_WAIT": "60"}

    def start(*args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "vnetlab", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )

    def finish(*ps: subprocess.Popen) -> list[tuple[int, str]]:
        return [(p.wait(), p.stdout.read() + p.stderr.read()) for p in ps]  # type: ignore[union-attr]

    f: dict = {"two_ups": finish(start("up", MODES), start("up", MODES))}
    f["marks"] = sorted((m.netns, m.complete, m.proper) for m in owner.owned("mvmodes", everything=True))
    f["up_and_down"] = finish(start("up", MODES), start("down", "mvmodes"))
    f["after_race"] = owner.owned("mvmodes", everything=True)
    owner.down("mvmodes")
    # a holder that does not let go: the other one says who holds it, and touches nothing
    with owner.lock("mvmodes"):
        env["VNETLAB_LOCK_WAIT"] = "0.3"
        f["busy_up"], f["busy_down"] = finish(start("up", MODES)) + finish(start("down", "mvmodes"))
        f["during_busy"] = netns_list()
    f["me"] = os.getpid()
    f["free_up"] = finish(start("up", MODES))[0]
    owner.down("mvmodes")
    f["after"] = netns_list()
    return f


def test_two_ups_of_one_lab_at_once_wait_for_each_other(in_sandbox) -> None:
    f = in_sandbox(_concurrent)
    (c1, o1), (c2, o2) = f["two_ups"]
    assert (c1, c2) == (0, 0), f["two_ups"]
    assert sorted(["created" in o1, "created" in o2]) == [False, True] and "no changes" in o1 + o2, f["two_ups"]
    assert len(f["marks"]) == 11 and [c for _, c, _ in f["marks"]].count(True) == 1 and all(p for *_, p in f["marks"])
    assert [c for c, _ in f["up_and_down"]] == [0, 0], f["up_and_down"]
    # whichever went first, the lab is either wholly up or wholly gone
    left = f["after_race"]
    assert left == [] or (len(left) == 11 and sum(m.complete for m in left) == 1), left
    for code, out in (f["busy_up"], f["busy_down"]):
        assert code == 3 and f"lab mvmodes is busy: process {f['me']} is running" in out, out
        assert "Traceback" not in out
    assert f["during_busy"] == []
    assert f["free_up"][0] == 0 and "created" in f["free_up"][1]
    assert f["after"] == []


def _sysctl_writes() -> dict[str, object]:
    """Write back the value a sysctl already has (harmless even if it went through)."""
    out: dict[str, object] = {}
    for key in ("kernel/domainname", "net/ipv4/ip_forward"):
        p = "/proc/sys/" + key
        with open(p) as fh:
            value = fh.read()
        try:
            with open(p, "w") as fh:
                fh.write(value)
            out[key] = "written"
        except OSError as e:
            out[key] = errno.errorcode.get(e.errno or 0, str(e.errno))
    return out


def test_the_sandbox_makes_only_net_sysctls_writable(in_sandbox) -> None:
    got = in_sandbox(_sysctl_writes)
    assert got == {"kernel/domainname": "EROFS", "net/ipv4/ip_forward": "written"}
