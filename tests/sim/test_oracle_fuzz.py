"""Self-consistency on random labs: every matrix cell equals `trace` of that pair
(pure simulator, no root). The fuzzer's generator (tests/differential/labgen.py)
makes the labs; ORACLE_N of them (default 200 in the suite; `make oracle` runs
2,000)."""

from __future__ import annotations

from hypothesis import given

from tests.differential.fuzzing import fuzz_settings
from tests.differential.labgen import labs
from tests.differential.shapes import record
from tests.sim.test_trust import oracle
from vnetlab import load_text, resolve


@fuzz_settings(200, "ORACLE_N")
@given(labs())
def test_matrix_equals_trace_on_random_labs(text: str) -> None:
    record(text)  # the shapes of issue #12 it has: --hypothesis-show-statistics counts them
    bad = oracle(resolve(load_text(text)))
    assert not bad, "matrix and trace disagree:\n" + "\n".join(bad) + "\n--- lab ---\n" + text
