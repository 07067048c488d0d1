"""CLI start-up: each command as a whole process, against `python -c pass` (issue #19: at most +0.10 s).

Run: .venv/bin/python benchmarks/bench_startup.py [--repeat 21] [--lab labs/macvlan-modes.yaml] [--where]

The commands are `vnetlab --help`, `--version`, and `validate` and `trace` of
a 10-node lab, run by the console script as a user runs them, with the
sources byte-compiled first (as an installed package is). Where
PYTHONDONTWRITEBYTECODE is set (as on the development machine), a tree that
was never compiled compiles every module of vnetlab at every command: about
+0.05 s of CPU for `validate` (2026-11-26: 0.257 s against 0.199 s, medians
of 15 alternated runs at load 5). Beside them, the
floors that no change to vnetlab can lower: `import click` (the command line),
pydantic's (import it, build one one-field model and validate once: what
any pydantic model costs the first time, plugin discovery included), and
click, PyYAML and pydantic together with the collector paused, as vnetlab imports them: what
`validate` cannot go below.

Each round runs `python -c pass` and every command once, in a shuffled order,
and takes each command's difference from that round's `pass`: on a shared or
loaded machine the pairs drift together, so the median of the differences is
the figure to quote. CPU is user + system seconds of the child (what the
process itself costs, whatever else runs); wall is what a user waits. The
"best" columns are each command's fastest run less the fastest `pass` (best
of --repeat): what the process costs when nothing else gets in its way.

--breakdown splits the start-up of `validate` and `trace` into its phases,
measured inside one process (CPU seconds, medians of --repeat fresh
processes, the collector paused while importing as the command pauses it):
first the floor (click, PyYAML, pydantic's import, then pydantic's first
model: importing importlib.metadata for its plugin lookup, the lookup itself,
and the rest of the first schema build), then what vnetlab adds on top (its
command line, the model's classes, the Lab schema, its other modules, the
work itself; for trace the simulator's modules and the run).

--where adds, per command, the import time by package (self times from
`python -X importtime`, medians of 5 runs; the instrumentation itself makes
them larger than the plain run): where what is left of the start-up goes.
"""

from __future__ import annotations

import argparse
import compileall
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GOAL = 0.100  # seconds more than `python -c pass`

PYDANTIC_FLOOR = "from pydantic import BaseModel\nclass M(BaseModel):\n    a: int\nM(a=1)\n"
#: what `validate` cannot do without: click, PyYAML and pydantic's floor, with the collector
#: paused as vnetlab's command pauses it while it imports (vnetlab/cli/startup.py)
DEPS_FLOOR = "import gc\ngc.disable()\nimport click, yaml\n" + PYDANTIC_FLOOR


def commands(lab: Path, src: str, dst: str) -> dict[str, list[str]]:
    exe = str(Path(sys.executable).parent / "vnetlab")
    return {
        "vnetlab --help": [exe, "--help"],
        "vnetlab --version": [exe, "--version"],
        f"vnetlab validate {lab.name}": [exe, "validate", str(lab)],
        f"vnetlab trace {lab.name} {src} {dst}": [exe, "trace", str(lab), src, dst],
        "(floor) import click": [sys.executable, "-c", "import click"],
        "(floor) pydantic + one model": [sys.executable, "-c", PYDANTIC_FLOOR],
        "(floor) click + yaml + pydantic, GC paused": [sys.executable, "-c", DEPS_FLOOR],
    }


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run of ``cmd``."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def measure(cmds: dict[str, list[str]], repeat: int) -> dict[str, dict[str, float]]:
    """Per command: medians of its wall and CPU seconds and of their differences from `python -c pass`;
    and the best of them (``best_*``: the command's fastest run less the fastest `pass`: what the
    process costs when nothing else gets in its way)."""
    base = [sys.executable, "-c", "pass"]
    for cmd in [base, *cmds.values()]:  # warm-up: the page cache, the .pyc files
        run(cmd)
    diffs: dict[str, list[tuple[float, float, float, float]]] = {k: [] for k in cmds}
    bases: list[tuple[float, float]] = []
    for _ in range(repeat):
        order = ["pass", *cmds]
        random.shuffle(order)
        got = {k: run(base if k == "pass" else cmds[k]) for k in order}
        bw, bc = got["pass"]
        bases.append((bw, bc))
        for k in cmds:
            w, c = got[k]
            diffs[k].append((w, c, w - bw, c - bc))
    best_bw, best_bc = min(x[0] for x in bases), min(x[1] for x in bases)
    return {
        k: {
            "wall": statistics.median(x[0] for x in v),
            "cpu": statistics.median(x[1] for x in v),
            "d_wall": statistics.median(x[2] for x in v),
            "d_cpu": statistics.median(x[3] for x in v),
            "best_d_wall": min(x[0] for x in v) - best_bw,
            "best_d_cpu": min(x[1] for x in v) - best_bc,
        }
        for k, v in diffs.items()
    }


