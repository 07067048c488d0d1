"""Kernel backend benchmark: `up`+`down` of star labs next to the alternatives,
and a 50-node all-pairs matrix next to a loop of `ping` processes.

Run as root: .venv/bin/python benchmarks/bench_kernel.py [--sizes 10 50 100 200] [--repeat 3]
       .venv/bin/python benchmarks/bench_kernel.py --cli 200 [--repeat 5]   (the CLI as users run it)

Every variant runs in its own throw-away sandbox (vnetlab's, or for Mininet
benchmarks/sandbox.sh with its own PID namespace, a private /tmp and a
read-only /proc/sys, because Mininet raises machine-wide sysctls and kills by
name). The star lab: N nodes, one NIC each, cabled to one switch (a bridge in
its own namespace), one address per node.

  vnetlab   KernelLab(lab).up() then .down()
  ip-batch  the same topology as `ip -batch` files: one for the namespaces and
            links, one per namespace for ports, addresses and links up
  floor     a minimal pyroute2 script: each veth created with both ends in
            their namespaces (no move, no fork), then addresses and up
  mininet   mn --topo single,N --switch lxbr --controller none --test none
            (when `mn` is installed: Debian package mininet)

Ratios are medians of `repeat` runs; below 1.00 means vnetlab is faster.

--cli N times the commands as users run them, each run in its own sandbox:
`vnetlab up star.yaml` then `vnetlab down starN` as processes, next to the
floor as a script (FLOOR_SCRIPT: `python floor.py up N`, `python floor.py
down N`, pyroute2 and the standard library only). With VNETLAB_PHASES=FILE
set, `up` and `down` write the time of each phase (nsutil.phase) to FILE; the
table adds "start-up" (process start to the first phase: the interpreter, the
CLI's imports, loading and resolving the lab) and "exit" (after the last).
Phases named "of which" are parts of the phase above them. Next to the wall
times it prints each command's CPU time (user + system, from the children's
rusage) and their ratio (vnetlab's modules are byte-compiled first, as an
installed package's are: see cli_report). On a shared, loaded machine the wall time measures
the others' load too, the CPU time what the commands themselves spend.
"""

from __future__ import annotations

import argparse
import compileall
import ipaddress
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import cast

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from genlabs import star  # noqa: E402

from vnetlab import load_text, resolve  # noqa: E402
from vnetlab.kernel import KernelLab, nsutil, sandbox  # noqa: E402


def _addr(i: int) -> str:
    return str(ipaddress.IPv4Address(int(ipaddress.IPv4Address("198.18.0.0")) + i + 1))


def vnetlab_updown(n: int) -> tuple[float, float]:
    k = KernelLab(resolve(load_text(star(n))))
    t = time.perf_counter()
    k.up()
    up = time.perf_counter() - t
    t = time.perf_counter()
    k.down()
    return up, time.perf_counter() - t


def ipbatch_updown(n: int) -> tuple[float, float]:
    d = Path(tempfile.mkdtemp())
    main = ["netns add b-sw"] + [f"netns add b-n{i}" for i in range(n)]
    main.append("link add sw netns b-sw type bridge")
    for i in range(n):
        main.append(f"link add p{i} netns b-sw type veth peer name eth0 netns b-n{i}")
    (d / "main").write_text("\n".join(main) + "\n")
    sw = [f"link set p{i} master sw up" for i in range(n)] + ["link set sw up", "link set lo up"]
    (d / "sw").write_text("\n".join(sw) + "\n")
    for i in range(n):
        (d / f"n{i}").write_text(f"link set lo up\nlink set eth0 up\naddress add {_addr(i)}/15 dev eth0\n")
    down = [f"netns delete b-n{i}" for i in range(n)] + ["netns delete b-sw"]
    (d / "down").write_text("\n".join(down) + "\n")
    t = time.perf_counter()
    subprocess.run(["ip", "-batch", str(d / "main")], check=True)
    subprocess.run(["ip", "-n", "b-sw", "-batch", str(d / "sw")], check=True)
    for i in range(n):
        subprocess.run(["ip", "-n", f"b-n{i}", "-batch", str(d / f"n{i}")], check=True)
    up = time.perf_counter() - t
    t = time.perf_counter()
    subprocess.run(["ip", "-batch", str(d / "down")], check=True)
    dn = time.perf_counter() - t
    shutil.rmtree(d)
    return up, dn


