"""Echo requests from inside a source namespace, one per destination, without waiting.

One raw ICMP socket, opened with this thread inside the source namespace,
sends one echo request per destination, in the order given, one sendto after
another without reading any reply in between (each sendto returns once the
kernel has processed what it sent, except deferred work such as the macvlan
broadcast: docs/kernel-semantics.md §2.4), then collects replies until every
one has answered or the timeout passes: a row costs at most one timeout, not
one `ping` process per pair.
"""

from __future__ import annotations

import ipaddress
import os
import select
import socket
import struct
import time
from collections.abc import Sequence

from pyroute2 import IPRoute

from . import nsutil


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def _echo(ident: int, seq: int) -> bytes:
    payload = b"vnetlab-probe"
    hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
    return struct.pack("!BBHHH", 8, 0, _checksum(hdr + payload), ident, seq) + payload


_counter = [os.getpid() & 0x7FFF]


def probe(netns: str, dsts: Sequence[str], timeout: float = 1.0) -> dict[str, bool]:
    """Which of ``dsts`` answered an echo request from namespace ``netns``."""
    with nsutil.inside(netns):
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    try:
        s.setblocking(False)
        _counter[0] = (_counter[0] + 1) & 0xFFFF
        ident = _counter[0]
        pending: dict[int, str] = {}
        result = dict.fromkeys(dsts, False)
        for seq, dst in enumerate(dsts, 1):
            try:
                s.sendto(_echo(ident, seq), (dst, 0))
                pending[seq] = dst
            except OSError:
                pass  # no route, unreachable at once: a failed probe
        deadline = time.monotonic() + timeout
        while pending:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([s], [], [], left)
            if not ready:
                continue
            while True:
                try:
                    data, (addr, _) = s.recvfrom(65535)
                except BlockingIOError:
                    break
                ihl = (data[0] & 0x0F) * 4
                typ, _, _, rid, rseq = struct.unpack("!BBHHH", data[ihl : ihl + 8])
                if typ == 0 and rid == ident and rseq in pending and pending[rseq] == addr:
                    result[pending.pop(rseq)] = True
        return result
    finally:
        s.close()


ICMP6_ECHO_REQUEST, ICMP6_ECHO_REPLY = 128, 129
ICMP6_FILTER = 1  # IPPROTO_ICMPV6 socket option: a bitmap of the types to block


def _echo6(ident: int, seq: int) -> bytes:
    """An ICMPv6 echo request; the kernel fills the checksum of a raw ICMPv6 socket (RFC 3542 3.1)."""
    return struct.pack("!BBHHH", ICMP6_ECHO_REQUEST, 0, 0, ident, seq) + b"vnetlab-probe"


def probe_dual(netns: str, dsts: Sequence[str], timeout: float = 1.0) -> dict[str, bool]:
    """``probe`` for a row with IPv6 destinations: one raw ICMP and one raw ICMPv6 socket,
    opened in ``netns``; one echo request per destination in the order given (each
    family from its socket), then the replies of both collected until every one has
    answered or the timeout passes (IPv6 in the canonical form of ``ipaddress``)."""
    with nsutil.inside(netns):
        s4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        try:
            s6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
        except BaseException:
            s4.close()
            raise
    try:
        s4.setblocking(False)
        s6.setblocking(False)
        # only echo replies reach the ICMPv6 socket (the ND and MLD of a busy segment stay out)
        blocked = [0xFFFFFFFF] * 8
        blocked[ICMP6_ECHO_REPLY >> 5] &= ~(1 << (ICMP6_ECHO_REPLY & 31))
        s6.setsockopt(socket.IPPROTO_ICMPV6, ICMP6_FILTER, struct.pack("=8I", *blocked))
        _counter[0] = (_counter[0] + 1) & 0xFFFF
        ident = _counter[0]
        pending: dict[int, str] = {}
        result = dict.fromkeys(dsts, False)
        for seq, dst in enumerate(dsts, 1):
            try:
                if ":" in dst:
                    s6.sendto(_echo6(ident, seq), (dst, 0))
                else:
                    s4.sendto(_echo(ident, seq), (dst, 0))
                pending[seq] = dst
            except OSError:
                pass  # no route, unreachable at once: a failed probe
        deadline = time.monotonic() + timeout
        while pending:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([s4, s6], [], [], left)
            for sock in ready:
                while True:
                    try:
                        data, peer = sock.recvfrom(65535)
                    except BlockingIOError:
                        break
                    if sock is s6:
                        typ, _, _, rid, rseq = struct.unpack("!BBHHH", data[:8])
                        ok = typ == ICMP6_ECHO_REPLY
                        addr = str(ipaddress.IPv6Address(peer[0].split("%")[0]))
                    else:
                        ihl = (data[0] & 0x0F) * 4
                        typ, _, _, rid, rseq = struct.unpack("!BBHHH", data[ihl : ihl + 8])
                        ok, addr = typ == 0, peer[0]
                    if ok and rid == ident and rseq in pending and pending[rseq] == addr:
                        result[pending.pop(rseq)] = True
        return result
    finally:
        s4.close()
        s6.close()


