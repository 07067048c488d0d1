"""One probe explained: the simulator's hops and the drops that decided it.

``Trace`` is what ``vnetlab.simulate(lab).trace(src, dst)`` returns and what
``vnetlab trace`` prints: one ``Path`` per address of the destination, each
with its hops, whether it was reached, and ``because``, the drops that
decided it (a copy of a broadcast dropped at a bystander does not count).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..sim.trace import Hop, rank_causes

#: drops that happen to every bystander copy of a broadcast: not the reason a probe failed
QUIET = frozenset(
    {
        "ip-otherhost",
        "arp-otherhost",
        "macvlan-mode-mask",
        "macvlan-private-broadcast",
        "macvlan-source-no-broadcast",
    }
)


def relevant(h: Hop, ends: Iterable[str]) -> bool:
    """A hop at one of the probe's ends, or a drop that is not a bystander's."""
    return h.device.split("/")[0] in ends or h.rule not in QUIET


def deciding(hops: Iterable[Hop], ends: Iterable[str]) -> list[Hop]:
    """The drops (and failed lookups) that decided a probe, each device and rule once, in the order
    they happened (``trace`` then ranks them: ``sim.trace.rank_causes``)."""
    ends = set(ends)
    seen: set[tuple[str, str | None]] = set()
    out = []
    for h in hops:
        if (h.verdict == "drop" and relevant(h, ends)) or h.verdict in ("return", "miss"):
            key = (h.device, h.rule)
            if key not in seen:
                seen.add(key)
                out.append(h)
    return out


@dataclass(frozen=True)
class Path:
    """One echo request to one address, and its reply if any."""

    address: str
    reached: bool
    hops: tuple[Hop, ...]
    #: the drops that decided it (empty when reached)
    because: tuple[Hop, ...] = ()
    #: the source and every owner of the address: drops there always matter
    ends: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"dst": self.address, "reachable": self.reached, "hops": [h.as_dict() for h in self.hops]}


@dataclass(frozen=True)
class Trace:
    """A ping from ``src`` to ``dst`` (a node, guest or address), one ``Path`` per address."""

    src: str
    dst: str
    paths: tuple[Path, ...]

    @property
    def reached(self) -> bool | None:
        """True if every address answered, False if none did, None if some did."""
        got = {p.reached for p in self.paths}
        return None if len(got) != 1 else got.pop()

    @property
    def verdict(self) -> str:
        return {True: "reach", False: "no reach", None: "partial"}[self.reached]

    @property
    def hops(self) -> list[Hop]:
        return [h for p in self.paths for h in p.hops]

    @property
    def because(self) -> list[str]:
        """Why it failed, one line per deciding drop: "device: why [rule; kernel function]"."""
        return [
            f"{h.device}: {h.why}" + (f" [{h.rule}; {h.func}]" if h.rule else "") for p in self.paths for h in p.because
        ]


def trace(sim: Any, src: str, dst: str, proto: str = "icmp", port: int | None = None) -> Trace:
    """Trace a ping (or a TCP connection, a UDP datagram to ``port``) on a ``Simulator``
    from cold caches, like a row of the matrix."""
    from .matrix import owners_of

    owners = owners_of(sim.r)
    paths = []
    results = (
        sim.ping(src, dst, flush=True) if proto == "icmp" else sim.ping(src, dst, flush=True, proto=proto, port=port)
    )
    for res in results:
        ends = (src, *owners.get(res.dst, ()))
        dst_node = next(iter(owners.get(res.dst, ())), "")
        because = () if res.ok else tuple(rank_causes(deciding(res.hops, ends), src, dst_node, res.dst, res.hops))
        paths.append(Path(res.dst, res.ok, tuple(res.hops), because, ends))
    return Trace(src, dst, tuple(paths))
