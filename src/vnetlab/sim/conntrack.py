"""A namespace's connection tracking and NAT bindings (kernel-semantics §8).

An entry is the kernel's ``nf_conn``: its original tuple (what the first
packet looked like when ``nf_conntrack_in`` saw it) and its reply tuple (what
a reply looks like: the inverse of the original after NAT). A tuple is
``(proto, src, dst, a, b)``: for an ICMP echo ``a`` is the echo id and ``b``
the ICMP type (8 request, 0 reply), as ``nf_conntrack_proto_icmp.c`` keys it;
TCP and UDP put the source and destination ports there (port probes); an
ICMPv6 echo is keyed as an ICMP one (proto 58, types 128/129). A SRC
binding rewrites the source address and port, a DST binding the destination
address and port (``nf_nat_ipv4_manip_pkt``/``nf_nat_ipv6_manip_pkt``,
``tcp_manip_pkt``/``udp_manip_pkt``; the echo id goes with either: ``icmp_manip_pkt``,
``icmpv6_manip_pkt``). IPv6 NAT is the same code with 128-bit addresses (§11.18).

NAT (net/netfilter/nf_nat_core.c): the first packet of a connection (``new``,
not yet confirmed) runs the namespace's nat chains at the NAT hook of
PREROUTING/OUTPUT (destination, ``NF_IP_PRI_NAT_DST`` -100) and of
INPUT/POSTROUTING (source, ``NF_IP_PRI_NAT_SRC`` 100); whatever binding it
gets (none: the null binding) is fixed for the entry's life. Every later
packet, in either direction, is rewritten from the entry (``nf_nat_packet``),
the nat chains are not consulted again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

Key = tuple[int, int, int, int, int]  # (proto, src, dst, id or sport, icmp type or dport)

ORIGINAL, REPLY = 0, 1
DST, SRC = "dst", "src"  # NF_NAT_MANIP_DST, NF_NAT_MANIP_SRC
#: the echo protocols (ICMP, ICMPv6): keyed by echo id and type, not by ports
ECHO_PROTOS = (1, 58)
#: the ICMP types whose tuples conntrack inverts (icmp_invert_tuple's table, echo only here)
_INVERT_TYPE = {8: 0, 0: 8}
_INVERT_TYPE6 = {128: 129, 129: 128}


def invert(k: Key) -> Key:
    """nf_ct_invert_tuple: addresses (and ports) swapped, echo request ↔ echo reply."""
    proto, src, dst, a, b = k
    if proto == 1:
        return (proto, dst, src, a, _INVERT_TYPE.get(b, b))
    if proto == 58:  # icmpv6_invert_tuple: echo request (128) ↔ echo reply (129)
        return (proto, dst, src, a, _INVERT_TYPE6.get(b, b))
    return (proto, dst, src, b, a)


@dataclass(slots=True, eq=False)
class Entry:
    orig: Key
    reply: Key
    seen_reply: bool = False
    confirmed: bool = False
    #: IPS_SRC_NAT / IPS_DST_NAT: the binding of that kind changed the tuple
    src_nat: bool = False
    dst_nat: bool = False
    #: nf_nat_initialized: a binding of that kind (maybe the null one) was set up
    src_done: bool = False
    dst_done: bool = False

    def translated(self) -> Key:
        """The original direction's tuple after NAT (curr_tuple in nf_nat_setup_info)."""
        return invert(self.reply)


@dataclass(slots=True)
class Ct:
    """A packet's conntrack: its entry (None: untracked, 'ct state' reads invalid), direction, state."""

    entry: Entry | None
    dir: int
    state: str


