"""Simulator benchmark: the cost of one matrix cell against the lab's size.

Run: .venv/bin/python benchmarks/bench_sim.py [--sizes 10 100 1000 5000] [--rows 40] [--macvlans 200]

Labs: a star of N nodes with one NIC each on one switch (N ≤ 1000; a kernel
bridge takes 1023 ports), and past that a tree: access switches of 1000
ports joined through nodes that bridge them to a core switch (one broadcast
domain). macvlans: N bridge-mode children of one parent, each in its own
node, plus the parent and a peer. Every row of a matrix starts from cold
neighbour caches, as in `vnetlab matrix`; labs of more than --rows sources
are timed on their first --rows rows (the whole matrix of a 5,000-node lab
is 25 million cells). The table shows the cost per cell (CPU, one core) and
its ratio to the smallest lab's: a flat cost means the simulator scales with
the number of probes, not with the lab's size times the number of probes.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from genlabs import macvlans, tree

from vnetlab import load_text
from vnetlab.sim import Simulator
from vnetlab.verify.matrix import columns


def run(name: str, text: str, max_rows: int = 0) -> dict[str, float]:
    """Build, then measure the matrix (or its first ``max_rows`` rows) as `vnetlab matrix` does."""
    lab = load_text(text, name)
    t0 = time.perf_counter()
    sim = Simulator(lab)
    built = time.perf_counter() - t0
    addrs = [c.address for c in columns(sim.r)]
    srcs = sim.sources()
    if max_rows and len(srcs) > max_rows:
        srcs = srcs[:max_rows]
    w0, c0 = time.perf_counter(), time.process_time()
    ok = 0
    with sim.measuring(columns(sim.r)):
        for s in srcs:
            ok += sum(o is not None for o in sim.answers(s, addrs).values())
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    return {
        "build_s": built,
        "matrix_s": wall,
        "cpu_s": cpu,
        "rows": len(srcs),
        "pairs": len(srcs) * len(addrs),
        "reachable": ok,
        "frames": sim.world.frames,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000, 2000, 5000])
    ap.add_argument("--rows", type=int, default=40, help="labs with more sources: time their first ROWS rows")
    ap.add_argument("--macvlans", type=int, default=200)
    args = ap.parse_args()
    cases = [(f"{'star' if n <= 1000 else 'tree'} {n}", tree(n), args.rows) for n in args.sizes]
    if args.macvlans:
        cases.append((f"{args.macvlans} macvlans", macvlans(args.macvlans), 0))
    print(
        f"{'lab':<16} {'rows':>5} {'cells':>9} {'build s':>8} {'wall s':>8} {'cpu s':>8} {'us/cell':>8} {'x first':>8} {'frames/s':>10}  reachable"
    )
    base = None
    for name, text, max_rows in cases:
        r = run(name, text, max_rows)
        per = r["cpu_s"] / r["pairs"] * 1e6
        base = base or per
        fps = r["frames"] / r["cpu_s"]
        print(
            f"{name:<16} {r['rows']:>5} {r['pairs']:>9} {r['build_s']:>8.2f} {r['matrix_s']:>8.2f} {r['cpu_s']:>8.2f} {per:>8.1f} {per / base:>8.2f} {fps:>10.0f}  {r['reachable']}/{r['pairs']}",
            flush=True,
        )


if __name__ == "__main__":
    main()
