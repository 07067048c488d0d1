"""The dual-stack generator (labgen6) without the kernel (pure tier): every lab it draws
is valid, inside what the simulator models for IPv6 (no exit 3: a lab it refused
would never reach the kernel comparison), has IPv6 columns, and its matrix equals
`trace` of each pair (the simulator against itself, as tests/sim/test_oracle_fuzz.py
does for labgen). ORACLE6_N labs (default 100)."""

from __future__ import annotations

from hypothesis import given

from tests.sim.test_trust import oracle
from vnetlab import load_text, resolve
from vnetlab.sim import sim_unsupported

from .fuzzing import fuzz_settings, is_dual
from .labgen6 import dual_labs
from .shapes import record


@fuzz_settings(100, "ORACLE6_N")
@given(dual_labs())
def test_dual_stack_labs_are_valid_simulated_and_self_consistent(text: str) -> None:
    assert is_dual(text)
    record(text)
    lab = load_text(text)  # LabInvalid here: the generator drew a lab the checker refuses
    assert sim_unsupported(lab) is None, text
    r = resolve(lab)
    assert any(":" in a for i in r.ifaces.values() for a in i.spec.addresses), text
    bad = oracle(r)
    assert not bad, "matrix and trace disagree:\n" + "\n".join(bad) + "\n--- lab ---\n" + text
