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


RTM_DELNEIGH = 29
NLM_F_REQUEST = 1
NDA_DST = 1
AF_INET = 2
NETLINK_ROUTE = 0


class NeighFlusher:
    """Flush the lab's dynamic neighbour entries fast, every row.

    One raw rtnetlink socket per namespace, opened inside it once; a flush
    sends, in one sendmsg per namespace, an RTM_DELNEIGH (no ACK requested)
    for every lab address on every interface of that namespace, except the
    lab's static entries. Misses come back as errors and are drained. This
    is `ip neigh flush` for the addresses that matter, without a dump and a
    round trip per entry.
    """

    def __init__(self, netnses: Sequence[str], addresses: Sequence[str], static: set[tuple[str, int, str]]):
        self.socks: list[tuple[socket.socket, list[bytes]]] = []
        addrs = [socket.inet_aton(a) for a in addresses]
        for ns in netnses:
            with nsutil.inside(ns):
                sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
                with IPRoute() as h:
                    idxs = [ln["index"] for ln in h.get_links() if ln.get_attr("IFLA_IFNAME") != "lo"]
            sock.setblocking(False)
            sock.setsockopt(270, 10, 1)  # SOL_NETLINK, NETLINK_CAP_ACK: errors without the request
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            msgs = []
            for idx in idxs:
                for a, raw in zip(addresses, addrs, strict=True):
                    if (ns, idx, a) in static:
                        continue
                    body = struct.pack("=BxxxiHBB", AF_INET, idx, 0, 0, 0) + struct.pack("=HH", 8, NDA_DST) + raw
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
