"""`vnetlab import --host --containers` on a machine built by hand.

In a sandbox (its own network and mount namespaces) the test starts a shell
in a new PID namespace (`unshare --pid --fork --mount-proc`): that shell is
PID 1 there, so its network namespace is "the host" and /proc shows only the
test's processes. With `ip`, `unshare -n` and `sleep` (not vnetlab) it builds:

* an external switch (named namespace `ext`, not imported): a bridge with a
  veth cable to the host's "physical" NIC eth0 (a veth: no bus, so named with
  --uplink);
* on the host: a docker0-like bridge with two containers (sleep processes in
  unnamed namespaces, veth pairs), a macvlan container (bridge mode) on eth0,
  and a named namespace `vpn` on a veth; the host forwards.

Then the imported lab must validate, its simulated matrix must equal a live
ping matrix measured with real `ping` in those namespaces (cold caches per
row, as `matrix` measures), and `trace` must explain why the macvlan
container cannot reach its host.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vnetlab import load_text, resolve

ROOT = Path(__file__).resolve().parent.parent.parent

BUILD = r"""
set -e
ip link set lo up
echo 1 > /proc/sys/net/ipv4/ip_forward
# the external switch, and the host's "physical" NIC cabled to it
ip netns add ext
ip -n ext link add sw type bridge
ip -n ext link set sw up
ip link add eth0 type veth peer name port1 netns ext
ip -n ext link set port1 master sw up
ip link set eth0 up
ip addr add 198.51.100.10/24 dev eth0
# docker0 with two containers
ip link add docker0 type bridge
ip addr add 198.18.0.1/24 dev docker0
ip link set docker0 up
for n in 1 2; do
  if [ $n = 1 ]; then unshare -n sleep 600 >/dev/null 2>&1 & pid=$!
  else unshare -n -u sh -c 'hostname Web.2; exec sleep 600' >/dev/null 2>&1 & pid=$!; fi
  while [ "$(readlink /proc/$pid/ns/net)" = "$(readlink /proc/self/ns/net)" ]; do sleep 0.01; done
  ip link add veth$n type veth peer name eth0 netns $pid
  ip link set veth$n master docker0 up
  nsenter -t $pid -n ip link set lo up
  nsenter -t $pid -n ip link set eth0 up
  nsenter -t $pid -n ip addr add 198.18.0.$((n+1))/24 dev eth0
  nsenter -t $pid -n ip route add default via 198.18.0.1
  echo "c$n $pid"
