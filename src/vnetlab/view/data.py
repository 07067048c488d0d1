"""Everything `vnetlab view` asks of the rest of vnetlab, in one small adapter.

The page needs a matrix per backend, the expectations' outcomes and the
simulator's trace of single probes. These are the same public calls the
`matrix`, `test` and `trace` commands make; keeping them here lets them be
re-pointed in one place when those move.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..resolve import Resolved


def matrices(r: Resolved, backends: Sequence[str]) -> dict[str, dict[str, Any]]:
    """`vnetlab matrix --backend B --json` for each backend."""
    from ..backends import open_backend

    return {b: open_backend(r, b).matrix() for b in backends}


def kernel_unchecked(r: Resolved) -> tuple[set[str], set[str]]:
    """Sources and addresses the kernel backend cannot check (as `vnetlab diff` leaves them out)."""
    from ..kernel import KernelLab

    kl = KernelLab(r)
    return set(kl.uncheckable_sources()), set(kl.uncheckable())


@dataclass(frozen=True)
class ExpectRow:
    expectation: Any  # model.Expectation
    outcomes: dict[str, Any]  # backend -> verify.expect.Outcome
    passed: bool


def expectations(r: Resolved, backends: Sequence[str]) -> list[ExpectRow]:
    """`vnetlab test --backend ...`: each expectation, its outcome per backend, pass/fail."""
    from ..backends import open_backend

    results = {n: open_backend(r, n).evaluate(r.lab.expect) for n in backends}
    rows = []
    for i, e in enumerate(r.lab.expect):
        outs = {n: results[n][i] for n in backends}
        checked = [o for o in outs.values() if o.skipped is None]
        ok = all(o.passed for o in outs.values()) and len({o.reached for o in checked}) <= 1
        rows.append(ExpectRow(e, outs, ok))
    return rows


class Tracer:
    """`vnetlab trace LAB SRC ADDR`: one simulator probe from cold caches, hop by hop."""

    def __init__(self, r: Resolved):
        from ..sim import Simulator

        self.sim = Simulator(r)

    def resolve_dst(self, dst: str) -> list[str]:
        return self.sim.resolve_dst(dst)

    def owner(self) -> dict[str, str]:
        return {t.address: t.node for t in self.sim.targets}

    def trace(self, src: str, addr: str) -> Any:
        """The PingResult (src, dst, ok, hops) of one address."""
        return self.sim.ping(src, addr, flush=True)[0]

    def traces(self, cells: Iterable[tuple[str, str]]) -> Iterator[tuple[tuple[str, str], Any]]:
        """Each distinct cell's trace, one at a time (a big lab's traces do not fit in memory at once)."""
        import gc

        was = gc.isenabled()
        gc.disable()  # as Simulator.matrix: many short-lived frames, no cycles
        try:
            for c in dict.fromkeys(cells):
                yield c, self.trace(*c)
        finally:
            if was:
                gc.enable()


def quiet_rules() -> frozenset[str]:
    """Drops `vnetlab trace` hides unless they happen at either end (copies that went nowhere)."""
    from ..cli.render import _QUIET

    return frozenset(_QUIET)
