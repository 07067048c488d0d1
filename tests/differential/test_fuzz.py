"""Differential fuzzing: random valid labs, the simulator's matrix against the
kernel's, the kernel as the judge. A third of the labs are dual-stack
(labgen6: IPv6 routing over router nodes and bridges, link-local gateways,
static ND entries, DAD knobs), the rest IPv4 (labgen). `make fuzz N=500` runs
many; the suite a bounded number (FUZZ_N, default 12, and FUZZ6_N dual-stack
ones, default 8). A disagreement is printed with the lab text so it can become
a regression lab in tests/differential/regressions/."""

from __future__ import annotations

import os

import pytest
from hypothesis import given

from tests.conftest import ROOT
from vnetlab import load_text, resolve
from vnetlab.kernel import KernelLab, preflight, sandbox
from vnetlab.sim import Simulator, sim_unsupported

from .fuzzing import fuzz_settings, is_dual, mixed_labs
from .labgen6 import dual_labs
from .shapes import record

ROOT_OK = os.geteuid() == 0 or preflight.userns_available()
pytestmark = [
    pytest.mark.kernel,
    pytest.mark.skipif(not ROOT_OK, reason="needs root or user namespaces for the kernel side"),
]
REGRESSIONS = sorted((ROOT / "tests" / "differential" / "regressions").glob("*.yaml"))


def _kernel_rows(text: str, timeout: float = 0.3, retries: int = 0) -> dict:
    k = KernelLab(resolve(load_text(text)))
    k.timeout = timeout  # namespaces on one machine answer in well under a millisecond
    k.retries = retries  # the first pass does not retry: a cell it misses is measured again below
    k.up()
    return k.matrix()["rows"]


def compare(text: str) -> list[str]:
    r = resolve(load_text(text))
    sim = Simulator(r).matrix()["rows"]

    def bad(ker: dict) -> set[tuple[str, str]]:
        return {(src, a) for src, row in ker.items() for a, ok in row.items() if sim[src][a] != ok}

    ker = sandbox.run(_kernel_rows, text)
    cells = bad(ker)
    if cells:  # on a loaded machine a reply can miss 0.3 s: ask the kernel again, patiently
        ker = sandbox.run(_kernel_rows, text, 2.0, 2)  # cold retries, as `vnetlab matrix` does
        cells &= bad(ker)
    return [f"{src} -> {a}: sim {sim[src][a]}, kernel {ker[src][a]}" for src, a in sorted(cells)]


def _check(text: str) -> None:
    record(text)  # the shapes of issue #12 it has: --hypothesis-show-statistics counts them
    if is_dual(text):  # the generator stays inside what the simulator models for IPv6 (no exit 3)
        assert sim_unsupported(load_text(text)) is None, text
    bad = compare(text)
    assert not bad, "the simulator disagrees with the kernel:\n" + "\n".join(bad) + "\n--- lab ---\n" + text


@fuzz_settings(12)
@given(mixed_labs())
def test_simulator_agrees_with_the_kernel(text: str) -> None:
    _check(text)


@fuzz_settings(8, "FUZZ6_N")
@given(dual_labs())
def test_dual_stack_simulator_agrees_with_the_kernel(text: str) -> None:
    _check(text)


@pytest.mark.parametrize("path", REGRESSIONS, ids=lambda p: p.name)
def test_regression_labs(path) -> None:
    assert compare(path.read_text()) == []
