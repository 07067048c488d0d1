"""The kernel backend: the same lab on the real Linux kernel, through netlink.

The only package that imports pyroute2. ``KernelLab`` plans, brings a lab
up (idempotently, all or nothing), probes it and takes it down; ``sandboxed``
runs any of that in a throw-away sandbox so nothing survives it.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from pyroute2 import IPRoute

from ..errors import EnvironmentProblem, InputError
from ..model import Expectation
from ..plan import Step, build_plan
from ..resolve import Resolved
from ..verify import endpoints as ep
from ..verify.endpoints import Target, endpoints, targets
from ..verify.expect import Outcome, evaluate
from ..verify.matrix import Column, Matrix, measure, owners_of
from . import guestd, nsutil, owner, preflight, probe, sandbox
from .apply import Executor


class KernelLab:
    def __init__(self, r: Resolved):
        self.r = r
        self.lab = r.lab.lab
        self._flusher: probe.NeighFlusher | None = None
        #: how long a probe waits for replies (the contract: one second)
        self.timeout = 1.0
        #: a connection to the lab's guest daemon (GuestClient), when it runs
        self.guests: Any = None
        #: the lab was brought up for the user's own VMs as its guests (no daemon)
        self.external_guests = False
        #: a cold probe that got no reply is tried again, cold, this many times
        #: (a loaded machine must not turn "reach" into "no reach")
        self.retries = retries_from_env()
        self._owners: dict[str, list[str]] | None = None
        #: {source: {address: retry that got the first reply}}, since the last matrix began
        self.retried: dict[str, dict[str, int]] = {}

    # planning ------------------------------------------------------------
    def plan(self) -> list[Step]:
        return build_plan(self.r)

    def fingerprint(self, steps: Sequence[Step]) -> str:
        doc = json.dumps([s.as_dict() for s in steps], sort_keys=True, default=str)
        return hashlib.sha256(doc.encode()).hexdigest()[:12]

    def netns(self, name: str) -> str:
        return self.r.netns(name)

    @property
    def names(self) -> list[str]:
        return [*self.r.lab.switches, *self.r.lab.nodes]

    # lifecycle -------------------------------------------------------------
    def up(
        self,
        progress: Callable[[int, int], None] | None = None,
        fail_at: int | None = None,
        external_guests: bool = False,
    ) -> str:
        """Create the lab; 'created', 'no changes', 'guests restarted' or 'recreated'.

        With ``external_guests`` the guests' devices are left for the user's own
        VMs (QEMU, libvirt) instead of vnetlab's guest daemon."""
        sandbox.guard()
        preflight.require_privileges()
        preflight.require_kinds(self.r)
        steps = self.plan()
        fp = self.fingerprint(steps)
        wanted = {self.netns(n): n for n in self.names}
        marks = owner.owned(self.lab)
        status = "created"
        if marks:
            done = next((m for m in marks if m.complete), None)
            if (
                done is not None
                and done.external_guests == external_guests
                and {m.netns for m in marks} == set(wanted)
                and all(m.fingerprint == fp for m in marks)
            ):
                self.external_guests = external_guests
                return "no changes" if external_guests else self._keep_guests(fp)
            owner.down(self.lab)
            status = "recreated"
        taken = [ns for ns in wanted if nsutil.exists(ns)]
        if taken:
            raise EnvironmentProblem(
                f"namespace {taken[0]} exists and is not marked as lab {self.lab}'s; vnetlab does not touch it"
            )
        uses_v6 = any(":" in a for i in self.r.ifaces.values() for a in i.spec.addresses)
        ex = Executor(self.netns, uses_ipv6=uses_v6, fail_at=fail_at)
        marked = [
            Step(s.op, s.ns, s.obj, {**s.args, "alias": f"{s.args['alias']}:{fp}"}) if s.op == "netns" else s
            for s in steps
        ]
        ex.run(marked, progress)
        self.external_guests = external_guests
        try:
            if not external_guests:
                self._start_guests(fp)
        except BaseException:
            owner.down(self.lab)  # all or nothing: a lab whose guests cannot run is not up
            raise
        done_mark = f"{fp}:{owner.COMPLETE}" + (f":{owner.EXTERNAL}" if external_guests else "")
        owner.set_fingerprint(self.guest_ns, self.lab, self.names[0], done_mark)
        self.settle(any_device=bool(self.r.guests))
        return status

    @property
    def guest_ns(self) -> str:
        """Where the lab's guest daemon listens: the first namespace, which carries the lab's complete mark."""
        return self.netns(self.names[0])

    def _start_guests(self, fp: str) -> None:
        if not self.r.guests:
            return
        self.close()
        self.guests = guestd.start(self.r, {n: self.netns(n) for n in self.names}, self.guest_ns, fp)

    def _keep_guests(self, fp: str) -> str:
        """An unchanged lab whose guest daemon is gone (killed, or the machine's
        namespaces outlived it) gets a new one; anything else stays as it is."""
        if not self.r.guests:
            return "no changes"
        self.attach()
        if self.guests is not None:
            if self.guests.info.get("fingerprint") == fp:
                return "no changes"
            self.close()
            guestd.stop(self.lab, [self.guest_ns])  # a daemon for another version of the lab
        self._start_guests(fp)
        self.settle(any_device=True)
        return "guests restarted"

    def attach(self) -> None:
        """Connect to the guest daemon of the lab that is up (if it has guests),
        or learn from the lab's mark that its guests are the user's own VMs."""
        if self.r.guests and self.guests is None:
            self.guests = guestd.connect(self.lab, [self.guest_ns])
            if self.guests is None:
                mark = owner.read_mark(self.guest_ns)  # the complete mark says it
                self.external_guests = mark is not None and mark.external_guests

    def close(self) -> None:
        if self.guests is not None:
            self.guests.close()
            self.guests = None

    def settle(self, limit: float = 3.0, any_device: bool = False) -> None:
        """Wait for pending carrier-off events to take effect.

        The kernel applies a lost carrier (dev_deactivate: the qdisc becomes
        noop) from linkwatch, which runs non-urgent events up to a second
        late; until then a device without carrier still transmits. Probing in
        that window would see a lab that does not exist a second later (found
        by the differential fuzzer). Only labs where some device can lack
        carrier (a device set down, a tap nobody holds) need the wait.
        """
        may_lack = any_device or any(not i.spec.up or i.kind in ("tap", "tun") for i in self.r.ifaces.values())
        if not may_lack:
            return
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if not any(_pending_carrier_off(self.netns(n)) for n in self.names):
                return
            time.sleep(0.05)

    def down(self) -> list[str]:
        preflight.require_privileges()
        self.close()
        return owner.down(self.lab)

    def is_up(self) -> bool:
        return bool(owner.owned(self.lab))

    # probing -----------------------------------------------------------------
    @property
    def endpoints(self) -> list[str]:
        """Sources: nodes, and guests while the lab's guest daemon runs."""
        return [e for e in endpoints(self.r) if e in self.r.lab.nodes or self.guests is not None]

    @property
    def targets(self) -> list[Target]:
        return targets(self.r)

    def resolve_dst(self, dst: str) -> list[str]:
        return ep.resolve_dst(self.r, dst)

    def flush(self) -> None:
        if self._flusher is None:
            static: set[tuple[str, int, str]] = set()
            for node, n in self.r.lab.nodes.items():
                for nb in n.neighbors:
                    if nb.dev:
                        with nsutil.inside(self.netns(node)), IPRoute() as h:
                            found = h.link_lookup(ifname=nb.dev)
                        if found:
                            static.add((self.netns(node), found[0], nb.address))
            addrs = sorted(
                {t.address for t in self.targets}
                | {a.split("/")[0] for s in self.r.lab.switches.values() for a in s.addresses if ":" not in a}
            )
            self._flusher = probe.NeighFlusher([self.netns(n) for n in self.names], addrs, static)
        self._flusher.flush()
        if self.guests is not None:
            self.guests.flush()

    def probe(self, src: str, dsts: Sequence[str], flush: bool = True) -> dict[str, bool]:
        """Which of ``dsts`` answered ``src`` (from cold caches unless ``flush`` is false)."""
        return {d: a is not None for d, a in self.answers(src, dsts, flush).items()}

    def answers(self, src: str, dsts: Sequence[str], flush: bool = True) -> dict[str, str | None]:
        """Who answered each of ``dsts`` (None: no reply within the timeout).

        From cold caches, every destination at once; destinations that got no
        reply are probed again, cold again, up to ``retries`` times, the way a
        measurement is repeated before it is believed: under load a reply can
        miss its second. An address several nodes own is attributed by a
        ``probe.Witness`` in each owner.
        """
        if src in self.r.guests:
            if self.guests is None:
                raise EnvironmentProblem(self._external(src) if self.external_guests else self._no_guests())
        elif src not in self.r.lab.nodes:
            raise InputError(f"{src!r} is not a node or guest of lab {self.lab}")
        if self._owners is None:
            self._owners = owners_of(self.r)
        owners = self._owners
        out: dict[str, str | None] = dict.fromkeys(dsts)
        pending = list(out)
        for attempt in range(1 + (self.retries if flush else 0)):
            if not pending:
                break
            if flush:
                self.flush()
            watch = {
                o: self.netns(o)
                for d in pending
                if len(owners.get(d, ())) > 1
                for o in owners[d]
                if o in self.r.lab.nodes
            }
            w = probe.Witness(watch) if watch else None
            try:
                if src in self.r.guests:
                    got = self.guests.probe(src, pending, self.timeout)
                else:
                    got = probe.probe(self.netns(src), pending, self.timeout)
                seen = w.seen() if w is not None else {}
            finally:
                if w is not None:
                    w.close()
            for d in pending:
                if got[d]:
                    out[d] = self._answerer(d, seen.get(d, []))
                    if attempt:
                        self.retried.setdefault(src, {})[d] = attempt
            pending = [d for d in pending if not got[d]]
        return out

    def _answerer(self, address: str, seen: list[str]) -> str:
        cands = (self._owners or {}).get(address, [])
        if len(cands) <= 1:
            return cands[0] if cands else ""  # "": an address outside the lab
        for o in cands:
            if o in seen:
                return o
        # no owner namespace got it: a guest answered (its stack is not a namespace)
        return next((o for o in cands if o in self.r.guests), cands[0])

    def _external(self, guest: str) -> str:
        return (
            f"{guest} is one of your own VMs (lab {self.lab} is up with --external-guests): "
            "vnetlab can probe it but not send from it"
        )

    def _no_guests(self) -> str:
        return (
            f"the guest daemon of lab {self.lab} is not running, so its guests' devices have no reader; "
            "`vnetlab up` on the unchanged file starts it again"
        )

    def skip_reason(self, e: Expectation) -> str | None:
        """Without its guest daemon a device a guest would hold is a device nobody
        reads: expectations about the guests, and about those devices' own
        addresses, cannot be checked then."""
        if self.guests is not None:
            return None
        if self.external_guests:  # real VMs answer for themselves; only sending from them is out of reach
            return self._external(e.from_) if e.from_ in self.r.guests else None
        if (
            e.from_ in self.r.guests
            or e.to in self.r.guests
            or e.to in self.uncheckable()
            or e.from_ in self.uncheckable_sources()
        ):
            return self._no_guests()
        return None

    def uncheckable_sources(self) -> set[str]:
        """Nodes whose own addresses sit on a device a guest would hold: what they
        receive there would go to the guest."""
        if self.guests is not None or self.external_guests:
            return set()
        return {g.device[0] for g in self.r.guests.values() if self.r.ifaces[g.device].spec.addresses}

    def uncheckable(self) -> set[str]:
        """Addresses whose answer depends on a guest: the guests' own and those of
        the devices they hold (a held macvtap's stack starves; unheld, it answers)."""
        if self.guests is not None or self.external_guests:
            return set()
        guests = self.r.guests
        held = {a.split("/")[0] for g in guests.values() for a in self.r.ifaces[g.device].spec.addresses}
        return held | {t.address for t in self.targets if t.node in guests}

    def evaluate(self, expectations: Sequence[Expectation]) -> list[Outcome]:
        return evaluate(self, expectations)

    def check_neigh_capacity(self, per_row: int) -> None:
        """The kernel's neighbour table is one for all namespaces, capped by
        net.ipv4.neigh.default.gc_thresh3; a row must fit in it. vnetlab never
        raises that machine-wide limit."""
        cap = _gc_thresh3()
        if per_row > cap:
            raise EnvironmentProblem(
                f"a row of this matrix needs about {per_row} neighbour entries, but the kernel's neighbour table holds "
                f"at most {cap} for all namespaces together (net.ipv4.neigh.default.gc_thresh3, a machine-wide setting "
                "vnetlab does not change); use --backend sim for a lab this size"
            )

    # the matrix (verify.matrix.measure asks these) ----------------------------------
    name = "kernel"

    def matrix(self) -> Matrix:
        self.retried = {}
        m = measure(
            self, unchecked=frozenset(self.uncheckable()), unchecked_sources=frozenset(self.uncheckable_sources())
        )
        m.retried = self.retried
        return m

    def sources(self) -> list[str]:
        return self.endpoints

    @contextmanager
    def measuring(self, cols: Sequence[Column]) -> Iterator[None]:
        self.check_neigh_capacity(self.row_entries(len(cols)))
        try:
            yield
        finally:
            if self._flusher is not None:
                self._flusher.close()
                self._flusher = None

    def row_entries(self, n_addresses: int) -> int:
        """About how many neighbour entries one row of a matrix needs."""
        return 2 * n_addresses + sum(len(n.neighbors) for n in self.r.lab.nodes.values())

    # status ---------------------------------------------------------------------
    def status(self) -> dict[str, list[dict[str, Any]]]:
        from .observe import observe_ns

        return {m.name: observe_ns(m.netns) for m in owner.owned(self.lab)}