def floor_updown(n: int) -> tuple[float, float]:
    from pyroute2 import IPRoute

    t = time.perf_counter()
    nsutil.create("f-sw")
    with nsutil.inside("f-sw"):
        sw = IPRoute()
    sw.link("add", ifname="sw", kind="bridge", state="up")
    br = sw.link_lookup(ifname="sw")[0]
    sw.link("set", index=1, state="up")
    for i in range(n):
        ns = f"f-n{i}"
        nsutil.create(ns)
        sw.link("add", ifname=f"p{i}", kind="veth", master=br, state="up", peer={"ifname": "eth0", "net_ns_fd": ns})
        with nsutil.inside(ns):
            h = IPRoute()
        idx = h.link_lookup(ifname="eth0")[0]
        h.link("set", index=1, state="up")
        h.link("set", index=idx, state="up")
        h.addr("add", index=idx, address=_addr(i), prefixlen=15)
        h.close()
    sw.close()
    up = time.perf_counter() - t
    t = time.perf_counter()
    for i in range(n):
        nsutil.remove(f"f-n{i}")
    nsutil.remove("f-sw")
    return up, time.perf_counter() - t


FLOOR_SCRIPT = r"""
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
RUN = "/run/netns"

def create(name):
    os.makedirs(RUN, exist_ok=True)
    p = f"{RUN}/{name}"
    os.close(os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0))
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    assert libc.unshare(0x40000000) == 0
    assert libc.mount(b"/proc/thread-self/ns/net", p.encode(), None, 4096, None) == 0
    assert libc.setns(home, 0x40000000) == 0
    os.close(home)

def inside(name):
    from pyroute2 import IPRoute
    fd = os.open(f"{RUN}/{name}", os.O_RDONLY)
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    libc.setns(fd, 0x40000000)
    h = IPRoute()
    libc.setns(home, 0x40000000)
    os.close(fd); os.close(home)
    return h

def addr(i):
    n = (198 << 24) + (18 << 16) + i + 1
    return ".".join(str(n >> s & 255) for s in (24, 16, 8, 0))

cmd, n = sys.argv[1], int(sys.argv[2])
if cmd == "up":
    from pyroute2 import IPRoute  # down does without
    create("f-sw")
    sw = inside("f-sw")
    sw.link("add", ifname="sw", kind="bridge", state="up")
    br = sw.link_lookup(ifname="sw")[0]
    sw.link("set", index=1, state="up")
    for i in range(n):
        ns = f"f-n{i}"
        create(ns)
        sw.link("add", ifname=f"p{i}", kind="veth", master=br, state="up", peer={"ifname": "eth0", "net_ns_fd": ns})
        h = inside(ns)
        idx = h.link_lookup(ifname="eth0")[0]
        h.link("set", index=1, state="up")
        h.link("set", index=idx, state="up")
        h.addr("add", index=idx, address=addr(i), prefixlen=15)
        h.close()
    sw.close()
else:
    for name in [f"f-n{i}" for i in range(n)] + ["f-sw"]:
        libc.umount2(f"{RUN}/{name}".encode(), 2)
        os.unlink(f"{RUN}/{name}")
"""


#: CPU time (user + system) of the last command _timed ran: on a loaded machine the wall time
#: mostly measures the others' load; the CPU a command spends is its own
_CPU: list[float] = [0.0]


