"""Ownership: which namespaces belong to which lab, read from live state alone.

A lab namespace is named ``<lab>-<name>`` and its ``lo`` carries the alias
``vnetlab:<lab>:<name>[:<fingerprint>[:complete[:external-guests]]]``. `down` removes only namespaces
that carry that mark, so it works after a crash or a kill -9 half-way
through `up` (no state file), and never touches anything else. A lab with
guests also has a guest daemon, found from those namespaces (see guestd).

A create or remove killed half-way can leave the namespace's file without a
namespace mounted on it: that placeholder carries the same mark as its
content (see nsutil), so `down` removes it too and `up` is not blocked. A
change builds the new lab beside the running one, under temporary names
``<lab>-<name>.new`` (and moves the old aside as ``<lab>-<name>.old``): node
names cannot contain a dot, so these never clash with a lab's own names.

`up` and `down` of one lab exclude each other (``lock``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import struct
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

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
    #: a mounted namespace; False for a placeholder left by a killed create or remove
    live: bool = True

    @property
    def base(self) -> str:
        """The mark a namespace is created with (no complete flag): what its placeholder carries."""
        return f"vnetlab:{self.lab}:{self.name}" + (f":{self.fingerprint}" if self.fingerprint else "")

    @property
    def proper(self) -> bool:
        """A live namespace under the lab's own name (not a change's temporary one)."""
        return self.live and self.netns == f"{self.lab}-{self.name}"


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
    """The vnetlab mark on a namespace's lo (or in its placeholder), or None if it is not ours."""
    alias = _lo_alias(netns)
    live = alias is not None
    if alias is None:
        alias = nsutil.placeholder_mark(netns)
    parts = (alias or "").split(":")
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
        live,
    )


def owned(lab: str | None = None, everything: bool = False) -> list[Mark]:
    """The namespaces of a lab (of all labs), each under its own name; with
    ``everything``, also a change's temporary ones and placeholders."""
    out = []
    for name in nsutil.list_names():
        if lab is not None and not name.startswith(lab + "-"):
            continue
        m = read_mark(name)
        if m is not None and (lab is None or m.lab == lab) and (everything or m.proper):
            out.append(m)
    return out


def set_fingerprint(netns: str, lab: str, name: str, fp: str) -> None:
    from pyroute2 import IPRoute  # not imported by `down`, which needs no pyroute2

    with nsutil.inside(netns), IPRoute() as h:
        h.link("set", index=h.link_lookup(ifname="lo")[0], ifalias=f"vnetlab:{lab}:{name}:{fp}")


def stop_guests(lab: str, marks: list[Mark]) -> None:
    """Stop the lab's guest daemons: the one in the complete-marked namespace, or,
    after a crash (no complete mark, a change half-way), any of them."""
    from . import guestd

    live = [m for m in marks if m.live]
    healthy = all(m.proper for m in live) and len({m.fingerprint for m in live}) <= 1
    for ns in guestd.listen_candidates(live) if healthy else [m.netns for m in live]:
        guestd.stop(lab, [ns])


def down(lab: str) -> list[str]:
    """Remove every namespace (and placeholder) marked as ``lab``'s; returns their names."""
    from .sandbox import guard

    guard()
    with contextlib.ExitStack() as stack:
        with nsutil.phase("down: lock"):
            stack.enter_context(lock(lab))
        with nsutil.phase("down: read marks"):
            marks = owned(lab, everything=True)
        with nsutil.phase("down: stop guests"):
            stop_guests(lab, marks)  # first: a daemon holds the lab's devices
        removed = []
        with nsutil.phase("down: remove namespaces"):
            for m in marks:
                with contextlib.suppress(OSError):
                    nsutil.remove(m.netns)
                    removed.append(m.netns)
        from .labstate import drop_state  # the plan it was built from goes with it

        drop_state(lab)
        return removed


# the per-lab lock ----------------------------------------------------------------

#: how long `up`/`down` wait for another one of the same lab (seconds)
LOCK_WAIT_ENV = "VNETLAB_LOCK_WAIT"
LOCK_WAIT_DEFAULT = 60.0
_held: dict[str, tuple[socket.socket, int]] = {}


def lock_address(lab: str) -> bytes:
    return f"\0vnetlab-lock:{lab}".encode()[:108]


@contextlib.contextmanager
def lock(lab: str, wait: float | None = None) -> Iterator[None]:
    """Hold the lab's lock: an abstract Unix socket ``@vnetlab-lock:<lab>`` bound in
    the caller's network namespace. Every process that can see the same /run/netns
    from there (all of this machine's, or all of one sandbox's) meets the same name,
    nothing outside does, and the kernel releases it when the holder dies, even by
    SIGKILL: no stale lock file. Re-entrant within a process. Waits up to ``wait``
    seconds (VNETLAB_LOCK_WAIT, default 60) for another holder, then exit 3 naming
    its PID."""
    held = _held.get(lab)
    if held is not None:
        _held[lab] = (held[0], held[1] + 1)
        try:
            yield
        finally:
            s, n = _held[lab]
            _held[lab] = (s, n - 1)
        return
    if wait is None:
        try:
            wait = float(os.environ.get(LOCK_WAIT_ENV, LOCK_WAIT_DEFAULT))
        except ValueError:
            wait = LOCK_WAIT_DEFAULT
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
    deadline = time.monotonic() + wait
    told = False
    try:
        while True:
            try:
                sock.bind(lock_address(lab))
                break
            except OSError as e:
                if e.errno != errno.EADDRINUSE:
                    raise
            if not told and wait > 1:
                pid = lock_holder(lab)
                print(f"lab {lab} is busy (process {pid or '?'}); waiting up to {wait:g}s", file=sys.stderr)
                told = True
            if time.monotonic() >= deadline:
                from ..errors import EnvironmentProblem

                pid = lock_holder(lab)
                who = f"process {pid}" if pid else "another process"
                raise EnvironmentProblem(
                    f"lab {lab} is busy: {who} is running `vnetlab up` or `down` on it "
                    f"(waited {wait:g}s; {LOCK_WAIT_ENV} sets how long)"
                )
            time.sleep(0.05)
        sock.listen(16)  # only so that a waiter can learn our PID (SO_PEERCRED)
    except BaseException:
        sock.close()
        raise
    _held[lab] = (sock, 1)
    try:
        yield
    finally:
        s, n = _held.pop(lab)
        s.close()


def lock_holder(lab: str) -> int | None:
    """The PID holding the lab's lock (as this process's PID namespace sees it), or None."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC) as s:
        s.settimeout(1)
        try:
            s.connect(lock_address(lab))
        except OSError:
            return None
        pid = struct.unpack("3i", s.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[0]
        return pid or None
