"""The simulator backend: the kernel's forwarding rules in pure Python.

``Simulator(lab)`` builds a deterministic World from a lab; ``ping``,
``probe`` and ``matrix`` answer reachability; ``trace`` explains one probe
hop by hop; ``capture`` records frames at interfaces for pcap. No root, no
sockets, no threads, no clock.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from ..errors import EnvironmentProblem, InputError
from ..model import Lab
from ..resolve import Resolved, resolve
from .build import Builder
from .frame import Frame, ip_int, ip_str
from .trace import Hop
from .world import World


@dataclass(frozen=True)
class Target:
    node: str
    interface: str
    address: str


@dataclass
class PingResult:
    src: str
    dst: str
    ok: bool
    hops: list[Hop] = field(default_factory=list)

    @property
    def drops(self) -> list[Hop]:
        return [h for h in self.hops if h.verdict == "drop"]


def endpoints(r: Resolved) -> list[str]:
    """Nodes and guests in file order (a guest right after the node that holds it)."""
    out: list[str] = []
    for node in r.lab.nodes:
        out.append(node)
        for i in r.node_ifaces(node):
            g = getattr(i.spec, "guest", None)
            if g is not None:
                out.append(g.name)
    return out


def targets(r: Resolved) -> list[Target]:
    """Every IPv4 address of every node and guest, in file order."""
    out: list[Target] = []
    for name in endpoints(r):
        if name in r.guests:
            for a in r.guests[name].guest.addresses:
                if ":" not in a:
                    out.append(Target(name, "eth0", a.split("/")[0]))
        else:
            for i in r.node_ifaces(name):
                for a in i.spec.addresses:
                    if ":" not in a:
                        out.append(Target(name, i.name, a.split("/")[0]))
    return out


class SimCannot(EnvironmentProblem):
    """The simulator does not model something the lab uses (exit 3): never a silent accept."""


def sim_unsupported(lab: Lab) -> str | None:
    """Why the simulator cannot run ``lab`` (None: it can). The one place that decides."""
    for name, node in lab.nodes.items():
        if node.nftables is not None:
            return f"the simulator does not evaluate nftables rulesets yet (node {name}); use --backend kernel"
    return None


class Simulator:
    """One lab, simulated. Cheap to build; build a fresh one for a clean state."""

    def __init__(self, lab: Lab | Resolved):
        self.r = lab if isinstance(lab, Resolved) else resolve(lab)
        why = sim_unsupported(self.r.lab)
        if why is not None:
            raise SimCannot(why)
        self.world: World = Builder(self.r).build()
        self._ident = 0
        self._ips: dict[str, int] = {}

    @property
    def endpoints(self) -> list[str]:
        return endpoints(self.r)

    @property
    def targets(self) -> list[Target]:
        return targets(self.r)

    def addresses_of(self, name: str) -> list[str]:
        return [t.address for t in self.targets if t.node == name]

    def resolve_dst(self, dst: str) -> list[str]:
        if dst in self.r.lab.nodes or dst in self.r.guests:
            addrs = self.addresses_of(dst)
            if not addrs:
                raise InputError(f"{dst} has no IPv4 address to ping")
            return addrs
        try:
            ip_int(dst)
        except ValueError:
            raise InputError(f"{dst!r} is neither a node, a guest nor an IPv4 address of this lab") from None
        return [dst]

    def _check_src(self, src: str) -> None:
        if src not in self.world.stacks or src in self.r.lab.switches:
            raise InputError(f"{src!r} is not a node or guest of lab {self.r.lab.lab}")

    def flush(self) -> None:
        for st in self.world.dirty:
            st.flush_dynamic()
        self.world.dirty.clear()

    def probe(self, src: str, dsts: Sequence[str], *, flush: bool = True) -> dict[str, bool]:
        """Echo requests from ``src`` to every address at once; which got a reply."""
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
        return {d: i in st.replies for d, i in ids.items()}

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

    def matrix(self) -> dict[str, object]:
        """All-pairs reachability, each row from cold caches (cli.md's JSON shape)."""
        t0 = time.perf_counter()
        tg = self.targets
        addrs = [t.address for t in tg]
        # Millions of short-lived frames and no reference cycles: the cyclic
        # collector would only rescan the whole world again and again.
        was = gc.isenabled()
        gc.disable()
        try:
            rows = {src: self.probe(src, addrs) for src in self.endpoints}
        finally:
            if was:
                gc.enable()
        return {
            "lab": self.r.lab.lab,
            "backend": "sim",
            "targets": [{"node": t.node, "interface": t.interface, "address": t.address} for t in tg],
            "rows": rows,
            "elapsed_s": round(time.perf_counter() - t0, 6),
        }

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
