"""``KernelLab``: plans a lab, brings it up (idempotently, all or nothing), probes
it and takes it down; ``sandboxed`` runs any of that in a throw-away sandbox so
nothing survives it. Imported as ``vnetlab.kernel`` (the package's names)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import EnvironmentProblem, InputError
from ..model import Expectation, Lab
from ..plan import Step, build_plan
from ..resolve import Resolved
from . import guestd, nsutil, owner, preflight, sandbox

# pyroute2 (imported by .apply and .probe) is imported where it is used: `vnetlab
# down` needs none of it, and it costs a seventh of a second at a start of the CLI;
# so is the verification (probes, expectations, the matrix), which `up` does not run
if TYPE_CHECKING:
    from ..verify.endpoints import Target
    from ..verify.expect import Outcome
    from ..verify.matrix import Column, Matrix
    from . import probe
    from .probe import Responder


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
        #: what the last `up` changed in place (plan.diff.Change), when it changed a running lab
        self.changes: list[Any] = []
        #: the listeners of a port probe (probe.Responder), while one runs
        self._responder: probe.Responder | None = None
        #: IPv6 addresses that failed Duplicate Address Detection ("node/ifname address"), after `up`;
        #: and those still tentative when the wait for DAD gave up
        self.dad_failed: list[str] = []
        self.dad_pending: list[str] = []
        #: the last plan and its steps' as_dict() (KernelLab._step_docs)
        self._docs: tuple[Sequence[Step], list[dict[str, Any]]] | None = None

    # planning ------------------------------------------------------------
    def plan(self) -> list[Step]:
        return build_plan(self.r)

    def fingerprint(self, steps: Sequence[Step]) -> str:
        doc = json.dumps(self._step_docs(steps), sort_keys=True, default=str)
        return hashlib.sha256(doc.encode()).hexdigest()[:12]

    def _step_docs(self, steps: Sequence[Step]) -> list[dict[str, Any]]:
        """``[s.as_dict() for s in steps]``, made once per plan (the fingerprint and the
        saved state both need it; steps are immutable, the list is not changed)."""
        if self._docs is None or self._docs[0] is not steps:
            self._docs = (steps, [s.as_dict() for s in steps])
        return self._docs[1]

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
        with nsutil.phase("up: import pyroute2"):
            from . import kinds  # noqa: F401  (pyroute2 and vnetlab's additions to it)
        with nsutil.phase("up: preflight"):
            preflight.require_privileges()
            preflight.require_kinds(self.r)
        with nsutil.phase("up: plan"):
            steps = self.plan()
        with nsutil.phase("up: fingerprint"):
            fp = self.fingerprint(steps)
        if self._flusher is not None:  # made for the namespaces as they were
            self._flusher.close()
            self._flusher = None
        with contextlib.ExitStack() as stack:
            with nsutil.phase("up: lock"):  # another `up` or `down` of this lab waits, or we do
                stack.enter_context(owner.lock(self.lab))
            return self._up(steps, fp, progress, fail_at, external_guests)

    def _up(
        self,
        steps: list[Step],
        fp: str,
        progress: Callable[[int, int], None] | None,
        fail_at: int | None,
        external_guests: bool,
    ) -> str:
        from .apply import Executor

        wanted = {self.netns(n): n for n in self.names}
        with nsutil.phase("up: read marks"):
            marks = owner.owned(self.lab, everything=True)
        marked = [s.with_spec(alias=f"{s.args['alias']}:{fp}") if s.op == "netns" else s for s in steps]
        if marks:
            done = [m for m in marks if m.complete]
            # a lab that is up as `up` left it; anything else (a crash, a kill) is rebuilt from scratch
            healthy = len(done) == 1 and all(m.proper for m in marks) and len({m.fingerprint for m in marks}) == 1
            if (
                healthy
                and done[0].external_guests == external_guests
                and {m.netns for m in marks} == set(wanted)
                and marks[0].fingerprint == fp
            ):
                self.external_guests = external_guests
                return "no changes" if external_guests else self._keep_guests(fp)
            if healthy:
                from .labstate import load_state

                prev = load_state(self.lab, marks[0].fingerprint)
                # a lab that starts or stops using IPv6 needs namespaces made for it (vnetlab
                # turns IPv6 off in the namespaces of a lab without it): rebuilt, not changed
                was_v6 = prev is not None and any(
                    s.op == "addr" and ":" in str(s.args.get("address")) for s in prev["steps"]
                )
                if prev is not None and done[0].external_guests == external_guests and was_v6 == self.r.uses_v6:
                    self.changes = self.change_in_place(prev, steps, fp, progress, fail_at, external_guests)
                    return "changed"
                self._change(marked, fp, marks, progress, fail_at, external_guests)
                self._save(steps, fp)
                return "recreated"
            owner.down(self.lab)
        with nsutil.phase("up: read marks"):
            taken = [ns for ns in wanted if nsutil.exists(ns)]
        if taken:
            raise EnvironmentProblem(
                f"namespace {taken[0]} exists and is not marked as lab {self.lab}'s; vnetlab does not touch it"
            )
        ex = Executor(self.netns, uses_ipv6=self.r.uses_v6, fail_at=fail_at)
        ex.run(marked, progress)
        self.external_guests = external_guests
        try:
            if not external_guests:
                self._start_guests(fp)
        except BaseException:
            owner.down(self.lab)  # all or nothing: a lab whose guests cannot run is not up
            raise
        with nsutil.phase("up: complete mark + settle"):
            self._set_complete(fp, external_guests)
        self._save(steps, fp)
        return "recreated" if marks else "created"

    def _guest_sig(self) -> dict[str, Any]:
        return {n: {"device": list(g.device), "repr": repr(g)} for n, g in self.r.guests.items()}

    def _save(self, steps: list[Step], fp: str) -> None:
        from .labstate import save_state

        lab = self.r.lab.model_copy(update={"steps": ()}).model_dump(mode="json", by_alias=True, exclude_unset=True)
        lab.pop("steps", None)
        save_state(self.lab, fp, self._step_docs(steps), self._guest_sig(), lab)

    def change_in_place(
        self,
        prev: dict[str, Any],
        steps: list[Step],
        fp: str,
        progress: Callable[[int, int], None] | None = None,
        fail_at: int | None = None,
        external_guests: bool = False,
    ) -> list[Any]:
        """Apply the diff from the running lab (its saved plan ``prev``) to ``steps``,
        in place (kernel.change): all or nothing, a failure restores the previous lab.
        The guest daemon keeps running unless a guest changed or a device a guest
        holds (or the daemon's namespace) was touched. Returns the Changes applied."""
        from ..plan.diff import diff
        from .change import ChangeExecutor

        changes = diff(prev["steps"], steps)
        changes = [
            type(c)(
                c.action,
                c.step.with_spec(alias=f"{c.step.args['alias']}:{fp}"),
                c.undo,
                c.reason,
            )
            if c.step.op == "netns"
            else c
            for c in changes
        ]
        devs = {(c.step.ns, c.step.obj) for c in changes if c.step.op in LINK_OPS}
        devs |= {
            (c.step.args["peer_ns"], c.step.args["peer"])
            for c in changes
            if c.step.op in LINK_OPS and c.step.args.get("peer")
        }
        removed = {c.step.ns for c in changes if c.step.op == "del-netns"}
        restart = bool(self.r.guests or prev.get("guests")) and (
            prev.get("guests") != self._guest_sig()
            or any(g.device in devs for g in self.r.guests.values())
            or any(tuple(g["device"]) in devs for g in prev.get("guests", {}).values())
            or self.guest_ns in {self.netns(n) for n in removed}
            or not nsutil.exists(self.guest_ns)
        )
        commit = [c for c in changes if c.step.op == "del-netns"]
        work = [c for c in changes if c.step.op != "del-netns"]
        ex = ChangeExecutor(self.netns, index_base=self._free_bank(), fail_at=fail_at, uses_ipv6=self.r.uses_v6)
        self.close()
        from .labstate import drop_state, save_state

        # while the change runs the lab has no saved plan: a crash half-way leaves a lab
        # the next `up` rebuilds from scratch (beside it, swapped in), never diffs against
        drop_state(self.lab)
        try:
            ex.apply(work, progress)
        except BaseException:
            save_state(
                self.lab,
                prev["fingerprint"],
                [s.as_dict() for s in prev["steps"]],
                prev.get("guests", {}),
                prev.get("lab", {}),
            )
            held = [g for g in prev.get("guests", {}).values() if tuple(g["device"]) in devs]
            if held and not external_guests:  # its devices were made again: the daemon starts again
                with contextlib.suppress(EnvironmentProblem, OSError):
                    guestd.stop(self.lab, [self.guest_ns])
                    from ..resolve import resolve

                    old = resolve(Lab.model_validate(prev["lab"]))
                    old_names = [*old.lab.switches, *old.lab.nodes]
                    self.guests = guestd.start(
                        old, {n: old.netns(n) for n in old_names}, old.netns(old_names[0]), prev["fingerprint"]
                    )
            raise
        # the point of no return
        if restart:
            guestd.stop(self.lab, [m.netns for m in owner.owned(self.lab) if m.complete])
        for c in commit:
            ex.op_del_netns(c.step)
        ex.close()
        for n in self.names:
            owner.set_fingerprint(self.netns(n), self.lab, n, fp)
        self.external_guests = external_guests
        if not external_guests and self.r.guests:
            if restart:
                self._start_guests(fp)
            else:
                self.attach()
                if self.guests is not None:
                    self.guests.call("fingerprint", fingerprint=fp)
        self._set_complete(fp, external_guests)
        self._save(steps, fp)
        return changes

    def _free_bank(self) -> int:
        """Ifindexes for devices a change creates: above every one the lab's namespaces use
        (a macvtap's /dev/tap<ifindex> is one for the whole machine)."""
        from pyroute2 import IPRoute

        from .apply import INDEX_BASE

        top = INDEX_BASE
        for m in owner.owned(self.lab, everything=True):
            with nsutil.inside(m.netns), IPRoute() as h:
                top = max([top, *(ln["index"] for ln in h.get_links())])
        return top + 1

    def _set_complete(self, fp: str, external_guests: bool) -> None:
        done_mark = f"{fp}:{owner.COMPLETE}" + (f":{owner.EXTERNAL}" if external_guests else "")
        owner.set_fingerprint(self.guest_ns, self.lab, self.names[0], done_mark)
        self.settle(any_device=bool(self.r.guests))
        if self.r.uses_v6:
            with nsutil.phase("up: wait for DAD"):
                self.wait_dad()

    def wait_dad(self, limit: float = 4.0) -> None:
        """Wait until no IPv6 address of an interface that can pass DAD is tentative
        (docs/kernel-semantics.md §11: DAD ends 1-2 s after the link is ready).

        A dadfailed address keeps the tentative flag for ever, and one on an interface
        without carrier stays tentative for ever: neither is waited for. The failed
        ones are in ``dad_failed``; what is still tentative after ``limit`` seconds
        on a link with carrier (a bug, not a wait) in ``dad_pending``."""
        deadline = time.monotonic() + limit
        while True:
            failed, pending = [], []
            for n in self.names:
                f, p = _dad_state(self.netns(n))
                failed += [f"{n}/{x}" for x in f]
                pending += [f"{n}/{x}" for x in p]
            if not pending or time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        if self.r.guests and self.guests is not None:
            failed += self.guests.call("dad").get("failed", [])
        self.dad_failed, self.dad_pending = failed, pending

    def _change(
        self,
        marked: list[Step],
        fp: str,
        old: list[owner.Mark],
        progress: Callable[[int, int], None] | None,
        fail_at: int | None,
        external_guests: bool,
    ) -> None:
        """Apply a changed lab, leaving the running one exactly as it was if anything fails.

        The new lab is built beside the old one under temporary names
        (``<lab>-<name>.new``), in another ifindex bank (a macvtap's /dev/tap<ifindex>
        is one for the whole machine). Only once it is complete are the
        namespaces swapped: each old one is bound aside as ``<name>.old`` and
        the new one bound on its name, which never stops existing (the old guest
        daemon watches it). Then the new guest daemon starts. A failure up to
        there undoes each swap step in reverse and removes the new namespaces;
        the old namespaces (devices, addresses, routes, neighbours, ifindexes) and
        the old guest daemon were never touched. Only then is the old lab removed.
        A crash half-way leaves marked namespaces and placeholders that the next
        `up` or `down` removes (see owner)."""
        from .apply import Executor

        lab = self.lab
        was = {m.netns: m for m in old}
        new_name = {n: f"{self.netns(n)}.new" for n in self.names}
        aside = {ns: f"{ns}.old" for ns in was}
        taken = [x for x in [*new_name.values(), *aside.values()] if nsutil.exists(x)]
        taken += [self.netns(n) for n in self.names if self.netns(n) not in was and nsutil.exists(self.netns(n))]
        if taken:
            raise EnvironmentProblem(
                f"namespace {taken[0]} exists and is not marked as lab {lab}'s; vnetlab does not touch it"
            )
        kept = "the running lab was left as it was"
        ex = Executor(
            new_name.__getitem__,
            uses_ipv6=self.r.uses_v6,
            fail_at=fail_at,
            index_base=self._free_index_bank(old),
            undo=kept,
        )
        ex.run(marked, progress)  # on failure it removes what it made: the old lab is untouched
        # each undo is recorded before its step and is right whether or not the step
        # happened (a Ctrl-C can land between a step and the next statement)
        undo: list[Callable[[], None]] = []
        try:
            for step in (s for s in marked if s.op == "netns"):
                ns, tmp = self.netns(step.ns), new_name[step.ns]
                if ns in was:
                    undo.append(partial(_remove_ours, lab, aside[ns]))
                    nsutil.bind(ns, aside[ns], mark=was[ns].base)
                    undo.append(partial(_rebind, aside[ns], ns))
                    nsutil.unmount(ns)  # its file stays: the name never disappears
                    undo.append(partial(nsutil.unmount, ns))
                    nsutil.bind(tmp, ns, onto_placeholder=True)
                else:
                    undo.append(partial(_remove_ours, lab, ns))
                    nsutil.bind(tmp, ns, mark=step.args["alias"])
                nsutil.remove(tmp)
            self.external_guests = external_guests
            if not external_guests:
                try:
                    self._start_guests(fp)
                except EnvironmentProblem as e:
                    raise EnvironmentProblem(f"{e}; {kept}") from None
        except BaseException:
            self.close()
            for fn in reversed(undo):
                with contextlib.suppress(OSError):
                    fn()
            for tmp in new_name.values():
                with contextlib.suppress(OSError):
                    _remove_ours(lab, tmp)
            raise
        # the new lab is in place: the old one goes, its guest daemon first
        now = {ns: aside[ns] if ns in self._wanted() else ns for ns in was}  # where each old namespace is
        for m in old:
            if m.complete:
                guestd.stop(lab, [now[m.netns]])
        for ns in was:
            with contextlib.suppress(OSError):
                nsutil.remove(now[ns])
        self._set_complete(fp, external_guests)

    def _wanted(self) -> set[str]:
        return {self.netns(n) for n in self.names}

    def _free_index_bank(self, old: list[owner.Mark]) -> int:
        """Where the new lab's ifindexes start: the default bank, unless the lab has a
        macvtap (its character device /dev/tap<ifindex> is global) and the running
        lab uses that bank; then the next one."""
        from pyroute2 import IPRoute

        from .apply import INDEX_BASE

        if not any(i.kind == "macvtap" for i in self.r.ifaces.values()):
            return INDEX_BASE
        used: set[int] = set()
        for m in old:
            with nsutil.inside(m.netns), IPRoute() as h:
                used.update(ln["index"] for ln in h.get_links())
        in_default = any(INDEX_BASE < i < 2 * INDEX_BASE for i in used)
        return 2 * INDEX_BASE if in_default else INDEX_BASE

    @property
    def guest_ns(self) -> str:
        """Where the lab's guest daemon listens: the first namespace, which carries the lab's complete mark."""
        return self.netns(self.names[0])

    def _start_guests(self, fp: str) -> None:
        if not self.r.guests:
            return
        # the daemon is forked: what it runs is imported here, before (in the daemon
        # each import would cost time and system calls while it holds the guests)
        from . import guest, probe  # noqa: F401

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
        if self._flusher is not None:  # its sockets belong to this lab's namespaces as they were
            self._flusher.close()
            self._flusher = None
        self._close_responder()

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
        from ..verify.endpoints import endpoints

        return [e for e in endpoints(self.r) if e in self.r.lab.nodes or self.guests is not None]

    @property
    def targets(self) -> list[Target]:
        from ..verify.endpoints import targets

        return targets(self.r)

    def resolve_dst(self, dst: str) -> list[str]:
        from ..verify import endpoints as ep

        return ep.resolve_dst(self.r, dst)

    def flush(self) -> None:
        from . import probe

        if self._flusher is None:
            self._flusher = probe.NeighFlusher([self.netns(n) for n in self.names])
        self._flusher.flush()
        if self.guests is not None:
            self.guests.flush()

    def probe(
        self, src: str, dsts: Sequence[str], flush: bool = True, proto: str = "icmp", port: int | None = None
    ) -> dict[str, bool]:
        """Which of ``dsts`` answered ``src`` (from cold caches unless ``flush`` is false)."""
        return {d: a is not None for d, a in self.answers(src, dsts, flush, proto, port).items()}

    def _port_responder(self, port: int) -> Responder:
        """Every node's listeners on ``port`` and every port the lab's expectations name."""
        from . import probe

        if self.r.guests:
            raise EnvironmentProblem(_GUEST_PORTS.format(lab=self.lab))
        if self._responder is not None and port in self._responder.ports:
            return self._responder
        self._close_responder()
        from ..verify.expect import listened_ports

        ports = listened_ports(self.r, port)
        self._responder = probe.Responder({n: self.netns(n) for n in self.r.lab.nodes}, sorted(ports))
        return self._responder

    def _close_responder(self) -> None:
        if self._responder is not None:
            self._responder.close()
            self._responder = None

    def answers(
        self, src: str, dsts: Sequence[str], flush: bool = True, proto: str = "icmp", port: int | None = None
    ) -> dict[str, str | None]:
        """Who answered each of ``dsts`` (None: no reply within the timeout).

        From cold caches, one echo request per destination, sent one after another
        without waiting, then the replies collected together; destinations that got no
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
        from . import probe

        if self._owners is None:
            from ..verify.matrix import owners_of

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
            if proto != "icmp":
                assert port is not None
                names = probe.port_probe(
                    self.netns(src), pending, proto, port, self._port_responder(port), self.timeout
                )
                for d in pending:
                    if names[d] is not None:
                        out[d] = names[d] or self._answerer(d, [])
                        if attempt:
                            self.retried.setdefault(src, {})[d] = attempt
                pending = [d for d in pending if names[d] is None]
                continue
            w = probe.Witness(watch) if watch else None
            try:
                if src in self.r.guests:  # on a tap, tun or macvtap, both families (§11.15, §11.20)
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
        addresses, cannot be checked then. Port probes do not run in a lab with
        guests yet (their stacks have no listeners on the kernel backend)."""
        if e.proto != "icmp" and self.r.guests:
            return _GUEST_PORTS.format(lab=self.lab)
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
        from ..verify.expect import evaluate

        try:
            return evaluate(self, expectations)
        finally:
            self._close_responder()

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

    def matrix(self, proto: str = "icmp", port: int | None = None) -> Matrix:
        from ..verify.matrix import measure

        self.retried = {}
        try:
            m = measure(
                self,
                unchecked=frozenset(self.uncheckable()),
                unchecked_sources=frozenset(self.uncheckable_sources()),
                proto=proto,
                port=port,
            )
        finally:
            self._close_responder()
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


#: why a lab with guests gets no port probe on the kernel (yet)
_GUEST_PORTS = (
    "lab {lab} has guests: port probes (TCP/UDP) on the kernel backend do not yet run in a lab with "
    "guests; use --backend sim, or an ICMP probe"
)

IFF_UP, IFF_LOWER_UP = 0x1, 0x10000
#: Change ops that make or delete a device (a guest holding it needs its daemon started again;
#: one changed in place keeps its file descriptor)
LINK_OPS = {"link", "del-link"}


def _remove_ours(lab: str, name: str) -> None:
    """Remove ``name`` if it carries ``lab``'s mark (an undo never removes what it did not make)."""
    m = owner.read_mark(name)
    if m is not None and m.lab == lab:
        nsutil.remove(name)


def _rebind(aside: str, ns: str) -> None:
    """Undo of a swap step: the old namespace back on its name, unless it still is there."""
    if not nsutil.mounted(ns):
        nsutil.bind(aside, ns, onto_placeholder=True)


IFA_F_DADFAILED, IFA_F_TENTATIVE = 0x08, 0x40


def _dad_state(netns: str) -> tuple[list[str], list[str]]:
    """The namespace's IPv6 addresses that failed DAD, and those still in DAD on a
    device that is up with carrier ("ifname address" each)."""
    from pyroute2 import IPRoute

    failed: list[str] = []
    pending: list[str] = []
    with nsutil.inside(netns), IPRoute() as h:
        ready = {
            ln["index"]: ln.get_attr("IFLA_IFNAME")
            for ln in h.get_links()
            if ln["flags"] & IFF_UP and ln["flags"] & IFF_LOWER_UP
        }
        names = {ln["index"]: ln.get_attr("IFLA_IFNAME") for ln in h.get_links()}
        for a in h.get_addr(family=10):
            flags = a.get_attr("IFA_FLAGS") or a["flags"]
            what = f"{names.get(a['index'], a['index'])} {a.get_attr('IFA_ADDRESS')}"
            if flags & IFA_F_DADFAILED:
                failed.append(what)
            elif flags & IFA_F_TENTATIVE and a["index"] in ready:
                pending.append(what)
    return failed, pending


def _pending_carrier_off(netns: str) -> bool:
    """A device up without carrier whose operstate linkwatch has not updated yet."""
    from pyroute2 import IPRoute

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


def sandboxed_matrix(r: Resolved, proto: str = "icmp", port: int | None = None) -> Matrix:
    """``matrix`` in a throw-away sandbox; a lab too big for the neighbour table fails before it is built."""
    k = KernelLab(r)
    k.check_neigh_capacity(k.row_entries(len({t.address for t in k.targets})))
    if proto != "icmp" and r.guests:
        k._port_responder(port or 1)  # refuses a lab with guests before it is built
    return sandboxed(r, KernelLab.matrix, proto, port)


__all__ = ["KernelLab", "sandboxed", "sandboxed_matrix"]
