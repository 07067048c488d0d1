"""Self-consistency on random labs: every matrix cell equals `trace` of that pair
(pure simulator, no root). The fuzzer's generator (tests/differential/labgen.py)
makes the labs; ORACLE_N of them (default 200 in the suite; `make oracle` runs
2,000)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, given, settings

from tests.differential.labgen import labs
from tests.differential.shapes import record
from tests.sim.test_trust import oracle
from vnetlab import load_text, resolve


@settings(
    max_examples=int(os.environ.get("ORACLE_N", "200")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=not os.environ.get("FUZZ_RANDOM"),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: the lab is printed whole
)
@given(labs())
def test_matrix_equals_trace_on_random_labs(text: str) -> None:
    record(text)  # the shapes of issue #12 it has: --hypothesis-show-statistics counts them
    bad = oracle(resolve(load_text(text)))
    assert not bad, "matrix and trace disagree:\n" + "\n".join(bad) + "\n--- lab ---\n" + text
