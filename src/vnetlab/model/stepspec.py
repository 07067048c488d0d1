"""Typed step records: the base of every plan step's spec and of each kind's link fields.

A spec is a frozen dataclass; ``as_args()`` is its plain form (``plan --json``
prints it), field by field in declaration order, leaving out a field whose
``omit`` (field metadata) says so — a value the kernel's default stands for
or that the kind does not have. A field that is itself a spec (a link's kind
fields) is written in place, flattened.

It sits in the model package, below the planner, so that each kind's model
module can declare its own link fields without importing the planner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any


def _never(v: object) -> bool:
    return False


def is_none(v: object) -> bool:
    return v is None


def falsy(v: object) -> bool:
    return not v


def opt(default: Any = None, omit: Callable[[Any], bool] = is_none) -> Any:
    """A field left out of ``as_args()`` when ``omit(value)``."""
    return field(default=default, metadata={"omit": omit})


@dataclass(frozen=True)
class StepSpec:
    """Base of every step's spec."""

    def as_args(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, StepSpec):
                out.update(v.as_args())
            elif not f.metadata.get("omit", _never)(v):
                out[f.name] = v
        return out


@dataclass(frozen=True)
class KindFields(StepSpec):
    """A kind's own attributes of its ``link`` step (none: a veth, nic, tap, tun, dummy)."""
