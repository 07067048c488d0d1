"""Echo requests from inside a source namespace, every destination at once.

One raw ICMP socket, opened with this thread inside the source namespace,
sends one echo request per destination, then collects replies until every
one has answered or the timeout passes: a row costs at most one timeout,
not one `ping` process per pair.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import struct
import time
from collections.abc import Sequence

from pyroute2 import IPRoute

from . import nsutil

NUD_NOARP, NUD_PERMANENT = 0x40, 0x80


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


def flush_neighbours(netns: str) -> None:
    """`ip neigh flush`: dynamic entries go, permanent and noarp ones stay."""
    with nsutil.inside(netns), IPRoute() as h:
        for n in h.get_neighbours():
            if n["state"] & (NUD_NOARP | NUD_PERMANENT):
                continue
            dst = n.get_attr("NDA_DST")
            if dst is None:
                continue
            with contextlib.suppress(Exception):
                h.neigh("del", dst=dst, ifindex=n["ifindex"], family=n["family"])