#: the phases of `validate` then `trace`, in one process; each step's CPU seconds printed as JSON
PHASES = r"""
import gc, json, sys, time
gc.disable()
out = {}
t = time.process_time()
def mark(name):
    global t
    now = time.process_time()
    out[name] = now - t
    t = now
import click
mark("floor: import click")
import yaml
mark("floor: import yaml (PyYAML)")
from pydantic import BaseModel
mark("floor: import pydantic (BaseModel)")
import importlib.metadata
mark("floor: first model: import importlib.metadata (pydantic's plugin lookup)")
from pydantic.plugin._loader import get_plugins
list(get_plugins())
mark("floor: first model: the plugin lookup (entry points)")
class M(BaseModel):
    a: int
M(a=1)
mark("floor: first model: the rest (pydantic's lazy modules, one schema)")
import vnetlab.cli.main
mark("vnetlab: its command line (vnetlab.cli)")
import vnetlab.model
mark("vnetlab: the model (its classes; only Lab's schema is built)")
import vnetlab.load, vnetlab.resolve
mark("vnetlab: loader, checks, resolver (modules)")
gc.freeze(); gc.enable()
r = sys.modules["vnetlab.resolve"].resolve(sys.modules["vnetlab.load"].load_file(sys.argv[1]).lab)
mark("validate: load, validate, check, resolve the lab")
gc.disable()
from vnetlab.sim import Simulator
from vnetlab.verify.trace import trace
mark("trace: the simulator's modules")
gc.freeze(); gc.enable()
tr = trace(Simulator(r), sys.argv[2], sys.argv[3], "icmp", None)
mark("trace: build the simulator, trace one ping")
vnetlab.model.Lab.model_rebuild(force=True)
mark("(of the model: building Lab's schema again)")
print(json.dumps(out))
"""


def breakdown(lab: Path, src: str, dst: str, repeat: int) -> dict[str, float]:
    """Median CPU seconds of each phase of PHASES over ``repeat`` fresh processes."""
    import json

    runs = []
    for _ in range(repeat):
        p = subprocess.run(
            [sys.executable, "-c", PHASES, str(lab), src, dst], capture_output=True, text=True, check=True
        )
        runs.append(json.loads(p.stdout))
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def _group(mod: str) -> str:
    if mod.startswith("vnetlab."):
        parts = mod.split(".")
        return ".".join(parts[:2]) if parts[1] in ("model", "sim", "plan", "verify", "cli", "kernel") else "vnetlab"
    top = mod.split(".")[0]
    if top in sys.stdlib_module_names or top.startswith("_"):
        return "(stdlib)"
    return top


def _imports(args: list[str]) -> dict[str, float]:
    """Self time (seconds) of each module one run of ``python -X importtime ARGS`` imported."""
    p = subprocess.run([sys.executable, "-X", "importtime", *args], capture_output=True, text=True, check=False)
    out = {}
    for ln in p.stderr.splitlines():
        if ln.startswith("import time:") and "[us]" not in ln:
            self_us, _cum, name = ln[len("import time:") :].split("|")
            out[name.strip()] = int(self_us) / 1e6
    return out


