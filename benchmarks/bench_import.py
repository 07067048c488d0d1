"""`vnetlab import --host --containers` on a machine with N containers.

Run as root: .venv/bin/python benchmarks/bench_import.py [--sizes 50 200] [--repeat 3]

Each size runs in a throw-away sandbox (vnetlab's: its own network and mount
namespaces) and, inside it, a new PID namespace (`unshare --pid --fork
--mount-proc`) so /proc shows only the benchmark's processes. There the
machine is built with `ip` and `unshare -n` (not with vnetlab): a bridge br0
with an address, and N `unshare -n sleep` processes, each holding a network
namespace with a veth (eth0, one address, a default route) whose other end is
a port of br0. Then it times

  cli      the whole command, `python -m vnetlab import --host --containers -o FILE`
           (interpreter start, reading, writing the lab, validating it)
  read     in-process: kernel.machine.plan() + to_lab() (what the command does
           between start-up and validation)
  no_host  the same for `--containers` alone (the host's namespace not read)

and checks the lab has N+1 nodes. Medians of `repeat` runs. Environment:
BENCH_PROFILE=1 / BENCH_CLI_PROFILE=1 print a cProfile of the read / of the
command; BENCH_KEEP=FILE keeps the imported lab.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def build(n: int) -> list[int]:
    """The machine: br0 and n containers on it; returns their PIDs."""
    subprocess.run(
        ["ip", "-batch", "-"],
        input="link set lo up\nlink add br0 type bridge\naddr add 198.18.0.1/16 dev br0\nlink set br0 up\n",
        text=True,
        check=True,
    )
    pids = []
    for _ in range(n):
        p = subprocess.Popen(["unshare", "-n", "sleep", "3600"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        pids.append(p.pid)
    me = os.stat("/proc/self/ns/net").st_ino
    for pid in pids:  # wait until each has its own namespace
        while os.stat(f"/proc/{pid}/ns/net").st_ino == me:
            time.sleep(0.005)
    batch = []
    for i, pid in enumerate(pids):
        batch += [f"link add v{i} type veth peer name eth0 netns {pid}", f"link set v{i} master br0 up"]
    subprocess.run(["ip", "-batch", "-"], input="\n".join(batch) + "\n", text=True, check=True)
    for i, pid in enumerate(pids):
        a = 2 + i
        cmds = (
            f"link set lo up\nlink set eth0 up\naddr add 198.18.{a // 256}.{a % 256}/16 dev eth0\n"
            "route add default via 198.18.0.1\n"
        )
        subprocess.run(["nsenter", "-t", str(pid), "-n", "ip", "-batch", "-"], input=cmds, text=True, check=True)
    return pids


def measure(n: int, repeat: int) -> dict:
    """Inside the PID namespace: build, then time the import."""
    from vnetlab.kernel import machine

    build(n)
    cli: list[float] = []
    inproc: list[float] = []
    only: list[float] = []
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "machine.yaml"
        for _ in range(repeat):
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "vnetlab", "import", "--host", "--containers", "-o", str(out)],
                check=True,
                capture_output=True,
            )
            cli.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            text = machine.to_lab(machine.plan([], True, [], True))
            inproc.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            machine.to_lab(machine.plan([], False, [], True))
            only.append(time.perf_counter() - t0)
            if os.environ.get("BENCH_KEEP"):
                Path(os.environ["BENCH_KEEP"]).write_text(text)
        if os.environ.get("BENCH_CLI_PROFILE"):
            prof = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "cProfile",
                    "-s",
                    "cumulative",
                    "-m",
                    "vnetlab",
                    "import",
                    "--host",
                    "--containers",
                ],
                capture_output=True,
                text=True,
            ).stdout
            print(prof[prof.index("   ncalls") :][:6000])
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            pr = cProfile.Profile()
            pr.enable()
            text = machine.to_lab(machine.plan([], True, [], True))
            pr.disable()
            pstats.Stats(pr).sort_stats("cumulative").print_stats(35)
        from vnetlab import load_text

        nodes = len(load_text(text, "machine.yaml").nodes)
        assert nodes == n + 1, f"{nodes} nodes for {n} containers and the host"
    return {
        "containers": n,
        "cli_s": statistics.median(cli),
        "read_s": statistics.median(inproc),
        "containers_only_s": statistics.median(only),
        "nodes": nodes,
    }


def _child(n: int, repeat: int, res: str) -> None:
    code = (
        f"import json,sys; sys.path.insert(0, {str(ROOT / 'benchmarks')!r}); import bench_import as b; "
        f"json.dump(b.measure({n}, {repeat}), open({res!r}, 'w'))"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", sys.executable, "-c", code], check=True, env=env)


def run(n: int, repeat: int) -> dict:
    from vnetlab.kernel import sandbox

    with tempfile.TemporaryDirectory() as d:
        res = os.path.join(d, "res.json")
        sandbox.run(_child, n, repeat, res)
        with open(res) as fh:
            return json.load(fh)  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[50, 200])
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    print(f"{'containers':>10} {'cli_s':>8} {'read_s':>8} {'no_host_s':>9}")
    for n in a.sizes:
        r = run(n, a.repeat)
        print(f"{r['containers']:>10} {r['cli_s']:>8.3f} {r['read_s']:>8.3f} {r['containers_only_s']:>9.3f}")


if __name__ == "__main__":
    main()
