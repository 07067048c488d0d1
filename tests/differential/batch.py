"""`make fuzz` that does not stop at the first disagreement: N random labs
from the generator, each compared on the simulator and the kernel (the same
`compare` as test_fuzz.py, in vnetlab's sandbox), every disagreement written
whole (cells and lab) to OUT, and the figures at the end: labs, cells
compared, disagreements, shapes.

Run as root: .venv/bin/python -m tests.differential.batch N [OUT]"""

from __future__ import annotations

import sys
import time
from collections import Counter

from hypothesis import HealthCheck, Phase, given, settings

from vnetlab import load_text, resolve
from vnetlab.sim import Simulator

from .labgen import labs
from .shapes import SHAPES, shapes
from .test_fuzz import compare


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    out = open(sys.argv[2] if len(sys.argv) > 2 else "fuzz-disagreements.txt", "a")  # noqa: SIM115
    stats = {"labs": 0, "cells": 0, "bad labs": 0, "bad cells": 0}
    seen: Counter[str] = Counter()
    t0 = time.monotonic()

    @settings(max_examples=n, deadline=None, suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    @given(labs())
    def one(text: str) -> None:
        rows = Simulator(resolve(load_text(text))).matrix()["rows"]
        bad = compare(text)
        stats["labs"] += 1
        stats["cells"] += sum(len(r) for r in rows.values())
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
    for s in SHAPES:
        print(f"  {s:<40} {seen[s]:4d}")


if __name__ == "__main__":
    main()