done
# a macvlan container on the NIC (as docker's macvlan driver makes them: bridge mode)
unshare -n sleep 600 >/dev/null 2>&1 & pid=$!
while [ "$(readlink /proc/$pid/ns/net)" = "$(readlink /proc/self/ns/net)" ]; do sleep 0.01; done
ip link add mv0 link eth0 type macvlan mode bridge
ip link set mv0 netns $pid
nsenter -t $pid -n ip link set lo up
nsenter -t $pid -n ip link set mv0 up
nsenter -t $pid -n ip addr add 198.51.100.20/24 dev mv0
echo "m1 $pid"
# a device of a kind vnetlab does not model, up, with an address
ip link add ifb0 type ifb
ip addr add 192.0.2.1/32 dev ifb0
ip link set ifb0 up
# a named namespace on a veth
ip netns add vpn
ip link add tovpn type veth peer name eth0 netns vpn
ip addr add 203.0.113.1/24 dev tovpn
ip link set tovpn up
ip -n vpn link set lo up
ip -n vpn link set eth0 up
ip -n vpn addr add 203.0.113.2/24 dev eth0
ip -n vpn route add default via 203.0.113.1
"""


def _scenario() -> dict:
    """Runs as PID 1 of a fresh PID namespace inside the sandbox."""
    built = subprocess.run(["sh", "-c", BUILD], capture_output=True, text=True, check=True)
    pids = dict(line.split() for line in built.stdout.splitlines())
    t0 = time.monotonic()
    imp = subprocess.run(
        [sys.executable, "-m", "vnetlab", "import", "--host", "--containers", "--netns", "vpn", "--uplink", "eth0"],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.monotonic() - t0
    return {"pids": pids, "code": imp.returncode, "lab": imp.stdout, "err": imp.stderr, "import_s": elapsed}


def _enter(node: str, pids: dict[str, str], names: dict[str, str]) -> list[str]:
    if node == "host":
        return []
    if node == "vpn":
        return ["ip", "netns", "exec", "vpn"]
    return ["nsenter", "-t", pids[names[node]], "-n"]


def _live_matrix(sim: dict, pids: dict[str, str], names: dict[str, str]) -> dict:
    """Real pings, one row at a time from cold caches (dynamic neighbours flushed everywhere)."""
    nodes = list(sim["rows"])
    rows: dict[str, dict[str, bool]] = {}
    for src in nodes:
        for n in nodes:
            subprocess.run([*_enter(n, pids, names), "ip", "neigh", "flush", "all"], capture_output=True, check=False)
        procs = {
            t["address"]: subprocess.Popen(
                [*_enter(src, pids, names), "ping", "-c1", "-W1", "-q", t["address"]],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for t in sim["targets"]
        }
        rows[src] = {a: p.wait() == 0 for a, p in procs.items()}
    return rows


def _in_pidns(tmp: str) -> None:
    """In the sandbox: a new PID namespace whose init runs the scenario, then the checks."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    code = (
        "import json,sys; from tests.kernel.test_import_machine import _checks; "
        f"json.dump(_checks(), open({tmp!r}, 'w'))"
    )
    subprocess.run(
        ["unshare", "--pid", "--fork", "--mount-proc", sys.executable, "-c", code], env=env, check=True, cwd=ROOT
    )


def _checks() -> dict:
    from vnetlab import load_text, resolve
    from vnetlab.sim import Simulator

    out = _scenario()
    if out["code"] != 0:
        return out
    r = resolve(load_text(out["lab"], "machine.yaml"))
    names = {}  # node -> scenario label
    for node in r.lab.nodes:
        ifs = {i.name: i for i in r.node_ifaces(node)}
        addrs = [a for i in ifs.values() for a in i.spec.addresses]
        for label, addr in (("c1", "198.18.0.2/24"), ("c2", "198.18.0.3/24"), ("m1", "198.51.100.20/24")):
            if addr in addrs:
                names[node] = label
    sim = Simulator(r).matrix().as_json()
    out["sim"] = sim
    out["names"] = names
    out["live"] = _live_matrix(sim, out["pids"], names)
    mv = next(n for n, label in names.items() if label == "m1")
    lab = Path("/tmp/vnetlab-machine.yaml")
    lab.write_text(out["lab"])
    tr = subprocess.run(
        [sys.executable, "-m", "vnetlab", "trace", str(lab), mv, "198.51.100.10"], capture_output=True, text=True
    )
    out["trace"] = tr.stdout + tr.stderr
    out["trace_code"] = tr.returncode
    val = subprocess.run([sys.executable, "-m", "vnetlab", "validate", str(lab)], capture_output=True, text=True)
    out["validate"] = val.returncode
    one = subprocess.run(
        [sys.executable, "-m", "vnetlab", "import", "--pid", out["pids"]["c1"]], capture_output=True, text=True
    )
    out["pid_lab"], out["pid_code"] = one.stdout, one.returncode
    bad = subprocess.run(
        [sys.executable, "-m", "vnetlab", "import", "--host", "--uplink", "eth9"], capture_output=True, text=True
    )
    out["bad_uplink"] = (bad.returncode, bad.stderr)
    # a process that exits between the scan and the read: its namespace is skipped with a note
    from vnetlab.kernel import machine

    p = subprocess.Popen(["sleep", "60"])
    p.kill()
    p.wait()
    m = machine.Machine(
        paths={"host": "/proc/1/ns/net", "gone": f"/proc/{p.pid}/ns/net"},
        names={"host": "host", "gone": f"pid-{p.pid}"},
        host="host",
    )
    out["gone_lab"] = machine.to_lab(m)
    out["gone_pid"] = p.pid
    return out


