"""Ownership: which namespaces belong to which lab, read from live state alone.

A lab namespace is named ``<lab>-<name>`` and its ``lo`` carries the alias
``vnetlab:<lab>:<name>[:<fingerprint>[:complete[:external-guests]]]``. `down` removes only namespaces
that carry that mark, so it works after a crash or a kill -9 half-way
through `up` (no state file), and never touches anything else. A lab with
guests also has a guest daemon, found from those namespaces (see guestd).
"""

from __future__ import annotations

import contextlib
import socket
import struct
from dataclasses import dataclass

from pyroute2 import IPRoute

from . import nsutil

COMPLETE = "complete"
#: on the complete mark: the guests are the user's own VMs, not vnetlab's daemon
EXTERNAL = "external-guests"


@dataclass(frozen=True)
class Mark:
    netns: str
    lab: str
    name: str
    fingerprint: str | None
    #: set on one namespace of a lab once `up` finished (a crash leaves it unset)
    complete: bool = False
    external_guests: bool = False


RTM_GETLINK, RTM_NEWLINK, IFLA_IFALIAS = 18, 16, 20


def _lo_alias(netns: str) -> str | None:
    """lo's alias in ``netns``: one raw RTM_GETLINK for ifindex 1, parsed by hand
    (a pyroute2 handle per namespace would cost more than the whole request)."""
    try:
        with nsutil.inside(netns):
            sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    except OSError:
        return None
    with sock:
        sock.settimeout(2)
        body = struct.pack("=BxHiII", 0, 0, 1, 0, 0)
        sock.send(struct.pack("=IHHII", 16 + len(body), RTM_GETLINK, 1, 1, 0) + body)
        data = sock.recv(65536)
    ln, typ = struct.unpack_from("=IH", data)
    if typ != RTM_NEWLINK:
        return None
    off = 16 + 16
    while off + 4 <= ln:
        alen, atype = struct.unpack_from("=HH", data, off)
        if alen < 4:
            break
        if atype & 0x3FFF == IFLA_IFALIAS:
            return data[off + 4 : off + alen].rstrip(b"\0").decode(errors="replace")
        off += (alen + 3) & ~3
    return None


def read_mark(netns: str) -> Mark | None:
    """The vnetlab mark on a namespace's lo, or None if it is not ours."""
    alias = _lo_alias(netns) or ""
    parts = alias.split(":")
    if len(parts) < 3 or parts[0] != "vnetlab":
        return None
    if not netns.startswith(parts[1] + "-"):
        return None
    return Mark(
        netns,
        parts[1],
        parts[2],
        parts[3] if len(parts) > 3 else None,
        len(parts) > 4 and parts[4] == COMPLETE,
        len(parts) > 5 and parts[5] == EXTERNAL,
    )


def owned(lab: str | None = None) -> list[Mark]:
    out = []
    for name in nsutil.list_names():
        if lab is not None and not name.startswith(lab + "-"):
            continue
        m = read_mark(name)
        if m is not None and (lab is None or m.lab == lab):
            out.append(m)
    return out


def set_fingerprint(netns: str, lab: str, name: str, fp: str) -> None:
    with nsutil.inside(netns), IPRoute() as h:
        h.link("set", index=h.link_lookup(ifname="lo")[0], ifalias=f"vnetlab:{lab}:{name}:{fp}")


def down(lab: str) -> list[str]:
    """Remove every namespace marked as ``lab``'s; returns their names."""
    from . import guestd
    from .sandbox import guard

    guard()
    marks = owned(lab)
    guestd.stop(lab, guestd.listen_candidates(marks))  # first: it holds the lab's devices
    removed = []
    for m in marks:
        with contextlib.suppress(OSError):
            nsutil.remove(m.netns)
            removed.append(m.netns)
    return removed