RTM_DELNEIGH = 29
NLM_F_REQUEST = 1
NDA_DST = 1
AF_INET = 2
AF_INET6 = 10
NETLINK_ROUTE = 0


class NeighFlusher:
    """Flush the lab's dynamic neighbour entries fast, every row.

    One raw rtnetlink socket per namespace, opened inside it once; a flush
    sends, in one sendmsg per namespace, an RTM_DELNEIGH (no ACK requested)
    for every lab address (IPv4, and IPv6 with the link-local addresses a lab's
    routers are reached by) on every interface of that namespace, except the
    lab's static entries. Misses come back as errors and are drained. This
    is `ip neigh flush` for the addresses that matter, without a dump and a
    round trip per entry.
    """

    def __init__(
        self,
        netnses: Sequence[str],
        addresses: Sequence[str],
        static: set[tuple[str, int, str]],
        per_ns: dict[str, list[str]] | None = None,
        switches: Sequence[str] = (),
    ):
        """``per_ns``: more addresses for some namespaces only (IPv6 link-locals of their
        segments). In ``switches`` (vnetlab's switch namespaces) only the bridge device
        can hold entries: its ports are enslaved (what they receive goes to the
        bridge, never to their own stack) and have no address or route to send from."""
        self.socks: list[tuple[socket.socket, list[bytes]]] = []
        for ns in netnses:
            more = (per_ns or {}).get(ns, [])
            names = [*addresses, *more]
            addrs = [ipaddress.ip_address(a).packed for a in names]
            with nsutil.inside(ns):
                sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
                with IPRoute() as h:
                    idxs = [
                        ln["index"]
                        for ln in h.get_links()
                        if ln.get_attr("IFLA_IFNAME") != "lo" and not (ns in switches and ln.get_attr("IFLA_MASTER"))
                    ]
            sock.setblocking(False)
            sock.setsockopt(270, 10, 1)  # SOL_NETLINK, NETLINK_CAP_ACK: errors without the request
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            msgs = []
            for idx in idxs:
                for a, raw in zip(names, addrs, strict=True):
                    if (ns, idx, a) in static:
                        continue
                    fam = AF_INET if len(raw) == 4 else AF_INET6
                    body = struct.pack("=BxxxiHBB", fam, idx, 0, 0, 0) + struct.pack("=HH", 4 + len(raw), NDA_DST) + raw
                    msgs.append(struct.pack("=IHHII", 16 + len(body), RTM_DELNEIGH, NLM_F_REQUEST, 0, 0) + body)
            per = 256  # messages per sendmsg: a batch the kernel takes whole
            self.socks.append((sock, [b"".join(msgs[i : i + per]) for i in range(0, len(msgs), per)]))

    def flush(self) -> None:
        for sock, chunks in self.socks:
            for chunk in chunks:
                try:
                    sock.send(chunk)
                except OSError as e:  # ENOBUFS: our error queue overflowed; the deletes still ran
                    if e.errno != 105:
                        raise
                self._drain(sock)

    @staticmethod
    def _drain(sock: socket.socket) -> None:
        while True:
            try:
                if not sock.recv(1 << 20):
                    return
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:
                if e.errno != 105:
                    raise

    def close(self) -> None:
        for sock, _ in self.socks:
            sock.close()
        self.socks.clear()


SOL_RAW = 255
ICMP_FILTER = 1
ICMP_ECHO = 8


class Witness:
    """Which namespaces an echo request was delivered to, by destination address.

    A raw ICMP socket gets a copy of every ICMP packet its namespace delivers
    locally (raw_local_deliver, before icmp_rcv answers it), so a socket
    opened in each owner of a duplicate address before a row's probes says
    which owner the request reached, that is which one replied. ICMP_FILTER
    keeps only echo requests. Exact, and it costs nothing on the wire.
    """

    def __init__(self, netns_of: dict[str, str]):
        self.socks: dict[str, socket.socket] = {}
        try:
            for node, ns in netns_of.items():
                with nsutil.inside(ns):
                    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
                self.socks[node] = s
                s.setblocking(False)
                s.setsockopt(SOL_RAW, ICMP_FILTER, struct.pack("=I", ~(1 << ICMP_ECHO) & 0xFFFFFFFF))
        except BaseException:
            self.close()
            raise

    def seen(self) -> dict[str, list[str]]:
        """destination address → nodes whose namespace received an echo request to it."""
        out: dict[str, list[str]] = {}
        for node, s in self.socks.items():
            while True:
                try:
                    data = s.recv(65535)
                except BlockingIOError:
                    break
                ihl = (data[0] & 0x0F) * 4
                if len(data) >= ihl + 8 and data[ihl] == ICMP_ECHO:
                    dst = socket.inet_ntoa(data[16:20])
                    if node not in out.setdefault(dst, []):
                        out[dst].append(node)
        return out

    def close(self) -> None:
        for s in self.socks.values():
            s.close()
        self.socks.clear()