def where(args: list[str], runs: int = 5) -> dict[str, float]:
    """Import self time (seconds) by package, medians of ``runs`` runs of ``python -X importtime ARGS``;
    without what `python -c pass` imports too (the interpreter's own start-up)."""
    bare = set(_imports(["-c", "pass"]))
    per: list[dict[str, float]] = []
    for _ in range(runs):
        g: dict[str, float] = {}
        for name, s in _imports(args).items():
            if name not in bare:
                g[_group(name)] = g.get(_group(name), 0.0) + s
        per.append(g)
    keys = set().union(*per)
    return {k: statistics.median(g.get(k, 0.0) for g in per) for k in keys}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=21, help="rounds (each runs every command once)")
    ap.add_argument("--lab", type=Path, default=ROOT / "labs" / "macvlan-modes.yaml", help="a 10-node lab")
    ap.add_argument("--trace", nargs=2, default=["b1", "b2"], metavar=("SRC", "DST"))
    ap.add_argument("--where", action="store_true", help="also the import time by package, per command")
    ap.add_argument("--breakdown", action="store_true", help="also the phases of validate and trace, in one process")
    a = ap.parse_args()
    compileall.compile_dir(str(ROOT / "src"), quiet=1)
    cmds = commands(a.lab.resolve(), *a.trace)
    load = os.getloadavg()
    res = measure(cmds, a.repeat)
    print(
        f"CLI start-up, medians of {a.repeat} rounds (load average {load[0]:.2f} before, {os.getloadavg()[0]:.2f} after)"
    )
    print(
        f"{'command':<44} {'wall s':>7} {'cpu s':>7} {'- pass, wall':>13} {'cpu':>7} {'best: wall':>11} {'cpu':>7}"
        f"   goal +{GOAL:.3f} s (wall, cpu)"
    )
    for k, r in res.items():
        verdict = (
            "" if k.startswith("(floor)") else ", ".join("met" if r[x] <= GOAL else "over" for x in ("d_wall", "d_cpu"))
        )
        print(
            f"{k:<44} {r['wall']:>7.3f} {r['cpu']:>7.3f} {r['d_wall']:>+13.3f} {r['d_cpu']:>+7.3f}"
            f" {r['best_d_wall']:>+11.3f} {r['best_d_cpu']:>+7.3f}   {verdict}"
        )
    if a.breakdown:
        b = breakdown(a.lab.resolve(), *a.trace, a.repeat)
        print(f"\nphases, CPU ms inside one process (medians of {a.repeat}; load {os.getloadavg()[0]:.2f} after)")
        groups: dict[str, float] = {}
        for k, v in b.items():
            print(f"  {k:<74} {v * 1000:6.1f}")
            g = k.split(":")[0]
            if g.startswith("("):
                continue
            groups[g] = groups.get(g, 0.0) + v
        floor, own, val, tr = (groups[g] for g in ("floor", "vnetlab", "validate", "trace"))
        print(
            f"  = floor {floor * 1000:.1f}, vnetlab's imports {own * 1000:.1f}, validate's work {val * 1000:.1f}"
            f" (validate {1000 * (floor + own + val):.1f}), trace adds {tr * 1000:.1f}"
            f" (trace {1000 * (floor + own + val + tr):.1f}); goal {GOAL * 1000:.0f}"
        )
    if a.where:
        for k, cmd in cmds.items():
            if k.startswith("(floor)"):
                continue
            args = ["-m", "vnetlab", *cmd[1:]]
            g = where(args)
            top = sorted(g.items(), key=lambda x: -x[1])
            print(f"\n{k}: imports {sum(g.values()):.3f} s (-X importtime self times, beyond `python -c pass`)")
            print("  " + ", ".join(f"{name} {s * 1000:.1f} ms" for name, s in top if s >= 0.0005))


if __name__ == "__main__":
    main()
