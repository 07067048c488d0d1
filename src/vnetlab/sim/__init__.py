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
from functools import cached_property
from typing import Any

from ..errors import EnvironmentProblem, InputError
from ..model import Lab
from ..resolve import Resolved, resolve
from ..verify import endpoints as ep
from ..verify.endpoints import Target, endpoints, targets
from ..verify.expect import listened_ports
from ..verify.matrix import Column, Matrix, columns, measure, owners_of
from .build import Builder
from .frame import PROTO_TCP, PROTO_UDP, Frame, IPv4, ip_str
from .kinds.bridge import BridgeDev
from .stack import address_int, brnf_on
from .trace import Hop
from .world import FdbSnapshot, World


@dataclass
class PingResult:
    src: str
    dst: str
    ok: bool
    hops: list[Hop] = field(default_factory=list)

    @property
    def drops(self) -> list[Hop]:
        return [h for h in self.hops if h.verdict == "drop"]


@dataclass
class _RowCursor:
    """A private reference world walking a matrix's rows in order (see ``Simulator._row_start``)."""

    sim: Simulator
    next: int = 0  # the index (in ``endpoints``) of the next row it sends
    snap: FdbSnapshot | None = None  # the FDBs as row ``src`` started
    #: and the conntrack tables (earlier rows' connections stay, as on the kernel: a NAT to a
    #: named port can clash with one of them)
    cts: dict[str, Any] = field(default_factory=dict)
    verdicts: dict[str, bool] | None = None  # and that row's verdicts
    src: str | None = None
    mode: tuple[str, int | None] = ("icmp", None)  # what its rows probe


class SimCannot(EnvironmentProblem):
    """The simulator does not model something the lab uses (exit 3): never a silent accept."""


#: kinds whose packets take paths through another namespace's netfilter hooks, or
#: carry UDP of their own (a VXLAN tunnel, which the port probes' conntrack does not
#: model): not with a ruleset yet
_NOT_WITH_NFT = ("vxlan", "ipvlan")


def sim_unsupported(lab_or_r: Lab | Resolved) -> str | None:
    """Why the simulator cannot run a lab (None: it can). The one place that decides.

    A node's nftables ruleset is evaluated when every part of it is in the
    simulated subset (``sim/nft.py``); otherwise the lab is refused here,
    naming the first expression or statement outside it: never a silent accept."""
    lab = lab_or_r.lab if isinstance(lab_or_r, Resolved) else lab_or_r
    r6 = lab_or_r if isinstance(lab_or_r, Resolved) else resolve(lab)
    if r6.uses_v6:
        from . import ipv6

        why6 = ipv6.unsupported(r6)
        if why6 is not None:
            return why6
    filtered = [name for name, node in lab.nodes.items() if node.nftables is not None]
    if not filtered:
        return None
    from ..nft import node_ifnames
    from . import nft

    why = _brnf_unsupported(lab, lab_or_r if isinstance(lab_or_r, Resolved) else None, filtered)
    if why is not None:
        return why
    for name, node in lab.nodes.items():
        for ifname, iface in node.interfaces.items():
            if iface.kind in _NOT_WITH_NFT:
                return (
                    f"the simulator does not evaluate nftables rulesets in a lab with {iface.kind} interfaces yet "
                    f"({name}/{ifname}; nftables in {', '.join(filtered)}); use --backend kernel"
                )
    r = lab_or_r if isinstance(lab_or_r, Resolved) else resolve(lab)
    for name in filtered:
        text = lab.nodes[name].nftables
        assert text is not None
        try:
            nft.compile_ruleset(text, node_ifnames(r, name))
        except nft.Unsupported as e:
            return f"node {name}'s nftables ruleset: the simulator does not evaluate {e}; use --backend kernel"
        except nft.NftFailed as e:
            return f"node {name}'s nftables ruleset could not be read for the simulator: {e}"
    return None


#: br_netfilter switches the simulator models (kernel-semantics §8.2, §8.3): bridged IPv4 through
#: the ip/inet hooks, bridged IPv6 through the ip6/inet hooks; bridged ARP through arp tables,
#: which are outside the simulated subset anyway
_BRNF_MODELLED = (
    "net.bridge.bridge-nf-call-iptables",
    "net.bridge.bridge-nf-call-ip6tables",
    "net.bridge.bridge-nf-call-arptables",
)


