"""False negatives of kernel probes under CPU load, with and without retry.

Run as root: .venv/bin/python benchmarks/bench_probe_stress.py [--rounds 20] [--cpu 2] [--labs GLOB...]

For every lab in labs/ that this kernel supports, a quiet `vnetlab diff
--json` (probes retried, the default) gives the reference kernel matrix.
Then `stress-ng --cpu N` runs beside `vnetlab diff --json` on every lab,
`rounds` times. Each run gives both figures at once: a kernel cell's first
cold probe is exactly what a run with VNETLAB_PROBE_RETRIES=0 measures, and
`kernel_retried` names the cells that answered only on a cold retry (up to
two). A false negative is a cell the quiet reference says "reach" and the
loaded run "no reach"; a false positive the other way round. `vnetlab diff`
builds each lab in its own throw-away sandbox; stress-ng is stopped by its
PID. --separate runs the two modes as separate diffs instead (twice the time).
--reference sim takes the simulator's matrix as the reference instead of a
quiet kernel run (the kernel tier proves sim == quiet kernel on every lab), so
there is no quiet phase and several instances can run side by side, each
adding its own stress.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from vnetlab import load, resolve  # noqa: E402
from vnetlab.kernel import preflight  # noqa: E402


def supported_labs(patterns: list[str]) -> list[Path]:
    out = []
    for p in sorted((ROOT / "labs").glob("*.yaml")):
        if patterns and not any(fnmatch.fnmatch(p.name, g) for g in patterns):
            continue
        kinds = preflight.lab_kinds(resolve(load(p)))
        if all(preflight.supported(sorted(kinds)).values()):
            out.append(p)
    return out


def kernel_cells(lab: Path, retries: int | None) -> tuple[dict[tuple[str, str], bool], set[tuple[str, str]]]:
    """The kernel's cells of `vnetlab diff`, and the cells that answered only on a retry."""
    env = {**os.environ, "VNETLAB_SANDBOX_ONLY": "1"}
    if retries is not None:
        env["VNETLAB_PROBE_RETRIES"] = str(retries)
    p = subprocess.run(
        [sys.executable, "-m", "vnetlab", "diff", str(lab), "--json"], capture_output=True, text=True, env=env
    )
    if p.returncode not in (0, 1):
        raise SystemExit(f"vnetlab diff {lab.name} failed ({p.returncode}): {p.stderr.strip()}")
    doc = json.loads(p.stdout)
    retried = {(s, a) for s, row in doc.get("kernel_retried", {}).items() for a in row}
    return {(c["from"], c["to"]): c["kernel"] for c in doc["cells"]}, retried


def sim_cells(lab: Path) -> dict[tuple[str, str], bool]:
    """The simulator's matrix of the lab, as cells."""
    p = subprocess.run(
        [sys.executable, "-m", "vnetlab", "matrix", str(lab), "--backend", "sim", "--json"],
        capture_output=True,
        text=True,
    )
    if p.returncode not in (0, 1):
        raise SystemExit(f"vnetlab matrix {lab.name} failed ({p.returncode}): {p.stderr.strip()}")
    rows = json.loads(p.stdout)["rows"]
    return {(s, a): v for s, row in rows.items() for a, v in row.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--cpu", type=int, default=2, help="stress-ng CPU workers")
    ap.add_argument("--labs", nargs="*", default=[], help="only labs whose file name matches one of these globs")
    ap.add_argument(
        "--reference", choices=("kernel", "sim"), default="kernel", help="quiet kernel run, or the simulator's matrix"
    )
    ap.add_argument("--separate", action="store_true", help="one diff with VNETLAB_PROBE_RETRIES=0, one with retries")
    a = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("run as root (the kernel backend builds each lab in a sandbox)")
    if shutil.which("stress-ng") is None:
        raise SystemExit("needs stress-ng (Debian package stress-ng)")
    labs = supported_labs(a.labs)
    t0 = time.monotonic()
    if a.reference == "sim":
        ref = {lab: sim_cells(lab) for lab in labs}
    else:
        ref = {lab: kernel_cells(lab, None)[0] for lab in labs}
    n_cells = sum(len(c) for c in ref.values())
    print(
        f"{len(labs)} labs, {n_cells} cells per round; {a.reference} reference in {time.monotonic() - t0:.0f} s",
        flush=True,
    )
    modes = {"no retry": 0, "retry (default)": None}
    fn = {m: {lab.name: 0 for lab in labs} for m in modes}
    fp = {m: {lab.name: 0 for lab in labs} for m in modes}
    secs = dict.fromkeys(modes, 0.0)
    stress = subprocess.Popen(
        ["stress-ng", "--cpu", str(a.cpu), "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        time.sleep(1)  # let the workers start
        for rnd in range(1, a.rounds + 1):
            for lab in labs:
                runs: dict[str, dict[tuple[str, str], bool]] = {}
                if a.separate:
                    for m, retries in modes.items():
                        t = time.monotonic()
                        runs[m] = kernel_cells(lab, retries)[0]
                        secs[m] += time.monotonic() - t
                else:
                    t = time.monotonic()
                    final, retried = kernel_cells(lab, None)
                    secs["retry (default)"] += time.monotonic() - t
                    runs = {"no retry": {c: v and c not in retried for c, v in final.items()}, "retry (default)": final}
                for m, got in runs.items():
                    for cell, want in ref[lab].items():
                        if cell in got and got[cell] != want:
                            (fn if want else fp)[m][lab.name] += 1
                            print(
                                f"  round {rnd} {m}: {lab.name} {cell[0]} -> {cell[1]}: {want} -> {got[cell]}",
                                flush=True,
                            )
            print(
                f"round {rnd}/{a.rounds}: " + ", ".join(f"{m}: {sum(fn[m].values())} false negatives" for m in modes),
                flush=True,
            )
    finally:
        stress.terminate()  # our own stress-ng, by PID
        stress.wait()
    print(
        f"\nstress-ng --cpu {a.cpu}, {a.rounds} rounds x {len(labs)} labs x {n_cells // max(len(labs), 1)} cells/lab on average"
    )
    print(f"{'lab':<32} " + " ".join(f"{m + ' FN':>20}" for m in modes))
    for lab in labs:
        if any(fn[m][lab.name] or fp[m][lab.name] for m in modes):
            print(f"{lab.name:<32} " + " ".join(f"{fn[m][lab.name]:>20}" for m in modes))
    total = a.rounds * n_cells
    for m in modes:
        print(
            f"{m:<16} false negatives {sum(fn[m].values()):4d} / {total} cells "
            f"({100 * sum(fn[m].values()) / max(total, 1):.3f} %), false positives {sum(fp[m].values())}"
            + (f", {secs[m] / max(a.rounds * len(labs), 1):.1f} s per diff" if secs[m] else "")
        )
    print(f"total {time.monotonic() - t0:.0f} s")


if __name__ == "__main__":
    main()
