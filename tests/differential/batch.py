"""`make fuzz` that does not stop at the first disagreement: N random labs
from the generator, each compared on the simulator and the kernel (the same
`compare` as test_fuzz.py, in vnetlab's sandbox), every disagreement written
whole (cells and lab) to OUT, and the figures at the end: labs, cells
compared (IPv4 and IPv6 columns), disagreements, shapes, for the dual-stack
labs (a third, labgen6) and the IPv4 ones apart. DUAL=1 in the environment:
dual-stack labs only.

Run as root: .venv/bin/python -m tests.differential.batch N [OUT]"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter

from hypothesis import HealthCheck, Phase, given, settings

from vnetlab import load_text, resolve
from vnetlab.sim import Simulator

from .fuzzing import is_dual, mixed_labs
from .labgen6 import dual_labs
from .shapes import SHAPES, SHAPES6, shapes
from .test_fuzz import compare


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    out = open(sys.argv[2] if len(sys.argv) > 2 else "fuzz-disagreements.txt", "a")  # noqa: SIM115
    stats = {"labs": 0, "dual": 0, "cells": 0, "v6 cells": 0, "bad labs": 0, "bad cells": 0, "dual s": 0.0}
    seen: Counter[str] = Counter()
    t0 = time.monotonic()

    @settings(max_examples=n, deadline=None, suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    @given(dual_labs() if os.environ.get("DUAL") else mixed_labs())
    def one(text: str) -> None:
        t1 = time.monotonic()
        rows = Simulator(resolve(load_text(text))).matrix()["rows"]
        bad = compare(text)
        stats["labs"] += 1
        stats["cells"] += sum(len(r) for r in rows.values())
        stats["v6 cells"] += sum(1 for r in rows.values() for a in r if ":" in a)
        if is_dual(text):
            stats["dual"] += 1
            stats["dual s"] = round(stats["dual s"] + time.monotonic() - t1, 1)
        seen.update(shapes(text))
        if bad:
            stats["bad labs"] += 1
            stats["bad cells"] += len(bad)
            out.write("=== disagreement\n" + "\n".join(bad) + "\n--- lab ---\n" + text + "\n")
            out.flush()
        if stats["labs"] % 10 == 0:
            print(f"{stats} {time.monotonic() - t0:.0f} s", flush=True)

    one()
    print(f"{stats} in {time.monotonic() - t0:.0f} s")
    for s in SHAPES + SHAPES6:
        print(f"  {s:<40} {seen[s]:4d}")


if __name__ == "__main__":
    main()