def _brnf_unsupported(lab: Lab, r: Resolved | None, filtered: list[str]) -> str | None:
    """Why br_netfilter as a node with a ruleset sets it is outside the simulator (None: modelled).

    Only a namespace with a bridge and a ruleset is concerned (br_netfilter registers its hooks
    where a bridge is, and without a ruleset they change nothing). Not modelled: VLAN-filtering
    bridges and the VLAN/PPPoE switches, and NAT of bridged IPv6 (a nat chain that sees IPv6
    where bridged IPv6 passes the hooks; bridged IPv4's NAT is refused when it rewrites one)."""
    for name in filtered:
        node = lab.nodes[name]
        on = {k: v for k, v in node.sysctl.items() if k.startswith("net.bridge.") and brnf_on(v)}
        bridges = [i for i, iface in node.interfaces.items() if iface.kind == "bridge"]
        if not on or not bridges:
            continue
        for key, v in on.items():
            if key not in _BRNF_MODELLED:
                return (
                    f"the simulator does not model this br_netfilter switch ({key}={v}, node {name}); "
                    "use --backend kernel"
                )
        six = "net.bridge.bridge-nf-call-ip6tables" in on and (r if r is not None else resolve(lab)).uses_v6
        if six:
            nat6 = _nat6_chain(node.nftables, lab, r, name)
            if nat6 is not None:
                return (
                    f"the simulator does not model NAT of bridged IPv6 packets (net.bridge.bridge-nf-call-ip6tables=1 "
                    f"and the nat chain {nat6} of node {name}); use --backend kernel"
                )
        if "net.bridge.bridge-nf-call-iptables" in on or six:
            for i in bridges:
                if getattr(node.interfaces[i], "vlan_filtering", False):
                    return (
                        f"the simulator does not pass frames of a VLAN-filtering bridge through netfilter "
                        f"(br_netfilter on, {name}/{i}); use --backend kernel"
                    )
    return None


def _nat6_chain(text: str | None, lab: Lab, r: Resolved | None, name: str) -> str | None:
    """A nat chain of node ``name``'s ruleset that IPv6 packets pass (an ip6 or inet table's), by name."""
    from ..nft import node_ifnames
    from . import nft

    if text is None:
        return None
    try:
        rs = nft.compile_ruleset(text, node_ifnames(r if r is not None else resolve(lab), name))
    except (nft.Unsupported, nft.NftFailed):
        return None  # refused for that by sim_unsupported
    for cs in rs.nat.values():
        for c in cs:
            if c.family in ("ip6", "inet"):
                return f"{c.name} of table {c.family} {c.table}"
    return None


