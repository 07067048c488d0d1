"""Two backends side by side: matrix cells and expectations that disagree.

The kernel is the judge; these functions only say where the two differ.
A cell either backend could not judge (``Matrix.unchecked``) is left out.
A reached cell disagrees also when the two name different answerers (one of
several owners of a duplicate address).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..model import Expectation
from .expect import Outcome
from .matrix import Matrix


@dataclass(frozen=True)
class Cell:
    """One source → address cell on two backends (``a`` and ``b``)."""

    src: str
    address: str
    #: the column's owners, "a / b" when several
    owners: str
    a: bool
    b: bool
    a_by: str | None = None
    b_by: str | None = None

    @property
    def agree(self) -> bool:
        return self.a == self.b and self.a_by == self.b_by

    def as_json(self, names: tuple[str, str] = ("sim", "kernel")) -> dict[str, Any]:
        d: dict[str, Any] = {"from": self.src, "to": self.address, "node": self.owners}
        d[names[0]], d[names[1]] = self.a, self.b
        if self.a_by or self.b_by:
            d["answered_by"] = {names[0]: self.a_by, names[1]: self.b_by}
        d["agree"] = self.agree
        return d


def cells(m1: Matrix, m2: Matrix) -> list[Cell]:
    """Every cell both matrices measured and could judge, rows of ``m2`` in order."""
    skip = m1.unchecked | m2.unchecked
    skip_src = m1.unchecked_sources | m2.unchecked_sources
    out = []
    for src, row in m2.rows.items():
        if src in skip_src or src not in m1.rows:
            continue
        for c in m1.columns:
            if c.address in skip or c.address not in row:
                continue
            a, b = m1.rows[src][c.address], row[c.address]
            out.append(
                Cell(
                    src,
                    c.address,
                    " / ".join(c.nodes),
                    a,
                    b,
                    m1.answered_by.get(src, {}).get(c.address),
                    m2.answered_by.get(src, {}).get(c.address),
                )
            )
    return out


def compare(m1: Matrix, m2: Matrix) -> list[Cell]:
    """The cells where two matrices of the same lab disagree."""
    return [c for c in cells(m1, m2) if not c.agree]


@dataclass(frozen=True)
class Agreement:
    """One expectation on several backends: passed on each, and the same verdict."""

    expectation: Expectation
    outcomes: dict[str, Outcome]

    @property
    def ok(self) -> bool:
        checked = [o for o in self.outcomes.values() if o.skipped is None]
        return all(o.passed for o in self.outcomes.values()) and len({o.reached for o in checked}) <= 1

    @property
    def skipped(self) -> bool:
        return any(o.skipped for o in self.outcomes.values())

    def as_json(self) -> dict[str, Any]:
        first = next(iter(self.outcomes.values()))
        return {
            **first.as_dict(),
            "backends": {n: o.as_dict() for n, o in self.outcomes.items()},
            "passed": self.ok,
        }


def agreement(expectations: Sequence[Expectation], results: dict[str, list[Outcome]]) -> list[Agreement]:
    """Each expectation's outcomes on every backend in ``results``, and whether they agree."""
    return [Agreement(e, {n: outs[i] for n, outs in results.items()}) for i, e in enumerate(expectations)]
