"""Every figure of issue #19 in one table, each against its alternative (`make bench`).

Run: .venv/bin/python benchmarks/bench_all.py [--repeat 10] [--star 1000] [--no-kernel]

  start-up     `vnetlab --help`, `--version`, and `validate` and `trace` of a
               10-node star, as processes, each run in turn with `python -c
               pass` (medians; the goal is a difference of at most 0.10 s),
               beside the floor of `validate`: click, PyYAML and pydantic
               imported and one model built, as vnetlab imports them.
               The sources are byte-compiled first, as an installed package is.
  simulator    the full matrix of a --star node star (one switch), serial on
               one core (goal: under 8 s), and with `--workers 2` (goal: a
               speed-up of 1.7 or more); both matrices must be equal.
  kernel       (root; each run in its own sandbox, as bench_kernel.py does)
               `vnetlab up` + `vnetlab down` of a --updown node star as
               processes against the pyroute2 floor script (goal: 1.3× at
               most), and the cold matrix of a --matrix node star against a
               loop of `ping` processes (goal: 50× faster or more).

The machine (processor, cores, load average before and after) heads the table:
it is shared, so the figures are ratios measured side by side.
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from genlabs import star  # noqa: E402

ROWS: list[tuple[str, str, str, str, str]] = []


def row(figure: str, ours: str, alt: str, ratio: str, goal: str) -> None:
    ROWS.append((figure, ours, alt, ratio, goal))
    print(f"  {figure}: {ours} vs {alt}: {ratio} (goal {goal})", file=sys.stderr, flush=True)


def startup(repeat: int) -> None:
    import bench_startup

    compileall.compile_dir(str(ROOT / "src"), quiet=1)
    with tempfile.TemporaryDirectory() as d:
        lab = Path(d) / "star10.yaml"
        lab.write_text(star(10))
        cmds = bench_startup.commands(lab, "n0", "n9")
        floor = "(floor) click + yaml + pydantic, GC paused"
        cmds = {
            k.replace("star10.yaml", "(10 nodes)"): v
            for k, v in cmds.items()
            if not k.startswith("(floor)") or k == floor
        }
        # rounds of `python -c pass` and each command in a shuffled order: medians of the differences
        for name, r in bench_startup.measure(cmds, repeat).items():
            row(
                "CLI start-up floor: click + PyYAML + pydantic, one model - python -c pass"
                if name == floor
                else f"CLI start-up: {name} - python -c pass",
                f"{r['wall']:.3f} s (cpu {r['cpu']:.3f})",
                f"{r['wall'] - r['d_wall']:.3f} s (cpu {r['cpu'] - r['d_cpu']:.3f})",
                f"+{r['d_wall']:.3f} s wall, +{r['d_cpu']:.3f} s cpu (best +{r['best_d_cpu']:.3f})",
                "(validate's floor)" if name == floor else "<= +0.100 s",
            )


def simulator(n: int) -> None:
    from vnetlab import load_text, resolve
    from vnetlab.sim import Simulator
    from vnetlab.verify.matrix import measure_parallel

    r = resolve(load_text(star(n)))
    w0, c0 = time.perf_counter(), time.process_time()
    serial = Simulator(r).matrix()
    ws, cs = time.perf_counter() - w0, time.process_time() - c0
    row(
        f"simulator: {n}-node star, full matrix, one core",
        f"{ws:.2f} s wall",
        "goal 8 s",
        f"{ws / 8:.2f}x the goal (cpu {cs:.2f} s)",
        "< 1.00x",
    )
    w0 = time.perf_counter()
    par = measure_parallel(r, workers=2)
    wp = time.perf_counter() - w0
    same = par.rows == serial.rows and par.answered_by == serial.answered_by
    row(
        "simulator: same matrix with --workers 2",
        f"{wp:.2f} s wall",
        f"{ws:.2f} s serial",
        f"{ws / wp:.2f}x speed-up ({'equal' if same else 'NOT EQUAL'}, {par.parallel['redone']} chunks redone)",
        ">= 1.70x",
    )


def kernel(updown: int, matrix: int, repeat: int) -> None:
    import bench_kernel

    from vnetlab.kernel import sandbox

    exe = [str(Path(sys.executable).parent / "vnetlab")]
    runs = [sandbox.run(bench_kernel.cli_run, updown, exe) for _ in range(repeat)]
    tot = statistics.median([r["up"] + r["down"] for r in runs])  # type: ignore[operator]
    floor = statistics.median([r["floor_up"] + r["floor_down"] for r in runs])  # type: ignore[operator]
    row(
        f"kernel: vnetlab up + down, {updown}-node star, CLI",
        f"{tot:.2f} s",
        f"{floor:.2f} s pyroute2 floor",
        f"{tot / floor:.2f}x",
        "<= 1.30x",
    )
    if matrix:
        ve, vok = sandbox.run(bench_kernel.matrix_vnetlab, matrix)
        le, lok = sandbox.run(bench_kernel.matrix_loop, matrix)
        row(
            f"kernel: cold matrix, {matrix}-node star ({matrix * matrix} probes)",
            f"{ve:.2f} s ({vok} replies)",
            f"{le:.2f} s ping loop ({lok})",
            f"{le / ve:.0f}x faster",
            ">= 50x",
        )


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Linux {platform.release()}, Python {platform.python_version()}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=10, help="start-up runs per command")
    ap.add_argument("--star", type=int, default=1000, help="nodes of the simulator's star (0: skip)")
    ap.add_argument("--updown", type=int, default=200, help="nodes of the up+down star")
    ap.add_argument("--matrix", type=int, default=50, help="nodes of the kernel matrix (0: skip)")
    ap.add_argument("--kernel-repeat", type=int, default=3)
    ap.add_argument("--no-kernel", action="store_true", help="skip the kernel figures (they need root)")
    a = ap.parse_args()
    load0 = os.getloadavg()
    startup(a.repeat)
    if a.star:
        simulator(a.star)
    if a.no_kernel:
        pass
    elif os.geteuid() != 0:
        print("  (kernel figures skipped: they need root)", file=sys.stderr)
    else:
        kernel(a.updown, a.matrix, a.kernel_repeat)
    load1 = os.getloadavg()
    print(f"\nmachine: {machine()}")
    print(
        f"load average before {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}, after {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}"
        f" ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})\n"
    )
    w = [max(len(r[i]) for r in [("figure", "vnetlab", "alternative", "ratio", "goal"), *ROWS]) for i in range(5)]
    for r in [("figure", "vnetlab", "alternative", "ratio", "goal"), *ROWS]:
        print("| " + " | ".join(c.ljust(w[i]) for i, c in enumerate(r)) + " |")
        if r[0] == "figure":
            print("|" + "|".join("-" * (x + 2) for x in w) + "|")


if __name__ == "__main__":
    main()
