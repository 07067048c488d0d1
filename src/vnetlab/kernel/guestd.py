"""The guest daemon: a lab's guests, alive as long as the lab is up.

`vnetlab up` starts one process per lab that holds every guest's descriptor
(``GuestRunner``) and answers requests from later commands (`matrix`,
`test`, `ping` from a guest) and from `down`, which stops it.

Its only mark is where it listens: the abstract Unix socket
``@vnetlab-guests:<lab>`` inside the lab's first namespace. An abstract name
belongs to a network namespace, so nothing is left in the file system, no
other lab or machine process can collide with it, and finding the daemon
needs nothing but the lab's marked namespaces. The peer's credentials
(SO_PEERCRED) give its PID, so `down` ends exactly the process vnetlab
started, by PID, if it does not leave when asked; and they give the daemon
its clients' uids: an abstract socket has no file permissions, so the daemon
serves only root and the user who started it, and refuses anyone else.

The daemon is forked from the command that starts it, runs in its own
session, and ends on its own when its namespace is deleted behind its back,
or, started inside a sandbox, when the sandbox's process ends (it watches
that PID through a pidfd): it holds the sandbox's namespaces open, so it must
not outlive it.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import struct
import sys
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import EnvironmentProblem
from . import nsutil, sandbox

if TYPE_CHECKING:  # `down` stops daemons without loading the model
    from ..resolve import Resolved

#: how often a detached daemon checks that its namespace still exists
_WATCH_S = 1.0


PR_SET_NAME = 15
#: the daemon's process name (/proc/PID/comm)
COMM = "vnetlab-guests"


def address(lab: str) -> bytes:
    return f"\0vnetlab-guests:{lab}".encode()


def listen_candidates(marks: Sequence[Any]) -> list[str]:
    """Where a lab's daemon listens: the namespace with the lab's complete mark
    (its first). Before `up` set that mark (a crash), it may be any of them."""
    return [m.netns for m in marks if m.complete] or [m.netns for m in marks]


class GuestClient:
    """A connection to a lab's guest daemon; what ``KernelLab.guests`` holds."""

    def __init__(self, sock: socket.socket, info: dict[str, Any]):
        self.sock = sock
        self.info = info
        self._buf = b""

    @property
    def pid(self) -> int:
        return int(self.info["pid"])

    def call(self, op: str, timeout: float = 10.0, **args: Any) -> dict[str, Any]:
        self.sock.settimeout(timeout)
        try:
            self.sock.sendall(json.dumps({"op": op, **args}).encode() + b"\n")
            while b"\n" not in self._buf:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise EnvironmentProblem("the lab's guest daemon closed the connection (it stopped)")
                self._buf += chunk
        except OSError as e:
            raise EnvironmentProblem(f"the lab's guest daemon did not answer: {e}") from None
        line, self._buf = self._buf.split(b"\n", 1)
        reply: dict[str, Any] = json.loads(line)
        if "error" in reply:
            raise EnvironmentProblem(f"the lab's guest daemon: {reply['error']}")
        return reply

    def flush(self) -> None:
        self.call("flush")

    def probe(self, guest: str, dsts: Sequence[str], timeout: float) -> dict[str, bool]:
        got: dict[str, bool] = self.call("probe", timeout=timeout + 10, guest=guest, dsts=list(dsts), wait=timeout)[
            "replies"
        ]
        return got

    def close(self) -> None:
        self.sock.close()


