"""Differential fuzzing: random valid labs, the simulator's matrix against the
kernel's, the kernel as the judge. `make fuzz N=500` runs many; the suite a
bounded number (FUZZ_N, default 12). A disagreement is printed with the lab
text so it can become a regression lab in tests/differential/regressions/."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from tests.conftest import ROOT
from vnetlab import load_text, resolve
from vnetlab.kernel import KernelLab, preflight, sandbox
from vnetlab.sim import Simulator

from .labgen import labs

ROOT_OK = os.geteuid() == 0 or preflight.userns_available()
pytestmark = [
    pytest.mark.kernel,
    pytest.mark.skipif(not ROOT_OK, reason="needs root or user namespaces for the kernel side"),
]
REGRESSIONS = sorted((ROOT / "tests" / "differential" / "regressions").glob("*.yaml"))


def _kernel_rows(text: str, timeout: float = 0.3) -> dict:
    k = KernelLab(resolve(load_text(text)))
    k.timeout = timeout  # namespaces on one machine answer in well under a millisecond
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
        ker = sandbox.run(_kernel_rows, text, 2.0)
        cells &= bad(ker)
    return [f"{src} -> {a}: sim {sim[src][a]}, kernel {ker[src][a]}" for src, a in sorted(cells)]


@settings(
    max_examples=int(os.environ.get("FUZZ_N", "12")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=not os.environ.get("FUZZ_RANDOM"),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking re-runs the kernel: print the lab whole
)
@given(labs())
def test_simulator_agrees_with_the_kernel(text: str) -> None:
    bad = compare(text)
    assert not bad, "the simulator disagrees with the kernel:\n" + "\n".join(bad) + "\n--- lab ---\n" + text


@pytest.mark.parametrize("path", REGRESSIONS, ids=lambda p: p.name)
def test_regression_labs(path) -> None:
    assert compare(path.read_text()) == []