@dataclass(slots=True)
class Conntrack:
    """The conntrack table of one network namespace."""

    #: confirmed entries by their original tuple and by their reply tuple (the kernel's one hash)
    by_orig: dict[Key, Entry] = field(default_factory=dict)
    by_reply: dict[Key, Entry] = field(default_factory=dict)

    def lookup(self, k: Key, may_start: bool = True) -> Ct:
        """nf_conntrack_in: the packet's entry (made, unconfirmed, for a new connection).

        ``may_start`` false: a packet that cannot start a connection (tcp_new: a TCP
        segment without SYN, a SYN/ACK or RST) has none without an entry: invalid."""
        e = self.by_orig.get(k)
        if e is not None:
            return Ct(e, ORIGINAL, "established" if e.seen_reply else "new")
        e = self.by_reply.get(k)
        if e is not None:
            e.seen_reply = True  # IPS_SEEN_REPLY, set by nf_conntrack_in itself
            return Ct(e, REPLY, "established")
        if (k[0] == 1 and k[4] != 8) or (k[0] == 58 and k[4] != 128) or not may_start:
            # icmp_new, icmpv6_new: only an echo request (of what is modelled) starts a connection → invalid
            return Ct(None, ORIGINAL, "invalid")
        return Ct(Entry(k, invert(k)), ORIGINAL, "new")

    def confirm(self, ct: Ct) -> None:
        """__nf_conntrack_confirm: a new entry whose packet left the namespace's hooks alive is kept."""
        e = ct.entry
        if e is None or e.confirmed:
            return
        e.confirmed = True
        self.by_orig.setdefault(e.orig, e)
        self.by_reply.setdefault(e.reply, e)

    def used(self, k: Key, me: Entry) -> bool:
        """nf_nat_used_tuple: would ``k`` as the original (so its inverse as the reply) clash?"""
        other = self.by_reply.get(invert(k))
        return other is not None and other is not me

    def bind(self, e: Entry, manip: str, addr: int | None, port: int | None = None) -> None:
        """nf_nat_setup_info: the binding of kind ``manip`` to ``addr`` (and, for TCP/UDP, ``port``;
        None: kept), both None: the null binding.

        get_unique_tuple keeps the echo id or the port unless the tuple would clash with a
        confirmed entry's. A named port is taken as it is (a one-port range: `min_proto ==
        max_proto` returns at once), clash or not: what the kernel then does with a clash is
        not modelled (:class:`ProbeUnsupported`, exit 3). Otherwise, on a clash,
        nf_nat_l4proto_unique_tuple takes
        another echo id (from 0 for DST, at a random offset for SRC; the simulator takes the
        lowest free) or, for a SRC binding, another source port in the class of the old one
        (1-511, 600-1023, 1024-65535, at a random offset; the simulator takes the lowest free);
        a DST binding never changes a port it was not told to ("can't change port"): a clash
        is refused the same way."""
        cur = e.translated()
        proto, s, d, a, b = cur
        if addr is not None:
            s, d = (addr, d) if manip == SRC else (s, addr)
        if port is not None and proto not in ECHO_PROTOS:
            a, b = (port, b) if manip == SRC else (a, port)
        new: Key = (proto, s, d, a, b)
        if self.used(new, e):
            if proto not in ECHO_PROTOS and (port is not None or manip == DST):
                # the tuple is kept, clash or not, and __nf_conntrack_confirm finds its reply tuple
                # taken: measured a drop (insert_failed) for two clients through one named port
                # (nat_ports.sh F, F3, G), yet a kernel port matrix let a later row's connection
                # through (tests/data/ports/nat-port-clash.yaml): not modelled, refused
                from .nft import ProbeUnsupported

                what = f"port {port}" if port is not None else "its destination port"
                raise ProbeUnsupported(
                    f"the simulator does not model a {'source' if manip == SRC else 'destination'} NAT to {what} "
                    "whose translated connection is already another connection's (kernel-semantics §8); "
                    "use --backend kernel"
                )
            if proto in ECHO_PROTOS:
                for i in range(65536):
                    cand: Key = (proto, s, d, i, b)
                    if not self.used(cand, e):
                        new = cand
                        break
            elif manip == SRC and port is None:
                lo, hi = (1, 511) if a < 512 else (600, 1023) if a < 1024 else (1024, 65535)
                for i in range(lo, hi + 1):
                    cand = (proto, s, d, i, b)
                    if not self.used(cand, e):
                        new = cand
                        break
        if new != cur:
            e.reply = invert(new)
            if manip == SRC:
                e.src_nat = True
            else:
                e.dst_nat = True
        if manip == SRC:
            e.src_done = True
        else:
            e.dst_done = True

    @staticmethod
    def rewrite(
        e: Entry, direction: int, manip: str, src: int, dst: int, a: int, b: int
    ) -> tuple[int, int, int, int] | None:
        """nf_nat_packet: the (src, dst, a, b) a packet of ``direction`` gets at a NAT hook of kind
        ``manip`` (None: unchanged); ``a``, ``b``: the echo id and type of an echo, the source and
        destination ports of TCP/UDP. The target is the inverse of the other direction's tuple;
        a SRC manip sets the source address and port, a DST manip the destination address and
        port, both the echo id (nf_nat_ipv4_manip_pkt, icmp_manip_pkt, tcp_manip_pkt, udp_manip_pkt)."""
        bit = e.src_nat if manip == SRC else e.dst_nat
        if direction == REPLY:
            bit = e.dst_nat if manip == SRC else e.src_nat  # statusbit ^= IPS_NAT_MASK
        if not bit:
            return None
        t = invert(e.reply if direction == ORIGINAL else e.orig)
        if t[0] in ECHO_PROTOS:
            if manip == SRC:
                return t[1], dst, t[3], b
            return src, t[2], t[3], b
        if manip == SRC:
            return t[1], dst, t[3], b
        return src, t[2], a, t[4]

    def snapshot(self) -> tuple[dict[Key, Entry], dict[Key, Entry]]:
        """A copy of the table (the state a matrix row starts from: see Simulator._row_start)."""
        return _copy(self.by_orig, self.by_reply)

    def restore(self, snap: tuple[dict[Key, Entry], dict[Key, Entry]]) -> None:
        """The table as ``snapshot`` saw it (copied again: probing changes entries)."""
        self.by_orig, self.by_reply = _copy(*snap)


def _copy(by_orig: dict[Key, Entry], by_reply: dict[Key, Entry]) -> tuple[dict[Key, Entry], dict[Key, Entry]]:
    """Both indexes of a table with each entry copied once (both index the same entry)."""
    copies: dict[int, Entry] = {}

    def cp(e: Entry) -> Entry:
        c = copies.get(id(e))
        if c is None:
            c = copies[id(e)] = replace(e)
        return c

    return {k: cp(e) for k, e in by_orig.items()}, {k: cp(e) for k, e in by_reply.items()}