def _timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    """Wall time of ``cmd``; its CPU time goes to _CPU[0]."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    _CPU[0] = r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime
    return wall


def _phased(cmd: list[str], tmp: Path, tag: str) -> tuple[float, dict[str, float]]:
    """Wall time of ``cmd`` and its phases (VNETLAB_PHASES), with start-up and exit."""
    f = tmp / f"{tag}.json"
    env = {**os.environ, "VNETLAB_PHASES": str(f)}
    t0 = time.time()
    wall = _timed(cmd, env)
    t1 = t0 + wall
    if not f.exists():  # a vnetlab without VNETLAB_PHASES (--exe of an older version)
        return wall, {}
    doc = json.loads(f.read_text())
    ph = {f"{tag}: start-up (python, CLI imports, load)": doc["first"] - t0, **doc["phases"]}
    ph[f"{tag}: exit"] = t1 - doc["exit"]
    return wall, ph


def cli_run(n: int, exe: list[str]) -> dict[str, object]:
    """In one sandbox: `vnetlab up`/`down` of star N as processes, then the floor script's."""
    tmp = Path(tempfile.mkdtemp())
    lab = tmp / f"star{n}.yaml"
    lab.write_text(star(n))
    floor = tmp / "floor.py"
    floor.write_text(FLOOR_SCRIPT)
    cpu: dict[str, float] = {}
    up, ph_up = _phased([*exe, "up", str(lab)], tmp, "up")
    cpu["up"] = _CPU[0]
    down, ph_down = _phased([*exe, "down", f"star{n}"], tmp, "down")
    cpu["down"] = _CPU[0]
    f_up = _timed([sys.executable, str(floor), "up", str(n)])
    cpu["floor_up"] = _CPU[0]
    f_down = _timed([sys.executable, str(floor), "down", str(n)])
    cpu["floor_down"] = _CPU[0]
    shutil.rmtree(tmp)
    return {
        "up": up,
        "down": down,
        "floor_up": f_up,
        "floor_down": f_down,
        "phases": {**ph_up, **ph_down},
        "cpu": cpu,
    }


def cli_report(n: int, repeat: int, exe: str | None = None) -> None:
    cmd = [exe or str(Path(sys.executable).parent / "vnetlab")]
    # vnetlab's bytecode, as an installed package has it (pip compiles at install): an
    # editable install run with PYTHONDONTWRITEBYTECODE=1 would compile its ~60 modules
    # from source in every command, some 0.15 s of CPU that no user pays
    import vnetlab

    compileall.compile_dir(str(Path(vnetlab.__file__).parent), quiet=1)
    runs = [sandbox.run(cli_run, n, cmd) for _ in range(repeat)]
    col = {k: [float(r[k]) for r in runs] for k in ("up", "down", "floor_up", "floor_down")}  # type: ignore[arg-type]
    tot = [r["up"] + r["down"] for r in runs]  # type: ignore[operator]
    ftot = [r["floor_up"] + r["floor_down"] for r in runs]  # type: ignore[operator]
    print(f"star {n}, {repeat} runs through the CLI (medians; each run in its own sandbox)")
    names: list[str] = []
    for r in runs:
        names += [k for k in r["phases"] if k not in names]  # type: ignore[attr-defined]
    print(f"  {'phase':<48} {'median s':>9}")
    for k in names:
        print(f"  {k:<48} {med([r['phases'].get(k, 0.0) for r in runs]):>9.3f}")  # type: ignore[attr-defined]
    for k, v in col.items():
        print(f"  {k:<48} {med(v):>9.3f}   ({', '.join(f'{x:.2f}' for x in v)})")
    print(f"  {'vnetlab up+down':<48} {med(tot):>9.3f}   ({', '.join(f'{x:.2f}' for x in tot)})")
    print(f"  {'floor up+down':<48} {med(ftot):>9.3f}   ({', '.join(f'{x:.2f}' for x in ftot)})")
    ratios = [a / b for a, b in zip(tot, ftot, strict=True)]
    print(
        f"  ratio vnetlab/floor: {med(tot) / med(ftot):.2f} (of medians); per run: {', '.join(f'{x:.2f}' for x in ratios)}"
    )
    # CPU time (user + system of each process): what the command itself spends, whatever the load
    cpu = [cast(dict[str, float], r["cpu"]) for r in runs]
    ctot = [c["up"] + c["down"] for c in cpu]
    cftot = [c["floor_up"] + c["floor_down"] for c in cpu]
    for k in ("up", "down", "floor_up", "floor_down"):
        v = [c[k] for c in cpu]
        print(f"  {'cpu ' + k:<48} {med(v):>9.3f}   ({', '.join(f'{x:.2f}' for x in v)})")
    cratios = [a / b for a, b in zip(ctot, cftot, strict=True)]
    print(
        f"  cpu ratio vnetlab/floor: {med(ctot) / med(cftot):.2f} (of medians); per run: {', '.join(f'{x:.2f}' for x in cratios)}"
    )
    print(f"  load average (1 min) at the end: {os.getloadavg()[0]:.2f}")


