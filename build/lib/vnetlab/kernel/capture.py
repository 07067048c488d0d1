"""Capture frames on a running lab's interface into a pcap file (AF_PACKET).

The socket is opened with this thread inside the node's namespace and bound
to the interface; capture stops after ``count`` frames or ``duration``
seconds, whichever comes first.
"""

from __future__ import annotations

import select
import socket
import time
from pathlib import Path

import dpkt

from ..errors import InputError
from ..resolve import Resolved
from . import nsutil, owner

ETH_P_ALL = 0x0003


def capture_live(r: Resolved, where: str, out: Path, count: int, duration: float) -> int:
    node, _, ifname = where.partition("/")
    marks = {m.name: m for m in owner.owned(r.lab.lab)}
    if node not in marks:
        raise InputError(
            f"lab {r.lab.lab} is not running with a node {node!r}; `vnetlab up` it first (the sandbox is gone once a command ends)"
        )
    with nsutil.inside(marks[node].netns):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        try:
            s.bind((ifname, 0))
        except OSError as e:
            s.close()
            raise InputError(f"{where}: {e.strerror}") from None
    n = 0
    deadline = time.monotonic() + duration
    with s, out.open("wb") as fh:
        w = dpkt.pcap.Writer(fh, linktype=dpkt.pcap.DLT_EN10MB)
        while n < count:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            if not select.select([s], [], [], left)[0]:
                continue
            data = s.recv(65535)
            w.writepkt(data, ts=time.time())
            n += 1
    return n
