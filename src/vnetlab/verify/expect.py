"""Evaluate a lab's ``expect:`` entries on a backend that can probe.

``reach: true`` holds when every IPv4 address of the target answers;
``reach: false`` when none does. Each source is probed from cold caches,
like a matrix row, so the verdict does not depend on the order of entries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ..model import Expectation


class Prober(Protocol):
    def probe(self, src: str, dsts: Sequence[str], *, flush: bool = True) -> dict[str, bool]: ...

    def resolve_dst(self, dst: str) -> list[str]: ...


@dataclass(frozen=True)
class Outcome:
    expectation: Expectation
    results: dict[str, bool]

    @property
    def reached(self) -> bool | None:
        """True if all answered, False if none did, None if some did."""
        vals = set(self.results.values())
        return None if len(vals) != 1 else vals.pop()

    @property
    def passed(self) -> bool:
        return self.reached is self.expectation.reach

    def as_dict(self) -> dict[str, object]:
        e = self.expectation
        return {
            "from": e.from_,
            "to": e.to,
            "reach": e.reach,
            "why": e.why,
            "results": self.results,
            "passed": self.passed,
        }


def evaluate(backend: Prober, expectations: Sequence[Expectation]) -> list[Outcome]:
    out = []
    for e in expectations:
        dsts = backend.resolve_dst(e.to)
        out.append(Outcome(e, backend.probe(e.from_, dsts)))
    return out