class Simulator:
    """One lab, simulated. Cheap to build; build a fresh one for a clean state."""

    def __init__(self, lab: Lab | Resolved):
        self.r = lab if isinstance(lab, Resolved) else resolve(lab)
        why = sim_unsupported(self.r)
        if why is not None:
            raise SimCannot(why)
        self.world: World = Builder(self.r).build()
        if any(node.nftables is not None for node in self.r.lab.nodes.values()):
            self._load_rulesets()
        self._ident = 0
        self._owners: dict[str, list[str]] = {}
        self._ref: _RowCursor | None = None  # made by the first ``_row_start``
        self._scratch: Simulator | None = None  # made by the first ``_cell``
        self._listening: frozenset[int] = frozenset()

    def _load_rulesets(self) -> None:
        from ..nft import node_ifnames
        from . import nft

        for name, node in self.r.lab.nodes.items():
            if node.nftables is not None:
                self.world.stacks[name].nf = nft.compile_ruleset(node.nftables, node_ifnames(self.r, name))
        v6 = any(st.v6 is not None for st in self.world.stacks.values())
        for dev in self.world.devices.values():
            if isinstance(dev, BridgeDev) and dev.stack is not None and dev.stack.nf is not None:
                # br_netfilter (kernel-semantics §8.2, §8.3): the families the bridge passes through the hooks
                st = dev.stack
                types: list[type] = [IPv4] if st.brnf4 else []
                if st.brnf6 and v6:
                    from .ipv6 import IPv6

                    types.append(IPv6)
                dev.brnf_types = tuple(types)
                dev.brnf = bool(types)
        if v6:
            from . import ipv6

            why = ipv6.nft_dad_problem(self.world) or ipv6.brnf_dad_problem(self.world)
            if why is not None:
                raise SimCannot(why)

    @cached_property
    def endpoints(self) -> list[str]:
        return endpoints(self.r)

    @cached_property
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

    def probe(
        self, src: str, dsts: Sequence[str], *, flush: bool = True, proto: str = "icmp", port: int | None = None
    ) -> dict[str, bool]:
        """Echo requests (or TCP connections, UDP datagrams to ``port``) from ``src`` to every address,
        one after another from one neighbour cache (each runs to completion before the next leaves,
        as kernel/probe.py sends); which got a reply."""
        st, ids = self._send(src, dsts, flush, proto, port)
        return {d: i in st.replies for d, i in ids.items()}

    def _listen(self, port: int) -> None:
        """During a port probe every node and guest listens, TCP and UDP, on the probed port
        and every port the lab's expectations name (topology.md, "Expectations on ports")."""
        ports = frozenset(listened_ports(self.r, port))
        if ports != self._listening:
            for name, stack in self.world.stacks.items():
                if taken := ports & set(stack.udp):
                    raise SimCannot(
                        f"node {name} cannot listen on port {min(taken)} for a port probe: "
                        "a VXLAN device of the lab uses it"
                    )
            for stack in self.world.stacks.values():
                stack.listen = ports
            self._listening = ports

    def _send(
        self, src: str, dsts: Sequence[str], flush: bool, proto: str = "icmp", port: int | None = None
    ) -> tuple[Any, dict[str, tuple[int, int]]]:
        self._check_src(src)
        if flush:
            self.flush()
        st = self.world.stacks[src]
        # each probe runs to completion before the next leaves: the previous rows' replies
        # were read, and nothing of theirs is still on its way (without this, a 1,000-node
        # matrix keeps a million of them)
        st.replies.clear()
        st.pinged.clear()
        dport = port or 0
        if proto != "icmp":
            assert port is not None
            self._listen(port)
            l4 = PROTO_TCP if proto == "tcp" else PROTO_UDP
        ids: dict[str, tuple[int, int]] = {}
        w = self.world
        # one echo id for the row, one sequence number per address, as kernel/probe.py sends:
        # conntrack keys ICMP by the id alone, so a row's probes can meet there (an id clash
        # that NAT remaps: kernel-semantics §8)
        self._ident += 1
        ident = self._ident
        for seq, d in enumerate(dsts, 1):
            ids[d] = (ident, seq)
            if proto == "icmp":
                st.ping_address(d, ident, seq)
            else:
                # a connection per address: its own tag (the client's source port, ephemeral(tag))
                self._ident += 1
                ids[d] = (self._ident, 0)
                ip = address_int(d)
                if ip < 0:
                    st.enable_ipv6().connect(-ip, l4, dport, self._ident)
                else:
                    st.connect(ip, l4, dport, self._ident)
            # One sendto at a time, as kernel/probe.py sends: dev_queue_xmit's local_bh_enable
            # runs the softirq to completion, and the macvlan broadcast work it queued
            # (macvlan_broadcast_enqueue -> macvlan_process_broadcast on a kworker) runs
            # before the next sendto, so one probe's ARP request is delivered before the
            # next probe leaves [docs/kernel-semantics.md §2.4, issue #12 source-mode family].
            # (Nothing queued, e.g. after Stack.echo_on_bridge: run would only reset its guard.)
            if w.queue or w.work:
                w.run()
        self._record_unresolved()
        for stack in self.world.dirty:
            stack.expire_incomplete()
        return st, ids

    def _record_unresolved(self) -> None:
        w = self.world
        if not w.tracing:
            return
        for st in w.stacks.values():
            if st.v6 is not None:
                st.v6.record_unresolved()
            for (dev, ip), pkts in st.pending.items():
                for p in pkts:
                    w.drop(
                        dev,
                        p.describe(),
                        "neigh-failed",
                        "neigh_timer_handler",
                        f"{st.name} got no ARP reply for {ip_str(ip)} on {dev.name}; the queued packet is dropped",
                    )

    def ping(
        self, src: str, dst: str, *, flush: bool = False, proto: str = "icmp", port: int | None = None
    ) -> list[PingResult]:
        """One probe per address of ``dst`` (a node, guest or address), traced.

        With ``flush`` (trace, test, capture) each result is the matrix's cell,
        computed the way the matrix computes it (see ``_cell``); without it, one
        probe from the state the simulator is in now."""
        self._check_src(src)
        mode = (proto, port)
        if flush:
            return [self._cell(src, d, mode) for d in self.resolve_dst(dst)]
        return [self._traced(src, [d], d, mode) for d in self.resolve_dst(dst)]

    def _traced(self, src: str, dsts: list[str], d: str, mode: tuple[str, int | None] = ("icmp", None)) -> PingResult:
        self.world.tracing = True
        self.world.hops = []
        try:
            ok = self.probe(src, dsts, flush=False, proto=mode[0], port=mode[1])[d]
        finally:
            self.world.tracing = False
        hops = list(self.world.hops)
        for name, st in self.world.stacks.items():
            if st.nf is not None and st.nf.ignored and st.v6 is None:
                tables = ", ".join(st.nf.ignored)
                why = f"{name}'s {tables} plays no part: no IPv6 traffic in a lab without IPv6 addresses"
                hops.insert(0, Hop(0, f"{name}/lo", "stack", "note", "nftables", why=why))
        return PingResult(src, d, ok, hops)

    @cached_property
    def _row(self) -> list[str]:
        """A matrix row's addresses, in the order ``verify.matrix.measure`` sends them."""
        return [c.address for c in columns(self.r)]

    def _row_start(
        self, src: str, mode: tuple[str, int | None] = ("icmp", None)
    ) -> tuple[FdbSnapshot, dict[str, bool]]:
        """The state the matrix is in when its row ``src`` starts, and that row.

        Earlier rows ran before it, and bridge and VXLAN FDBs keep what they
        learned (as on the kernel, whose matrix flushes only neighbour caches).
        A private reference world walks the rows in order; asking for rows in
        order (as the oracle and `test` do) costs one matrix in all."""
        ref = self._ref
        order = self.endpoints
        if ref is None or ref.src != src or ref.mode != mode:
            if ref is None or order.index(src) < ref.next or ref.mode != mode:
                ref = self._ref = _RowCursor(Simulator(self.r), mode=mode)
            sim = ref.sim
            row = self._row
            while ref.next <= order.index(src):
                e = order[ref.next]
                sim.flush()
                snap = sim.world.fdb_snapshot()
                cts = sim._ct_snapshot() if e == src else {}
                verdicts = sim.probe(e, row, proto=mode[0], port=mode[1])
                ref.next += 1
                if e == src:
                    ref.snap, ref.verdicts, ref.src, ref.cts = snap, verdicts, src, cts
        assert ref.snap is not None and ref.verdicts is not None  # the loop passed row ``src``
        return ref.snap, ref.verdicts

    def _ct_snapshot(self) -> dict[str, Any]:
        """Every namespace's conntrack table that holds entries (those with a ruleset)."""
        return {n: st.conntrack.snapshot() for n, st in self.world.stacks.items() if st.conntrack.by_orig}

    def _ct_restore(self, cts: dict[str, Any]) -> None:
        for n, st in self.world.stacks.items():
            snap = cts.get(n)
            if snap is not None:
                st.conntrack.restore(snap)
            elif st.conntrack.by_orig or st.conntrack.by_reply:
                st.conntrack.by_orig, st.conntrack.by_reply = {}, {}

    def _cell(self, src: str, d: str, mode: tuple[str, int | None] = ("icmp", None)) -> PingResult:
        """Trace one matrix cell so that its verdict is the matrix's.

        A matrix row sends all its echo requests one after another from one
        neighbour cache (one probe's ARP exchange can fill the cache a later one uses), from the state the earlier
        rows left (``_row_start``). The cell is traced on its own from that
        state when that gives the row's verdict (a short, focused trace);
        otherwise the whole row is traced, every probe of it in the hops."""
        row = self._row
        snap, verdicts = self._row_start(src, mode)
        dsts = [d]
        if d in verdicts:
            scratch = self._scratch
            if scratch is None:
                scratch = self._scratch = Simulator(self.r)
            scratch.flush()
            scratch.world.fdb_restore(snap)
            scratch._ct_restore(self._ref.cts if self._ref is not None else {})
            if scratch.probe(src, [d], proto=mode[0], port=mode[1])[d] != verdicts[d]:
                dsts = row
        self.flush()
        self.world.fdb_restore(snap)
        self._ct_restore(self._ref.cts if self._ref is not None else {})
        for c in self.world.captures.values():
            c.clear()
        res = self._traced(src, dsts, d, mode)
        if len(dsts) > 1:
            why = (
                f"alone, this probe would get a different answer: the matrix sends {src}'s {len(dsts)} probes one "
                "after another from one neighbour cache and one's ARP exchange serves another, so all of them "
                "are traced"
            )
            res.hops.insert(0, Hop(0, f"{src}/lo", "stack", "note", f"{len(dsts)} probes in one row", why=why))
        return res

    # the matrix (verify.matrix.measure asks these) ---------------------------------
    name = "sim"

    def matrix(self, proto: str = "icmp", port: int | None = None) -> Matrix:
        """All-pairs reachability, each row from cold caches: echo requests, or TCP connections
        or UDP datagrams to ``port``."""
        return measure(self, proto=proto, port=port)

    def sources(self) -> list[str]:
        return self.endpoints

    def answers(
        self, src: str, dsts: Sequence[str], *, proto: str = "icmp", port: int | None = None
    ) -> dict[str, str | None]:
        """Who answered each address: the stack that echoed this very request (for a port
        probe: the name its listener sent, as the kernel's responder sends it)."""
        st, ids = self._send(src, dsts, True, proto, port)
        if not self._owners:
            self._owners = owners_of(self.r)
        owners, stacks, replies = self._owners, self.world.stacks, st.replies
        out: dict[str, str | None] = {}
        if proto != "icmp":
            for d, i in ids.items():
                out[d] = st.answerer.pop(i, "") if i in replies else None
            for stack in stacks.values():
                stack.echoed.clear()
            return out
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
        self._owners = {c.address: c.nodes for c in cols}  # owners_of(self.r): cols are columns(self.r)
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