def test_import_a_machine_built_by_hand(in_sandbox, tmp_path) -> None:
    res_file = str(tmp_path / "res.json")
    in_sandbox(_in_pidns, res_file)
    res = json.loads(Path(res_file).read_text())
    assert res["code"] == 0, res["err"]
    text = res["lab"]
    assert res["validate"] == 0, text
    # the host, the named namespace and the three containers; the external switch is not a node
    nodes = set(res["sim"]["rows"])
    assert "host" in nodes and "vpn" in nodes and len(nodes) == 5, text
    assert sorted(res["names"].values()) == ["c1", "c2", "m1"]
    # unnamed containers are pid-N; one with a UTS namespace of its own is named after its hostname
    assert {f"pid-{res['pids'][c]}" for c in ("c1", "m1")} | {"web-2"} == nodes - {"host", "vpn"}, text
    assert "ifb0: {kind: nic, switch: sw-host-ifb0" in text
    assert "# note: host/ifb0: kind ifb is not one vnetlab models" in text
    assert "eth0: {kind: nic, switch: uplink" in text
    assert "docker0: {kind: bridge" in text
    # the import's verdicts are the kernel's
    assert res["sim"]["rows"] == res["live"], (text, res["sim"]["rows"], res["live"])
    mv = next(n for n, label in res["names"].items() if label == "m1")
    c1 = next(n for n, label in res["names"].items() if label == "c1")
    assert res["live"][mv]["198.51.100.10"] is False  # a macvlan child never reaches its parent's address
    assert res["live"][c1]["203.0.113.2"] is True  # container -> host routes -> named namespace
    assert res["trace_code"] == 1
    # the ARP goes out of the parent to the uplink switch, which does not send it back
    assert "host/eth0" in res["trace"] and "[bridge-no-hairpin" in res["trace"], res["trace"]
    assert res["import_s"] < 5
    # --pid: one container; its veth's far end is not imported, which the lab says
    assert res["pid_code"] == 0
    one = resolve(load_text(res["pid_lab"], "one.yaml"))
    assert list(one.lab.nodes) == [f"pid-{res['pids']['c1']}"]
    assert "left out: eth0" in res["pid_lab"]
    assert f"# note: pid-{res['gone_pid']}: skipped, its namespace went away" in res["gone_lab"]
    assert "host:" in res["gone_lab"]
    assert res["bad_uplink"][0] == 2 and "--uplink eth9" in res["bad_uplink"][1]


