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

from ..model import Expectation, Lab


def expectation_ports(lab: Lab) -> set[int]:
    """Every port the lab's expectations (top level and steps) name: during a port
    probe every node and guest listens on them (topology.md, "Expectations on ports")."""
    es = [*lab.expect, *(e for s in lab.steps for e in s.expect)]
    return {e.port for e in es if e.port is not None and e.proto != "icmp"}


class Prober(Protocol):
    def probe(
        self, src: str, dsts: Sequence[str], *, flush: bool = True, proto: str = "icmp", port: int | None = None
    ) -> dict[str, bool]: ...

    def answers(
        self, src: str, dsts: Sequence[str], *, proto: str = "icmp", port: int | None = None
    ) -> dict[str, str | None]: ...

    def resolve_dst(self, dst: str) -> list[str]: ...

    def skip_reason(self, e: Expectation) -> str | None: ...


@dataclass(frozen=True)
class Outcome:
    expectation: Expectation
    results: dict[str, bool]
    #: why this backend could not check it
    skipped: str | None = None
    #: {address: node or guest that answered}, for the addresses that answered
    answered: dict[str, str] | None = None

    @property
    def reached(self) -> bool | None:
        """True if all answered, False if none did, None if some did (or skipped)."""
        vals = set(self.results.values())
        return None if len(vals) != 1 else vals.pop()

    @property
    def wrong_answerer(self) -> list[str]:
        """Addresses that answered, but not from the expectation's ``answered_by``."""
        want = self.expectation.answered_by
        if want is None or self.answered is None:
            return []
        return [a for a, ok in self.results.items() if ok and self.answered.get(a) != want]

    @property
    def passed(self) -> bool:
        if self.skipped is not None:
            return True
        return self.reached is self.expectation.reach and not self.wrong_answerer

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
        if e.proto != "icmp":
            d["proto"] = e.proto
            d["port"] = e.port
        if e.answered_by is not None:
            d["answered_by"] = e.answered_by
        if self.answered:
            d["answered"] = self.answered
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
        dsts = backend.resolve_dst(e.to)
        if e.proto == "icmp" and e.answered_by is None:
            out.append(Outcome(e, backend.probe(e.from_, dsts)))
            continue
        ans = backend.answers(e.from_, dsts, proto=e.proto, port=e.port)
        got = {d: a for d, a in ans.items() if a is not None}
        out.append(Outcome(e, {d: a is not None for d, a in ans.items()}, answered=got))
    return out
