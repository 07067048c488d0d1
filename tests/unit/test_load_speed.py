"""Validation scales (issue #20): a 25,000-node lab and thousands of broken
references validate through the real CLI in seconds, not minutes.

The bounds are on the command's CPU time (user + system of the subprocess):
on a shared machine its wall time measures the neighbours. A quadratic step
(an O(n) search per interface, difflib against every name per broken
reference) costs minutes at these sizes, so it fails the bound by far.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "benchmarks"))

from bench_validate import star_bridge, unresolved


def _validate(
    path: Path, timeout: float, bound: float | None = None
) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """CPU and wall time of `vnetlab validate PATH`; with ``bound``, the best of two runs
    when the first is over it (a neighbour's load slows even CPU time on a shared
    machine by a third; a quadratic step stays minutes over)."""
    first = _once(path, timeout)
    if bound is None or first[0] < bound:
        return first
    return min(first, _once(path, timeout), key=lambda r: r[0])


def _once(path: Path, timeout: float) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(
        [sys.executable, "-m", "vnetlab", "validate", str(path)], capture_output=True, text=True, timeout=timeout
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall, p


@pytest.mark.slow
def test_a_25000_node_lab_validates_in_under_5_seconds(tmp_path: Path) -> None:
    lab = tmp_path / "star.yaml"
    lab.write_text(star_bridge(25_000))
    assert lab.stat().st_size > 3_000_000  # past the old 1 MB limit
    cpu, wall, p = _validate(lab, timeout=120, bound=5)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "25001 nodes, 0 switches, 50025 interfaces" in p.stdout
    assert cpu < 5, f"validate took {cpu:.1f} s of CPU ({wall:.1f} s wall)"


def test_4000_unresolved_references_validate_in_under_3_seconds(tmp_path: Path) -> None:
    lab = tmp_path / "broken.yaml"
    lab.write_text(unresolved(4000))
    cpu, wall, p = _validate(lab, timeout=120, bound=3)
    assert p.returncode == 2, p.stderr
    lines = p.stdout.splitlines()
    # 3 x 4000 references, less p0 (master br0) and n0 (parent eth0) which resolve
    assert len(lines) == 11_998 and all(line.endswith("[unresolved-ref]") for line in lines)
    assert "did you mean 'br0'?" in lines[0]  # the first ones still get a hint
    assert cpu < 3, f"validate took {cpu:.1f} s of CPU ({wall:.1f} s wall)"


def test_30000_aliased_broken_interfaces_validate_quickly(tmp_path: Path) -> None:
    """One broken anchor used 30,000 times: its problems are reported once, fast."""
    lines = ["lab: alias", "x: &bad {kind: nic, switch: nope, mastr: br9}", "nodes:"]
    lines += [f"  n{i}:\n    interfaces:\n      eth0: *bad" for i in range(30_000)]
    lab = tmp_path / "alias.yaml"
    lab.write_text("\n".join(lines) + "\n")
    cpu, wall, p = _validate(lab, timeout=120, bound=8)
    assert p.returncode == 2, p.stderr
    out = p.stdout.splitlines()
    assert any("unknown key 'x'" in line for line in out)
    assert any("unknown key 'mastr'" in line and "did you mean 'master'?" in line for line in out)
    assert cpu < 8, f"validate took {cpu:.1f} s of CPU ({wall:.1f} s wall)"
