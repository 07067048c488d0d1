"""The simulator backend: the kernel's forwarding rules in pure Python.

``Simulator(lab)`` builds a deterministic World from a lab; ``ping``,
``probe`` and ``matrix`` answer reachability; ``trace`` explains one probe
hop by hop; ``capture`` records frames at interfaces for pcap. No root, no
sockets, no threads, no clock.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from ..model import Lab
from ..resolve import Resolved, resolve
from ..verify import endpoints as ep
from ..verify.endpoints import Target, endpoints, targets
from ..verify.matrix import Column, Matrix, measure, owners_of
from .build import Builder
from .frame import Frame, ip_int, ip_str
from .trace import Hop
from .world import World


@dataclass
class PingResult:
    src: str
    dst: str
    ok: bool
    hops: list[Hop] = field(default_factory=list)

    @property
    def drops(self) -> list[Hop]:
        return [h for h in self.hops if h.verdict == "drop"]


class Simulator:
    """One lab, simulated. Cheap to build; build a fresh one for a clean state."""

    def __init__(self, lab: Lab | Resolved):
        self.r = lab if isinstance(lab, Resolved) else resolve(lab)
        self.world: World = Builder(self.r).build()
        self._ident = 0
        self._ips: dict[str, int] = {}
        self._owners: dict[str, list[str]] = {}

    @property
    def endpoints(self) -> list[str]:
        return endpoints(self.r)

    @property
    def targets(self) -> list[Target]:
        return targets(self.r)

    def addresses_of(self, name: str) -> list[str]:
        return [t.address for t in self.targets if t.node == name]

    def resolve_dst(self, dst: str) -> list[str]:
        return ep.resolve_dst(self.r, dst)

    def _check_src(self, src: str) -> None:
        ep.check_source(self.r, src)

    def flush(self) -> None:
        for st in self.world.dirty:
            st.flush_dynamic()
        self.world.dirty.clear()

    def probe(self, src: str, dsts: Sequence[str], *, flush: bool = True) -> dict[str, bool]:
        """Echo requests from ``src`` to every address at once; which got a reply."""
        st, ids = self._send(src, dsts, flush)
        return {d: i in st.replies for d, i in ids.items()}

    def _send(self, src: str, dsts: Sequence[str], flush: bool) -> tuple[Any, dict[str, int]]:
        self._check_src(src)
        if flush:
            self.flush()
        st = self.world.stacks[src]
        ids: dict[str, int] = {}
        cache = self._ips
        for d in dsts:
            self._ident += 1
            ids[d] = self._ident
            ip = cache.get(d)
            if ip is None:
                ip = cache[d] = ip_int(d)
            st.ping(ip, self._ident)
        self.world.run()
        self._record_unresolved()
        for stack in self.world.dirty:
            stack.expire_incomplete()
        return st, ids

    def _record_unresolved(self) -> None:
        w = self.world
        if not w.tracing:
            return
        for st in w.stacks.values():
            for (dev, ip), pkts in st.pending.items():
                for p in pkts:
                    w.drop(
                        dev,
                        p.describe(),
                        "neigh-failed",
                        "neigh_timer_handler",
                        f"{st.name} got no ARP reply for {ip_str(ip)} on {dev.name}; the queued packet is dropped",
                    )

    def ping(self, src: str, dst: str, *, flush: bool = False) -> list[PingResult]:
        """One probe per address of ``dst`` (a node, guest or address), traced."""
        self._check_src(src)
        out = []
        for d in self.resolve_dst(dst):
            self.world.tracing = True
            self.world.hops = []
            ok = self.probe(src, [d], flush=flush)[d]
            out.append(PingResult(src, d, ok, list(self.world.hops)))
            self.world.tracing = False
        return out

    # the matrix (verify.matrix.measure asks these) ---------------------------------
    name = "sim"

    def matrix(self) -> Matrix:
        """All-pairs reachability, each row from cold caches."""
        return measure(self)

    def sources(self) -> list[str]:
        return self.endpoints

    def answers(self, src: str, dsts: Sequence[str]) -> dict[str, str | None]:
        """Who answered each address: the stack that echoed this very request."""
        st, ids = self._send(src, dsts, True)
        owners, stacks, replies = self._owners, self.world.stacks, st.replies
        out: dict[str, str | None] = {}
        for d, i in ids.items():
            if i not in replies:
                out[d] = None
                continue
            cands = owners.get(d, ())
            if len(cands) == 1:
                out[d] = cands[0]  # only the owner has the address: only it can echo
            else:
                out[d] = next((o for o in cands if i in stacks[o].echoed), cands[0] if cands else "")
        for stack in stacks.values():
            if stack.echoed:
                stack.echoed.clear()
        return out

    @contextmanager
    def measuring(self, cols: Sequence[Column]) -> Iterator[None]:
        self._owners = owners_of(self.r)
        # Millions of short-lived frames and no reference cycles: the cyclic
        # collector would only rescan the whole world again and again.
        was = gc.isenabled()
        gc.disable()
        try:
            yield
        finally:
            if was:
                gc.enable()

    @contextmanager
    def capture(self, *labels: str) -> Iterator[dict[str, list[Frame]]]:
        """Record every frame sent or received at the named devices ("node/ifname")."""
        for lab in labels:
            if lab not in self.world.devices:
                raise InputError(f"no interface {lab!r} in lab {self.r.lab.lab} (use NODE/IFNAME)")
            self.world.captures[lab] = []
        try:
            yield self.world.captures
        finally:
            pass


__all__ = ["PingResult", "Simulator", "Target", "endpoints", "targets"]
