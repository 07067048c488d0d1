"""Simulator benchmark: frames per second, and all-pairs matrix time by lab size.

Run: .venv/bin/python benchmarks/bench_sim.py [--sizes 100 500 1000] [--macvlans 200]

Star labs: N nodes with one nic each on one switch (N² probes, each an ARP
exchange and an echo exchange). macvlans: N bridge-mode children of one
parent, each in its own node, plus the parent and a peer. Every row of a
matrix starts from cold neighbour caches, as in `vnetlab matrix`.
The table shows the cost per pair and its ratio to the smallest lab's: a flat
cost per pair means the simulator scales with the number of probes, not with
the lab's size times the number of probes.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from genlabs import macvlans, star

from vnetlab import load_text
from vnetlab.sim import Simulator


def run(name: str, text: str) -> dict[str, float]:
    lab = load_text(text, name)
    t0 = time.perf_counter()
    sim = Simulator(lab)
    built = time.perf_counter() - t0
    t0 = time.perf_counter()
    m = sim.matrix()
    elapsed = time.perf_counter() - t0
    rows = m["rows"]
    pairs = sum(len(r) for r in rows.values())  # type: ignore[union-attr]
    ok = sum(v for r in rows.values() for v in r.values())  # type: ignore[union-attr]
    return {"build_s": built, "matrix_s": elapsed, "pairs": pairs, "reachable": ok, "frames": sim.world.frames}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 1000])
    ap.add_argument("--macvlans", type=int, default=200)
    args = ap.parse_args()
    cases = [(f"star {n}", star(n)) for n in args.sizes]
    if args.macvlans:
        cases.append((f"{args.macvlans} macvlans", macvlans(args.macvlans)))
    print(
        f"{'lab':<16} {'pairs':>9} {'build s':>8} {'matrix s':>9} {'us/pair':>8} {'x first':>8} {'frames/s':>10}  reachable"
    )
    base = None
    for name, text in cases:
        r = run(name, text)
        per = r["matrix_s"] / r["pairs"] * 1e6
        base = base or per
        fps = r["frames"] / r["matrix_s"]
        print(
            f"{name:<16} {r['pairs']:>9} {r['build_s']:>8.2f} {r['matrix_s']:>9.2f} {per:>8.1f} {per / base:>8.2f} {fps:>10.0f}  {r['reachable']}/{r['pairs']}",
            flush=True,
        )


if __name__ == "__main__":
    main()
