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
from collections.abc import Iterator, Sequence
from contextlib import suppress as contextlib_suppress
from typing import Any

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


ICMP6_ECHO_REQUEST, ICMP6_ECHO_REPLY = 128, 129
ICMP6_FILTER = 1  # IPPROTO_ICMPV6 socket option: a bitmap of the types to block


def _echo6(ident: int, seq: int) -> bytes:
    """An ICMPv6 echo request; the kernel fills the checksum of a raw ICMPv6 socket (RFC 3542 3.1)."""
    return struct.pack("!BBHHH", ICMP6_ECHO_REQUEST, 0, 0, ident, seq) + b"vnetlab-probe"


def probe(netns: str, dsts: Sequence[str], timeout: float = 1.0) -> dict[str, bool]:
    """Which of ``dsts`` answered an echo request from namespace ``netns``: raw ICMP (and,
    when a destination is IPv6, raw ICMPv6) sockets opened in ``netns``; one echo
    request per destination in the order given (each family from its socket), then
    the replies of both collected until every one has answered or the timeout passes
    (IPv6 in the canonical form of ``ipaddress``)."""
    with nsutil.inside(netns):
        s4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        try:
            s6 = (
                socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
                if any(":" in d for d in dsts)
                else None
            )
        except BaseException:
            s4.close()
            raise
    socks = [s4] if s6 is None else [s4, s6]
    try:
        s4.setblocking(False)
        if s6 is not None:
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
                if s6 is not None and ":" in dst:
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
            ready, _, _ = select.select(socks, [], [], left)
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
        for sock in socks:
            sock.close()


RTM_DELNEIGH = 29
NLM_F_REQUEST = 1
NDA_DST = 1
AF_INET = 2
AF_INET6 = 10
NETLINK_ROUTE = 0


RTM_NEWNEIGH, RTM_GETNEIGH = 28, 30
NLM_F_DUMP = 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
NUD_NOARP, NUD_PERMANENT = 0x40, 0x80
NTF_PROXY = 0x08


class NeighFlusher:
    """Flush the lab's dynamic neighbour entries fast, every row: `ip neigh flush all`
    in every namespace of the lab, both families.

    One raw rtnetlink socket per namespace, opened inside it once. A flush dumps
    each namespace's neighbour tables (RTM_GETNEIGH, one request for IPv4 and IPv6)
    and deletes, in one sendmsg per namespace and without an ACK, every entry that
    is neither PERMANENT (the lab's static entries) nor NOARP (multicast, broadcast,
    loopback), whatever its address: a cold row starts with no learned neighbour.
    A row leaves entries in a few namespaces only (the prober's, the answerers',
    the routers' on the way), so asking the kernel what is there costs a round trip
    per namespace instead of a delete per lab address per interface.
    """

    def __init__(self, netnses: Sequence[str]):
        self.socks: list[socket.socket] = []
        for ns in netnses:
            with nsutil.inside(ns):
                sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
            sock.setsockopt(270, 10, 1)  # SOL_NETLINK, NETLINK_CAP_ACK: errors without the request
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            sock.setblocking(False)
            self.socks.append(sock)
        self._dump = struct.pack("=IHHII", 16 + 12, RTM_GETNEIGH, NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + bytes(12)

    def flush(self) -> None:
        for sock in self.socks:
            self._drain(sock)  # a delete that lost a race answered with an error: not ours to read below
            sock.send(self._dump)
            dels = b"".join(self._dynamic(sock))
            if dels:
                try:
                    sock.send(dels)
                except OSError as e:  # ENOBUFS: our error queue overflowed; the deletes still ran
                    if e.errno != 105:
                        raise

    @staticmethod
    def _dynamic(sock: socket.socket) -> Iterator[bytes]:
        """The dump's answer, as an RTM_DELNEIGH (no ACK) per dynamic entry."""
        while True:
            try:
                data = sock.recv(1 << 20)
            except BlockingIOError:  # the kernel makes the next part of a dump as we read
                if not select.select([sock], [], [], 5.0)[0]:
                    raise TimeoutError("neighbour dump: no answer from the kernel in 5 s") from None
                continue
            off = 0
            while off + 16 <= len(data):
                length, typ, _, seq, _ = struct.unpack_from("=IHHII", data, off)
                if length < 16:
                    return
                msg = data[off : off + length]
                off += (length + 3) & ~3
                if seq != 1:
                    continue  # a late error of a delete
                if typ == NLMSG_DONE:
                    return
                if typ == NLMSG_ERROR:
                    (err,) = struct.unpack_from("=i", msg, 16)
                    raise OSError(-err, f"neighbour dump: {os.strerror(-err)}")
                if typ != RTM_NEWNEIGH or len(msg) < 28:
                    continue
                fam, ifindex, state, flags, _ = struct.unpack_from("=BxxxiHBB", msg, 16)
                if state & (NUD_PERMANENT | NUD_NOARP) or flags & NTF_PROXY or fam not in (AF_INET, AF_INET6):
                    continue
                a = 28
                while a + 4 <= len(msg):
                    alen, atype = struct.unpack_from("=HH", msg, a)
                    if alen < 4:
                        break
                    if atype == NDA_DST:
                        raw = msg[a + 4 : a + alen]
                        body = (
                            struct.pack("=BxxxiHBB", fam, ifindex, 0, 0, 0)
                            + struct.pack("=HH", 4 + len(raw), NDA_DST)
                            + raw
                        )
                        yield struct.pack("=IHHII", 16 + len(body), RTM_DELNEIGH, NLM_F_REQUEST, 0, 0) + body
                        break
                    a += (alen + 3) & ~3

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
        for sock in self.socks:
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


# Port probes (TCP and UDP) ---------------------------------------------------------------
#
# During a port probe every node listens, TCP and UDP, on the probed port and every
# port the lab's expectations name: vnetlab's own responder sockets, bound to all
# addresses of both families (0.0.0.0, and :: with IPV6_V6ONLY), opened inside each
# namespace. A TCP listener accepts and sends its node's name; a UDP listener answers
# each datagram with its node's name, from the address and port the datagram was
# addressed to (IP_PKTINFO, IPV6_PKTINFO: a connected client takes an answer only from
# the address it sent to; kernel-semantics §11.10). The client side opens one socket
# per destination inside the source namespace, all at once, of the destination's
# family: a non-blocking TCP connect (reach: the handshake completed), or a connected
# UDP socket that sends one datagram (reach: an answer on it). One loop serves both
# sides; nothing is forked.

IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)
IPV6_RECVPKTINFO = getattr(socket, "IPV6_RECVPKTINFO", 49)
IPV6_PKTINFO = getattr(socket, "IPV6_PKTINFO", 50)
IPV6_V6ONLY = getattr(socket, "IPV6_V6ONLY", 26)