@pytest.mark.parametrize("missing", ["CAP_SYS_ADMIN", "CAP_SYS_PTRACE"])
def test_without_capabilities_exit_3_names_it(missing) -> None:
    bit = {"CAP_SYS_ADMIN": 21, "CAP_SYS_PTRACE": 19}[missing]
    if subprocess.run(["which", "capsh"], capture_output=True).returncode != 0:
        pytest.skip("needs capsh (libcap2-bin) to drop one capability")
    cap = missing.lower()
    p = subprocess.run(
        ["capsh", f"--drop={cap}", "--", "-c", f"{sys.executable} -m vnetlab import --host"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert p.returncode == 3, p.stderr
    assert missing in p.stderr
    assert bit


def _attach_and_exec() -> dict:
    """In the sandbox: name a process's namespace, then run a command in it."""
    p = subprocess.Popen(["unshare", "-n", "sleep", "60"], stdout=subprocess.DEVNULL)
    try:
        me = os.readlink("/proc/self/ns/net")
        while os.readlink(f"/proc/{p.pid}/ns/net") == me:
            time.sleep(0.01)
        run = lambda *a: subprocess.run([sys.executable, "-m", "vnetlab", *a], capture_output=True, text=True)  # noqa: E731
        first = run("attach", "mach-web", str(p.pid))
        again = run("attach", "mach-web", str(p.pid))
        ex = run("exec", "mach", "web", "--", "readlink", "/proc/self/ns/net")
        listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        return {
            "first": first.returncode,
            "again": again.returncode,
            "again_err": again.stderr,
            "exec": ex.stdout.strip(),
            "want": os.readlink(f"/proc/{p.pid}/ns/net"),
            "same": os.stat("/run/netns/mach-web").st_ino == os.stat(f"/proc/{p.pid}/ns/net").st_ino,
            "listed": listed,
        }
    finally:
        p.kill()
        p.wait()


def test_attach_names_a_process_namespace_for_exec(in_sandbox) -> None:
    res = in_sandbox(_attach_and_exec)
    assert res["first"] == 0
    assert res["same"] and "mach-web" in res["listed"]
    assert res["exec"] == res["want"]  # `vnetlab exec mach web` runs in the attached namespace
    assert res["again"] == 2 and "exists already" in res["again_err"]


def test_attach_refuses_outside_a_sandbox_when_told(run_cli) -> None:
    assert os.environ.get("VNETLAB_SANDBOX_ONLY")  # the suite's guard (tests/conftest.py)
    code, _, err = run_cli("attach", "never-made", str(os.getpid()))
    assert code == 3 and "sandbox" in err
    assert not Path("/run/netns/never-made").exists()


def _two_hundred(tmp: str) -> None:
    env = dict(os.environ, PYTHONPATH=f"{ROOT}:{ROOT / 'benchmarks'}")
    code = (
        "import json, time; import bench_import as b; from vnetlab.kernel import machine; "
        "from vnetlab import load_text; b.build(200); t0 = time.perf_counter(); c0 = time.process_time(); "
        "text = machine.to_lab(machine.plan([], True, [], True)); "
        "dt = time.perf_counter() - t0; cpu = time.process_time() - c0; "
        "r = load_text(text, 'm.yaml'); "
        f"json.dump({{'s': dt, 'cpu': cpu, 'nodes': len(r.nodes)}}, open({tmp!r}, 'w'))"
    )
    subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", sys.executable, "-c", code], env=env, check=True)


def test_two_hundred_containers_read_in_under_two_seconds(in_sandbox, tmp_path) -> None:
    """benchmarks/bench_import.py's machine: a bridge and 200 `unshare -n sleep` containers on veths.

    The bound is on the CPU time the reader spends (user + system, its netlink work included):
    wall time on this 2-core machine also counts whatever else runs (2.0-3.1 s at load 9+)."""
    res_file = str(tmp_path / "res.json")
    in_sandbox(_two_hundred, res_file)
    res = json.loads(Path(res_file).read_text())
    assert res["nodes"] == 201
    assert res["cpu"] < 2.0, f"reading 200 containers took {res['cpu']:.2f} s of CPU ({res['s']:.2f} s wall)"


@pytest.mark.parametrize(
    ("cgroup", "name"),
    [
        ("0::/system.slice/docker-" + "ab" * 32 + ".scope\n", "ab" * 6),
        ("12:pids:/docker/" + "cd" * 32 + "\n0::/\n", "cd" * 6),
        ("0::/machine.slice/libpod-" + "ef" * 32 + ".scope/container\n", "ef" * 6),
        ("0::/machine.slice/machine-web\\x2d1.scope/payload\n", "web-1"),
        ("0::/user.slice/user-0.slice/session-1.scope\n", None),
    ],
)
def test_container_names_from_the_runtimes_cgroups(cgroup, name) -> None:
    from vnetlab.kernel import machine

    assert machine.name_from_cgroup(cgroup) == name
    if name:
        assert machine.sanitize(name, "x") == name


def test_sanitize_makes_lab_node_names() -> None:
    from vnetlab.kernel import machine

    assert machine.sanitize("Web.2", "pid-1") == "web-2"
    assert machine.sanitize("9lives", "pid-1") == "c9lives"
    assert machine.sanitize("a" * 40, "pid-1") == "a" * 15
    assert machine.sanitize("\x1b[31m", "pid-7") == "c31m"
    assert machine.sanitize("../..", "pid-7") == "pid-7"
