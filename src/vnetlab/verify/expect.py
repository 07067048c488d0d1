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
from typing import Any, Protocol

from ..model import Expectation, Lab
from ..resolve import Resolved


def expectation_ports(lab: Lab) -> set[int]:
    """Every port the lab's expectations (top level and steps) name: during a port
    probe every node and guest listens on them (topology.md, "Expectations on ports")."""
    es = [*lab.expect, *(e for s in lab.steps for e in s.expect)]
    return {e.port for e in es if e.port is not None and e.proto != "icmp"}


def listened_ports(r: Resolved, port: int) -> set[int]:
    """What every node and guest listens on during a probe of ``port``: that port, every port
    the lab's expectations name, and every port a NAT statement of the lab translates to
    (``dnat to ADDR:PORT``, ``redirect to :PORT``), read from nft's own JSON of each ruleset."""
    return {port} | expectation_ports(r.lab) | nat_ports(r)


def nat_ports(r: Resolved) -> set[int]:
    from ..nft import node_ifnames
    from ..sim import nft

    out: set[int] = set()

    def walk(x: Any) -> None:
        if isinstance(x, dict):
            for k, v in x.items():
                if k in ("dnat", "redirect", "snat", "masquerade") and isinstance(v, dict):
                    p = v.get("port")
                    if isinstance(p, str):
                        p = nft.SERVICES.get(p)
                    if isinstance(p, int) and 1 <= p <= 65535:
                        out.add(p)
                    elif isinstance(p, dict) and isinstance(p.get("range"), list):
                        lo, hi = p["range"]
                        if isinstance(lo, int) and isinstance(hi, int) and hi - lo < 64:
                            out.update(range(max(lo, 1), min(hi, 65535) + 1))
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    for name, node in r.lab.nodes.items():
        text = node.nftables
        if text is None or not any(w in text for w in ("dnat", "redirect", "snat", "masquerade")):
            continue
        try:
            doc, _ = nft.listing(text, node_ifnames(r, name))
        except nft.NftFailed:
            continue  # a ruleset nft cannot list: its NAT ports are unknown here (validate reports it)
        walk(doc)
    return out


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
