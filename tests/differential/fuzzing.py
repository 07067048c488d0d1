"""The hypothesis settings every differential fuzz test shares, and the mixed strategy.

Each example brings a lab up on the kernel, so: no deadline, no health checks,
no shrinking (it re-runs the kernel: a failing lab is printed whole instead),
the same examples on every run unless FUZZ_RANDOM is set (`make fuzz`), and
the count from an environment variable (`make fuzz N=...` sets FUZZ_N)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from .labgen import labs
from .labgen6 import dual_labs


def fuzz_settings(default: int, env: str = "FUZZ_N") -> settings:
    """``default`` examples (``env`` overrides it), derandomized unless FUZZ_RANDOM."""
    return settings(
        max_examples=int(os.environ.get(env, str(default))),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=not os.environ.get("FUZZ_RANDOM"),
        phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: print the lab whole
    )


def mixed_labs() -> st.SearchStrategy[str]:
    """A third of the labs dual-stack (labgen6), the rest IPv4 (labgen)."""
    return st.one_of(dual_labs(), labs(), labs())  # about 30 % dual-stack (hypothesis favours the first)


def is_dual(text: str) -> bool:
    return text.startswith("lab: fz6\n")
