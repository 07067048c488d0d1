"""Everything `vnetlab view` asks of the rest of vnetlab, in one small adapter.

The page needs a matrix per backend, the expectations' outcomes and the
simulator's trace of single probes. These are the same public calls the
`matrix`, `test` and `trace` commands make; keeping them here lets them be
re-pointed in one place when those move.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..resolve import Resolved


def matrices(r: Resolved, backends: Sequence[str]) -> dict[str, dict[str, Any]]:
    """`vnetlab matrix --backend B --json` for each backend."""
    from ..backends import open_backend

    return {b: open_backend(r, b).matrix().as_json() for b in backends}


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
    """`vnetlab test --backend ...`: each expectation, its outcome per backend, pass/fail
    (verify.compare's agreement, as `test` decides it)."""
    from ..backends import open_backend
    from ..verify.compare import agreement

    results = {n: open_backend(r, n).evaluate(r.lab.expect) for n in backends}
    return [ExpectRow(a.expectation, a.outcomes, a.ok) for a in agreement(r.lab.expect, results)]


def expectation_addresses(r: Resolved) -> list[list[str]]:
    """The addresses `vnetlab trace` probes for each expectation's `to` ([] if it cannot)."""
    from ..errors import InputError
    from ..sim import Simulator

    sim = Simulator(r)
    out = []
    for e in r.lab.expect:
        try:
            out.append(sim.resolve_dst(e.to))
        except InputError:
            out.append([])
    return out


def address_owners(r: Resolved) -> dict[str, list[str]]:
    """address → every node and guest that owns it (a probe cannot choose which one answers)."""
    from ..verify.matrix import owners_of

    return owners_of(r)


def trace_row(r: Resolved, src: str, addrs: Sequence[str]) -> Iterator[tuple[str, Any]]:
    """`vnetlab trace LAB SRC ADDR` for each address: one probe from cold caches, hop by hop
    (a PingResult: src, dst, ok, hops). Each row starts from a fresh simulator, like `vnetlab
    trace`, so a trace does not depend on which rows were traced before it."""
    import gc

    from ..sim import Simulator

    sim = Simulator(r)
    was = gc.isenabled()
    gc.disable()  # as Simulator.matrix: many short-lived frames, no cycles
    try:
        for a in addrs:
            yield a, sim.ping(src, a, flush=True)[0]
    finally:
        if was:
            gc.enable()


def safe(text: object, *, keep_newlines: bool = False) -> str:
    """A lab string with every control character as a visible escape (\\x1b), as the CLI prints it."""
    from ..cli.render import safe as _safe

    return _safe(text, keep_newlines=keep_newlines)
