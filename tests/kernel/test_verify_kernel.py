"""The verification layer on the real kernel: duplicate addresses attributed
to the namespace that answered, diff comparing guests too, probes retried
cold before "no reach", and the Python API's sandboxed lab."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import vnetlab
from tests.conftest import ROOT
from vnetlab.kernel import KernelLab, probe

DUP = ROOT / "tests" / "data" / "valid" / "duplicate-address.yaml"
GUESTS = ROOT / "labs" / "macvtap-on-veth.yaml"


def _vnetlab(*args: str) -> tuple[int, str, str]:
    p = subprocess.run([sys.executable, "-m", "vnetlab", *args], capture_output=True, text=True, check=False)
    return p.returncode, p.stdout, p.stderr


def test_duplicate_addresses_on_the_kernel_name_the_namespace_that_answered() -> None:
    sim = vnetlab.simulate(DUP).matrix()
    with vnetlab.kernel(DUP) as net:
        ker = net.matrix()
        addr = net.exec("b1", ["ip", "-j", "addr", "show", "dev", "v0"])
    assert ker.backend == "kernel" and [c.address for c in ker.columns] == [c.address for c in sim.columns]
    assert ker.rows == sim.rows
    assert ker.answered_by["b"]["203.0.113.5"] == "b1" and ker.answered_by["a"]["203.0.113.5"] == "a1"
    assert ker.answered_by["x"]["203.0.113.5"] == "a1" and ker.answered_by["b1"]["203.0.113.1"] == "b"
    assert ker.answered_by == sim.answered_by
    assert vnetlab.compare(sim, ker) == []
    assert addr.returncode == 0
    assert json.loads(addr.stdout)[0]["addr_info"][0]["local"] == "203.0.113.5"


def test_diff_on_duplicate_addresses_agrees_and_says_who_answered() -> None:
    code, out, err = _vnetlab("diff", str(DUP), "--json")
    assert code == 0, err
    doc = json.loads(out)
    cell = next(c for c in doc["cells"] if c["from"] == "b" and c["to"] == "203.0.113.5")
    assert cell["answered_by"] == {"sim": "b1", "kernel": "b1"} and cell["node"] == "a1 / b1"


def test_diff_compares_guest_rows_and_columns() -> None:
    code, out, err = _vnetlab("diff", str(GUESTS), "--json")
    # 0 or 1: on a heavily loaded machine a guest sometimes misses every retry;
    # what matters here is what is compared
    assert code in (0, 1), out + err
    cells = json.loads(out)["cells"]
    r = vnetlab.resolve(vnetlab.load(GUESTS))
    guest_addrs = {a.split("/")[0] for g in r.guests.values() for a in g.guest.addresses}
    assert {c["from"] for c in cells} >= set(r.guests)  # guests are sources
    assert {c["to"] for c in cells} >= guest_addrs  # and targets
    assert any(c["from"] in r.guests and c["kernel"] for c in cells)


LOSSY = """
lab: lossy
nodes:
  s:
    interfaces:
      v0: {kind: veth, peer: t/v0, addresses: [192.0.2.1/24]}
      v1: {kind: veth, peer: u/v0, addresses: [198.51.100.1/24]}
  t:
    interfaces:
      v0: {kind: veth, peer: s/v0, addresses: [192.0.2.2/24]}
    sysctl: {net.ipv4.icmp_echo_ignore_all: 1}
  u:
    interfaces:
      v0: {kind: veth, peer: s/v1, addresses: [198.51.100.2/24]}
"""


def _requests_seen(retries: int) -> tuple[dict[str, bool], dict[str, int]]:
    k = KernelLab(vnetlab.resolve(vnetlab.load_text(LOSSY)))
    k.up()
    k.timeout, k.retries = 0.3, retries
    seen: dict[str, int] = {}
    real = probe.probe

    def counting(netns: str, dsts, timeout):  # count what each attempt sends, then send it for real
        for d in dsts:
            seen[d] = seen.get(d, 0) + 1
        return real(netns, dsts, timeout)

    w = probe.Witness({"t": k.netns("t"), "u": k.netns("u")})
    probe.probe = counting
    try:
        got = k.probe("s", ["192.0.2.2", "198.51.100.2"])
        delivered = w.seen()
    finally:
        probe.probe = real
        w.close()
    assert delivered == {"192.0.2.2": ["t"], "198.51.100.2": ["u"]}  # the echo requests did arrive
    return got, seen


def test_a_cold_probe_without_reply_is_retried_and_only_that_one(in_sandbox) -> None:
    got, sent = in_sandbox(_requests_seen, 2)
    assert got == {"192.0.2.2": False, "198.51.100.2": True}
    assert sent == {"192.0.2.2": 3, "198.51.100.2": 1}
    got, sent = in_sandbox(_requests_seen, 0)
    assert sent == {"192.0.2.2": 1, "198.51.100.2": 1}


def test_the_api_sandbox_is_private_and_goes_away_on_close() -> None:
    with vnetlab.kernel(DUP) as net:
        pid = net.sandbox_pid
        assert pid and os.path.exists(f"/proc/{pid}")
        mine = os.readlink("/proc/self/ns/net")
        assert os.readlink(f"/proc/{pid}/ns/net") != mine  # not this machine's namespace
        names = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        assert "dupaddr-" not in names  # the lab's namespaces are invisible outside
        assert net.ping("x", "203.0.113.5") and not net.ping("b", "192.0.2.1")
        assert [o.passed for o in net.evaluate()] == [True, True, True]
    assert not os.path.exists(f"/proc/{pid}")


def _in_mount_ns(ns: str) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if os.readlink(f"/proc/{d}/ns/mnt") == ns:
                    out.append(int(d))
            except OSError:
                pass
    return out


def test_nothing_is_left_when_the_api_user_is_killed() -> None:
    script = textwrap.dedent(
        f"""
        import sys, time, vnetlab
        net = vnetlab.kernel({str(GUESTS)!r}).open()
        print(net.sandbox_pid, flush=True)
        time.sleep(600)
        """
    )
    p = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        sandbox_pid = int(p.stdout.readline())
        family = _in_mount_ns(os.readlink(f"/proc/{sandbox_pid}/ns/mnt"))
        assert sandbox_pid in family and len(family) >= 2  # the sandbox and the lab's guest daemon
    finally:
        p.send_signal(signal.SIGKILL)  # the process this test started, by its PID
        p.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(os.path.exists(f"/proc/{q}") for q in family):
        time.sleep(0.1)
    assert not [q for q in family if os.path.exists(f"/proc/{q}")]


def _on_this_machine() -> tuple[bool, list[str], list[str]]:
    from tests.kernel.conftest import netns_list

    with vnetlab.kernel(DUP, sandbox=False) as net:
        up = netns_list()
        ok = net.ping("x", "203.0.113.5") and net.exec("a1", ["true"]).returncode == 0
    return ok, up, netns_list()


def test_the_api_without_a_sandbox_is_up_and_down(in_sandbox) -> None:
    # in_sandbox stands in for "this machine": the lab goes into its namespaces
    ok, up, after = in_sandbox(_on_this_machine)
    assert ok and up == sorted(f"dupaddr-{n}" for n in ("a", "a1", "b", "b1", "x")) and after == []