IFF_UP, IFF_LOWER_UP = 0x1, 0x10000


def _pending_carrier_off(netns: str) -> bool:
    """A device up without carrier whose operstate linkwatch has not updated yet."""
    with nsutil.inside(netns), IPRoute() as h:
        for ln in h.get_links():
            flags = ln["flags"]
            state = ln.get_attr("IFLA_OPERSTATE")
            if flags & IFF_UP and not flags & IFF_LOWER_UP and state in ("UP", "UNKNOWN"):
                return True  # carrier lost, qdisc not yet deactivated
            if flags & IFF_UP and flags & IFF_LOWER_UP and state in ("DOWN", "LOWERLAYERDOWN"):
                return True  # carrier back, not yet activated
    return False


_GC: list[int] = []


def _gc_thresh3() -> int:
    """Read once, from the initial namespace (a sandbox child inherits the value)."""
    if not _GC:
        try:
            with open("/proc/sys/net/ipv4/neigh/default/gc_thresh3") as fh:
                _GC.append(int(fh.read()))
        except (OSError, ValueError):
            _GC.append(1024)  # the kernel's default; the file is only visible from the initial namespace
    return _GC[0]


def retries_from_env() -> int:
    """``VNETLAB_PROBE_RETRIES`` (default 2): how often a cold probe without reply is repeated."""
    try:
        return max(0, int(os.environ.get("VNETLAB_PROBE_RETRIES", "2")))
    except ValueError:
        return 2


T = TypeVar("T")


def _sandboxed_call(r: Resolved, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
    k = KernelLab(r)
    k.up()  # in a sandbox, the guest daemon dies with it
    try:
        return fn(k, *args)
    finally:
        k.close()


def sandboxed(r: Resolved, fn: Callable[..., T], *args: Any) -> T:
    """Bring the lab up in a throw-away sandbox, return ``fn(kernel_lab, *args)``, and discard it all."""
    preflight.require_privileges()
    preflight.require_kinds(r)
    _gc_thresh3()
    return sandbox.run(_sandboxed_call, r, fn, args)


def sandboxed_matrix(r: Resolved) -> Matrix:
    """``matrix`` in a throw-away sandbox; a lab too big for the neighbour table fails before it is built."""
    k = KernelLab(r)
    k.check_neigh_capacity(k.row_entries(len({t.address for t in k.targets})))
    return sandboxed(r, KernelLab.matrix)


__all__ = ["KernelLab", "sandboxed", "sandboxed_matrix"]
