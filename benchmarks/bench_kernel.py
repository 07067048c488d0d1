"""Kernel backend benchmark: `up`+`down` of star labs next to the alternatives,
and a 50-node all-pairs matrix next to a loop of `ping` processes.

Run as root: .venv/bin/python benchmarks/bench_kernel.py [--sizes 10 50 100 200] [--repeat 3]

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
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def matrix_vnetlab(n: int) -> tuple[float, int]:
    k = KernelLab(resolve(load_text(star(n))))
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
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: the kernel benchmark creates namespaces (in sandboxes)")
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