class Responder:
    """Listening TCP and UDP sockets on ``ports`` in every namespace of ``netns_of``, IPv4 and IPv6."""

    def __init__(self, netns_of: dict[str, str], ports: Sequence[int]):
        self.ports = frozenset(ports)
        _raise_fd_limit(4 * len(netns_of) * len(self.ports) + 256)
        self.tcp: dict[socket.socket, bytes] = {}
        self.udp: dict[socket.socket, bytes] = {}
        #: accepted TCP connections, waiting to take the node's name
        self.conns: list[socket.socket] = []
        try:
            for node, ns in netns_of.items():
                name = node.encode()
                for port in sorted(self.ports):
                    for family, anywhere in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
                        self._listen(node, ns, name, family, anywhere, port)
        except BaseException:
            self.close()
            raise

    def _listen(self, node: str, ns: str, name: bytes, family: int, anywhere: str, port: int) -> None:
        try:
            with nsutil.inside(ns):
                t = socket.socket(family, socket.SOCK_STREAM)
                u = socket.socket(family, socket.SOCK_DGRAM)
        except OSError as e:
            if family == socket.AF_INET6 and e.errno == 97:  # EAFNOSUPPORT: a kernel without IPv6
                return
            raise
        self.tcp[t] = name
        self.udp[u] = name
        for s in (t, u):
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.setblocking(False)
            if family == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, IPV6_V6ONLY, 1)  # IPv4 has its own listener
        try:
            t.bind((anywhere, port))
            t.listen(128)
            if family == socket.AF_INET6:
                u.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVPKTINFO, 1)
            else:
                u.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
            u.bind((anywhere, port))
        except OSError as e:
            from ..errors import EnvironmentProblem

            raise EnvironmentProblem(
                f"node {node} cannot listen on port {port} for a port probe ({e.strerror}); "
                "a VXLAN device of the lab may use it"
            ) from e

    def fds(self) -> list[socket.socket]:
        return [*self.tcp, *self.udp]

    def serve(self, s: socket.socket) -> None:
        """Answer what ``s`` (one of ``fds``) has: accept and send the name, or answer a datagram."""
        if s in self.tcp:
            while True:
                try:
                    c, _ = s.accept()
                except (BlockingIOError, InterruptedError):
                    return
                except OSError:
                    return
                try:
                    c.setblocking(False)
                    c.send(self.tcp[s])
                except OSError:
                    pass
                self.conns.append(c)
        name = self.udp[s]
        while True:
            try:
                _, anc, _, peer = s.recvmsg(2048, socket.CMSG_SPACE(20))
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                continue  # a queued ICMP error from an earlier answer
            cmsg = []
            for level, typ, data in anc:
                if level == socket.IPPROTO_IP and typ == IP_PKTINFO and len(data) >= 12:
                    # struct in_pktinfo {ifindex; spec_dst; addr}: answer from addr (the destination)
                    cmsg = [(socket.IPPROTO_IP, IP_PKTINFO, struct.pack("=i4s4s", 0, data[8:12], b"\0" * 4))]
                elif level == socket.IPPROTO_IPV6 and typ == IPV6_PKTINFO and len(data) >= 20:
                    # struct in6_pktinfo {addr; ifindex}: answer from addr, routed as the kernel
                    # routes a socket's packet (no interface given, as tcp_v6_send_synack for a
                    # global peer)
                    cmsg = [(socket.IPPROTO_IPV6, IPV6_PKTINFO, data[:16] + struct.pack("=i", 0))]
            with contextlib_suppress(OSError):
                s.sendmsg([name], cmsg, 0, peer)

    def close(self) -> None:
        for s in (*self.tcp, *self.udp, *self.conns):
            s.close()
        self.tcp.clear()
        self.udp.clear()
        self.conns.clear()


