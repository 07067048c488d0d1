"""Hop records: what happened to a frame at each device, and why.

Every drop names a rule id, the kernel function whose behaviour it mirrors
and a sentence a user can act on. ``trace`` prints these; tests assert them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Hop:
    seq: int
    device: str  # "node/ifname"
    direction: str  # tx, rx, fwd, deliver, drop, stack
    verdict: str  # ok, drop, deliver, reply, ...
    frame: str  # one-line description of the frame
    rule: str | None = None
    func: str | None = None
    why: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__slots__ if getattr(self, k) is not None}  # type: ignore[attr-defined]

    def __str__(self) -> str:
        s = f"{self.seq:4d} {self.device:<22} {self.direction:<7} {self.verdict:<7} {self.frame}"
        if self.verdict == "drop":
            s += f"\n       ✘ {self.device}: {self.why} [{self.rule}; {self.func}]"
        elif self.why:
            s += f"\n         {self.why}"
        return s
