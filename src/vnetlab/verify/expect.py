"""Evaluate a lab's ``expect:`` entries on a backend that can probe.

``reach: true`` holds when every IPv4 address of the target answers;
``reach: false`` when none does. Each source is probed from cold caches,
like a matrix row, so the verdict does not depend on the order of entries.
A backend may decline an entry it cannot check (``skip_reason``); that
entry is reported as skipped, neither passed nor failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ..model import Expectation


class Prober(Protocol):
    def probe(self, src: str, dsts: Sequence[str], *, flush: bool = True) -> dict[str, bool]: ...

    def resolve_dst(self, dst: str) -> list[str]: ...

    def skip_reason(self, e: Expectation) -> str | None: ...


@dataclass(frozen=True)
class Outcome:
    expectation: Expectation
    results: dict[str, bool]
    #: why this backend could not check it
    skipped: str | None = None

    @property
    def reached(self) -> bool | None:
        """True if all answered, False if none did, None if some did (or skipped)."""
        vals = set(self.results.values())
        return None if len(vals) != 1 else vals.pop()

    @property
    def passed(self) -> bool:
        return self.skipped is not None or self.reached is self.expectation.reach

    def as_dict(self) -> dict[str, object]:
        e = self.expectation
        d: dict[str, object] = {
            "from": e.from_,
            "to": e.to,
            "reach": e.reach,
            "why": e.why,
            "results": self.results,
            "passed": self.passed,
        }
        if self.skipped:
            d["skipped"] = self.skipped
        return d


def evaluate(backend: Prober, expectations: Sequence[Expectation]) -> list[Outcome]:
    out = []
    for e in expectations:
        why = backend.skip_reason(e)
        if why:
            out.append(Outcome(e, {}, why))
            continue
        out.append(Outcome(e, backend.probe(e.from_, backend.resolve_dst(e.to))))
    return out