def _raise_fd_limit(need: int) -> None:
    """Two sockets per node and port, and one per destination of a row: this process's own
    soft limit on open files goes up to its hard limit if that is needed (nothing machine-wide)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = need + 1024
    if soft != resource.RLIM_INFINITY and soft < want:
        new = want if hard == resource.RLIM_INFINITY else min(want, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))


def port_probe(
    netns: str, dsts: Sequence[str], proto: str, port: int, responder: Responder, timeout: float = 1.0
) -> dict[str, str | None]:
    """Which of ``dsts`` accepted a TCP connection / answered a UDP datagram on ``port``
    from namespace ``netns``, and the name of the node whose listener answered
    ("" when the connection completed but no name came)."""
    import errno
    import selectors

    out: dict[str, str | None] = dict.fromkeys(dsts)
    tcp = proto == "tcp"
    _raise_fd_limit(len(responder.fds()) + len(dsts))
    socks: dict[socket.socket, str] = {}
    sel = selectors.DefaultSelector()
    for r in responder.fds():
        sel.register(r, selectors.EVENT_READ, None)
    try:
        for dst in dsts:
            with nsutil.inside(netns):
                s = socket.socket(
                    socket.AF_INET6 if ":" in dst else socket.AF_INET, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM
                )
            s.setblocking(False)
            try:
                if tcp:
                    rc = s.connect_ex((dst, port))
                    if rc not in (0, errno.EINPROGRESS):
                        s.close()  # no route, EPERM from the output chain: no reach
                        continue
                    sel.register(s, selectors.EVENT_WRITE, dst)
                else:
                    s.connect((dst, port))
                    s.send(b"vnetlab-probe")
                    sel.register(s, selectors.EVENT_READ, dst)
            except OSError:
                s.close()
                continue
            socks[s] = dst
            # the client's first packet may wake a listener of this very process: serve it now
            _serve_ready(sel, responder)
        deadline = time.monotonic() + timeout
        # a TCP connection that completed reads its name; it may take a little past the second
        grace = deadline + 0.5
        waiting_name: set[socket.socket] = set()
        while socks:
            now = time.monotonic()
            if now >= grace or (now >= deadline and not waiting_name):
                break
            for key, ev in sel.select((deadline if now < deadline else grace) - now):
                s = key.fileobj  # type: ignore[assignment]  # (only sockets are registered)
                if key.data is None:
                    responder.serve(s)
                    for c in responder.conns:
                        c.close()
                    responder.conns.clear()
                    continue
                dst = key.data
                if tcp and ev & selectors.EVENT_WRITE:
                    if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0:
                        _drop(sel, socks, s)  # refused (RST) or unreachable
                        continue
                    out[dst] = ""
                    sel.modify(s, selectors.EVENT_READ, dst)
                    waiting_name.add(s)
                    continue
                try:
                    data = s.recv(256)
                except OSError:
                    data = b""  # ECONNREFUSED: ICMP port unreachable (a completed handshake stays)
                if data:
                    out[dst] = data.decode(errors="replace")
                waiting_name.discard(s)
                _drop(sel, socks, s)
            if time.monotonic() >= deadline:
                # past the second only names of completed connections are awaited
                for s in [s for s in socks if s not in waiting_name]:
                    _drop(sel, socks, s)
        return out
    finally:
        for s in list(socks):
            _drop(sel, socks, s)
        sel.close()


def _drop(sel: Any, socks: dict[socket.socket, str], s: socket.socket) -> None:
    with contextlib_suppress(KeyError, ValueError):
        sel.unregister(s)
    socks.pop(s, None)
    s.close()


def _serve_ready(sel: Any, responder: Responder) -> None:
    for key, _ in sel.select(0):
        if key.data is None:
            assert isinstance(key.fileobj, socket.socket)
            responder.serve(key.fileobj)
    for c in responder.conns:
        c.close()
    responder.conns.clear()