def connect(lab: str, netnses: Sequence[str]) -> GuestClient | None:
    """The lab's running daemon, looked for in each of its namespaces; None if none runs."""
    for ns in netnses:
        try:
            with nsutil.inside(ns):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        except OSError:
            continue
        try:
            s.settimeout(2)
            s.connect(address(lab))
        except OSError:
            s.close()
            continue
        pid = struct.unpack("3i", s.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[0]
        c = GuestClient(s, {"pid": pid})
        try:
            c.info = {**c.call("info", timeout=5), "pid": pid}
        except EnvironmentProblem:
            c.info = {"pid": pid, "guests": [], "fingerprint": None}
        return c
    return None


def lost(k: Any) -> str | None:
    """Why a running lab (a ``KernelLab`` attached to it) lacks the guests it
    was brought up with: its daemon is gone (killed, or the machine's
    namespaces outlived it). What is expected of the guests cannot be checked
    then, and the lab is not the one the file describes: a failure, not a pass.
    None when the lab has no guests, its daemon runs, or its guests are the
    user's own VMs (`up --external-guests`)."""
    if not k.r.guests or k.guests is not None or k.external_guests:
        return None
    return (
        f"the guest daemon of lab {k.lab} is gone, so its guests ({', '.join(k.r.guests)}) are not there "
        "and what is expected of them was not checked; `vnetlab up` on the unchanged file starts it again"
    )


def stop(lab: str, netnses: Sequence[str], wait: float = 3.0) -> int | None:
    """Ask the lab's daemon to leave; end it by its PID if it does not. Its PID, or None."""
    c = connect(lab, netnses)
    if c is None:
        return None
    pid = c.pid
    try:
        pidfd = os.pidfd_open(pid)
    except OSError:  # already gone
        c.close()
        return pid
    with contextlib.suppress(EnvironmentProblem, OSError):
        c.call("stop", timeout=wait)
    c.close()
    try:
        if not select.select([pidfd], [], [], wait)[0]:
            # the peer of the lab's own socket is the daemon vnetlab started: end it by PID
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
            select.select([pidfd], [], [], wait)
    finally:
        os.close(pidfd)
    return pid


def start(r: Resolved, netns: dict[str, str], listen_ns: str, fingerprint: str) -> GuestClient:
    """Start the lab's daemon and return a connection to it, or raise why it could not start.

    The daemon is forked (a fresh interpreter would cost seconds of imports;
    under software emulation, minutes). It keeps none of the caller's
    descriptors: each is pointed at /dev/null (not closed, so a stale object
    closing its number later cannot hit one of the daemon's own), and it
    says "ok" (or why not) on a pipe once its guests hold their devices.
    """
    ready_r, ready_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(ready_r)
            os.setsid()
            if os.fork():  # the daemon is the grandchild: nobody has to wait for it
                os._exit(0)
            _detach_fds(keep={ready_w})
            nsutil._libc.prctl(PR_SET_NAME, COMM.encode(), 0, 0, 0)  # what `ps -o comm` shows
            owner = os.environ.get(sandbox.IN_SANDBOX, "")
            _serve(r, netns, listen_ns, fingerprint, int(owner) if owner.isdigit() else None, ready_w)
        except BaseException as e:
            with contextlib.suppress(OSError):
                msg = str(e) if isinstance(e, (OSError, EnvironmentProblem)) else f"{type(e).__name__}: {e}"
                os.write(ready_w, msg.encode() or b"failed")
            os._exit(1)
        os._exit(0)
    os.close(ready_w)
    os.waitpid(pid, 0)
    with os.fdopen(ready_r, "rb") as fh:
        msg = fh.read(4096).decode()  # "ok", or why it failed; EOF if it died
    if msg != "ok":
        raise EnvironmentProblem(f"the guests of lab {r.lab.lab} could not start: {msg or 'the process died'}")
    c = connect(r.lab.lab, [listen_ns])
    if c is None:
        raise EnvironmentProblem(f"the guests of lab {r.lab.lab} started but do not answer")
    return c


def _detach_fds(keep: set[int]) -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd not in keep and fd != devnull:
            with contextlib.suppress(OSError):
                os.dup2(devnull, fd, inheritable=fd < 3)


def _serve(
    r: Resolved, netns: dict[str, str], listen_ns: str, fingerprint: str, owner_pid: int | None, ready_w: int
) -> None:
    from .guest import GuestRunner

    with nsutil.inside(listen_ns):
        lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
    try:
        lsock.bind(address(r.lab.lab))
    except OSError as e:
        raise EnvironmentProblem(f"another guest daemon already serves lab {r.lab.lab} ({e.strerror})") from None
    lsock.listen(16)
    runner = GuestRunner(r, netns.__getitem__)
    stop_r, stop_w = os.pipe()
    watched: list[socket.socket | int] = [lsock, stop_r]
    if owner_pid is not None:
        watched.append(os.pidfd_open(owner_pid))  # ESRCH: the sandbox is already gone
    info = {"lab": r.lab.lab, "pid": os.getpid(), "guests": sorted(r.guests), "fingerprint": fingerprint}

    def handle(conn: socket.socket) -> None:
        buf = b""
        refusal = _refusal(conn, r.lab.lab)
        if refusal is not None:  # one answer, whatever was asked, and nothing read beyond it
            with conn, contextlib.suppress(OSError):
                conn.settimeout(2)
                conn.recv(65536)
                conn.sendall(json.dumps({"error": refusal}).encode() + b"\n")
            return
        with conn:
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    return
                if not chunk:
                    return
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    req = json.loads(line)
                    with contextlib.suppress(OSError):
                        conn.sendall(json.dumps(_answer(runner, info, req)).encode() + b"\n")
                    if req.get("op") == "stop":
                        os.write(stop_w, b"x")
                        return

    os.write(ready_w, b"ok")
    os.close(ready_w)
    try:
        while True:
            ready = select.select(watched, [], [], _WATCH_S)[0]
            if any(fd in ready for fd in watched[1:]):
                return  # asked to stop, or the sandbox it lives in ended
            if lsock in ready:
                conn, _ = lsock.accept()
                threading.Thread(target=handle, args=(conn,), daemon=True).start()
            elif not nsutil.exists(listen_ns):
                return  # the lab was deleted without `vnetlab down`
    finally:
        lsock.close()
        runner.close()


def peer_uid(conn: socket.socket) -> int:
    """The uid of the process at the other end (SO_PEERCRED: pid, uid, gid)."""
    return int(struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[1])


def _refusal(conn: socket.socket, lab: str) -> str | None:
    """Only root and the user who started the daemon may use it (stop it,
    probe from its guests): an abstract socket has no file permissions, and
    any process in the namespace can connect."""
    uid = peer_uid(conn)
    if uid in (0, os.getuid()):
        return None
    return (
        f"permission denied: uid {uid} may not use the guest daemon of lab {lab} "
        f"(only root and uid {os.getuid()}, who started it)"
    )


def _answer(runner: Any, info: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    op = req.get("op")
    try:
        if op == "info":
            return info
        if op == "flush":
            runner.flush()
            return {"ok": True}
        if op == "probe":
            return {"replies": runner.probe(req["guest"], req["dsts"], float(req.get("wait", 1.0)))}
        if op == "stop":
            return {"ok": True}
        if op == "dad":  # the guests' addresses that failed duplicate address detection
            return {"failed": runner.dad_failed()}
        if op == "fingerprint":  # the lab was changed in place around the guests it serves
            info["fingerprint"] = str(req["fingerprint"])
            return {"ok": True}
    except Exception as e:  # a bad request must not take the lab's guests down
        return {"error": f"{type(e).__name__}: {e}"}
    return {"error": f"unknown request {op!r}"}
