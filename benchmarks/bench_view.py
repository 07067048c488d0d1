"""`vnetlab view` benchmark: writing the page through the CLI, and opening it in headless Chromium.

Run: .venv/bin/python benchmarks/bench_view.py [--sizes 50 200] [--repeat 3]

Star labs (N nodes, one nic each, on one switch: N² probes). For each lab:
the time `vnetlab view LAB -o PAGE` takes as a process (load, matrix,
expectations, traces, drawing with Graphviz, writing), the page's size, and
the time from navigation start to the page's `window.vnetlabReady` flag (set
after its script has indexed the drawing and the first frame is drawn) in
headless Chromium, opened from file:// (median of --repeat loads, a fresh tab
each). The target: under 2 s for the 200-node star.

Each star is written twice: with every probe's trace (the default, --traces
all: N² traces, computed in one process per CPU and gzip'd into the page) and
with --traces failing (none, on a star where everything is reachable). "open
ms" is the ready flag; "traces ms" is when the page has unpacked its traces
(after drawing, so a click before then waits for them).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from genlabs import star  # noqa: E402

FLAGSHIP = HERE.parent / "labs" / "macvlan-modes.yaml"


def write(lab: Path, page: Path, traces: str) -> tuple[float, str]:
    t = time.perf_counter()
    p = subprocess.run(
        [sys.executable, "-m", "vnetlab", "view", str(lab), "-o", str(page), "--traces", traces],
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - t, p.stderr.strip()


def driver():  # type: ignore[no-untyped-def]
    os.environ["SE_OFFLINE"] = "true"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1600,1000"):
        o.add_argument(a)
    return webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=o)


def open_ms(d, page: Path, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import WebDriverWait

    ready, traces = [], []
    for _ in range(repeat):
        d.get("about:blank")
        d.get(page.as_uri())
        WebDriverWait(d, 120, poll_frequency=0.02).until(
            lambda x: x.execute_script("return window.vnetlabReady === true && window.vnetlabTracesReady === true")
        )
        ready.append(float(d.execute_script("return window.vnetlabReadyMs")))
        traces.append(float(d.execute_script("return window.vnetlabTracesMs")))
    return statistics.median(ready), statistics.median(traces)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[50, 200])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-view-"))
    cases: list[tuple[str, Path, str]] = [("macvlan-modes", FLAGSHIP, "all")]
    for n in args.sizes:
        lab = tmp / f"star{n}.yaml"
        lab.write_text(star(n))
        cases += [(f"star {n}", lab, "failing"), (f"star {n}", lab, "all")]
    d = driver()
    print(
        f"{'lab':<14} {'traces':<8} {'probes':>7} {'traced':>7} {'page MB':>8} {'write s':>8} {'open ms':>8} {'traces ms':>9}"
    )
    try:
        for name, lab, traces in cases:
            page = tmp / f"{lab.stem}-{traces}.html"
            secs, msg = write(lab, page, traces)
            # "wrote P (X MB: N probes, M traced, ...)"
            probes = msg.split(": ", 1)[1].split(" probes")[0]
            traced = msg.split("probes, ", 1)[1].split(" traced")[0]
            ms, tms = open_ms(d, page, args.repeat)
            mb = page.stat().st_size / 1e6
            print(
                f"{name:<14} {traces:<8} {probes:>7} {traced:>7} {mb:>8.2f} {secs:>8.2f} {ms:>8.0f} {tms:>9.0f}",
                flush=True,
            )
    finally:
        d.quit()


if __name__ == "__main__":
    main()