def mininet_total(n: int) -> float | None:
    if shutil.which("mn") is None:
        return None
    t = time.perf_counter()
    p = subprocess.run(
        [
            str(HERE / "sandbox.sh"),
            "--private-tmp",
            "mn",
            "--topo",
            f"single,{n}",
            "--switch",
            "lxbr",
            "--controller",
            "none",
            "--test",
            "none",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    total = time.perf_counter() - t
    if p.returncode != 0:
        print(f"  (mininet failed: {p.stderr.strip().splitlines()[-1:]})", file=sys.stderr)
        return None
    return total


def matrix_vnetlab(n: int, v6: bool = False) -> tuple[float, int]:
    """Time of the cold matrix of star n (dual-stack with ``v6``: 2n columns) and its replies."""
    k = KernelLab(resolve(load_text(star(n, v6))))
    k.up()
    t = time.perf_counter()
    m = k.matrix()
    el = time.perf_counter() - t
    ok = sum(v for r in m["rows"].values() for v in r.values())
    k.down()
    return el, ok


def matrix_loop(n: int) -> tuple[float, int]:
    k = KernelLab(resolve(load_text(star(n))))
    k.up()
    script = (
        "ok=0; "
        + "".join(
            f"ip netns exec {k.netns(f'n{s}')} ping -c1 -W1 -q {_addr(d)} >/dev/null 2>&1 && ok=$((ok+1)); "
            for s in range(n)
            for d in range(n)
        )
        + "echo $ok"
    )
    f = Path(tempfile.mkdtemp()) / "loop.sh"
    f.write_text(script.replace("; ", "\n") + "\n")
    t = time.perf_counter()
    out = subprocess.run(["sh", str(f)], capture_output=True, text=True, check=True).stdout
    el = time.perf_counter() - t
    k.down()
    return el, int(out.strip() or 0)


def med(xs: list[float]) -> float:
    return statistics.median(xs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 50, 100, 200])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--matrix", type=int, default=50, help="nodes of the matrix comparison (0: skip)")
    ap.add_argument(
        "--cli", type=int, metavar="N", help="only: `vnetlab up`/`down` of star N as processes vs the floor"
    )
    ap.add_argument("--exe", help="with --cli: the vnetlab command to time (default: this venv's)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: the kernel benchmark creates namespaces (in sandboxes)")
    if args.cli:
        cli_report(args.cli, args.repeat, args.exe)
        return
    print(
        f"{'nodes':>5} {'vnetlab s':>10} {'floor s':>8} {'ip-batch s':>11} {'mininet s':>10} {'vs floor':>9} {'vs ip':>7} {'mininet/vnetlab':>16}"
    )
    for n in args.sizes:
        v = [sum(sandbox.run(vnetlab_updown, n)) for _ in range(args.repeat)]
        f = [sum(sandbox.run(floor_updown, n)) for _ in range(args.repeat)]
        b = [sum(sandbox.run(ipbatch_updown, n)) for _ in range(args.repeat)]
        m = mininet_total(n)
        mv = f"{m / med(v):>16.1f}" if m else f"{'not installed':>16}"
        print(
            f"{n:>5} {med(v):>10.2f} {med(f):>8.2f} {med(b):>11.2f} {m or float('nan'):>10.2f} {med(v) / med(f):>9.2f} {med(v) / med(b):>7.2f} {mv}",
            flush=True,
        )
    if args.matrix:
        n = args.matrix
        ve, vok = sandbox.run(matrix_vnetlab, n)
        le, lok = sandbox.run(matrix_loop, n)
        print(
            f"\nmatrix of {n} nodes ({n * n} probes): vnetlab {ve:.2f}s ({vok} replies), ping loop {le:.2f}s ({lok} replies): {le / ve:.0f}x faster"
        )


if __name__ == "__main__":
    main()
