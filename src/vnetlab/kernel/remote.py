"""A lab kept up in a throw-away sandbox for as long as a Python caller holds it.

``sandboxed`` runs one call in a sandbox and discards it; the Python API
(``vnetlab.kernel(lab, sandbox=True)``) needs the lab up across many calls.
``Remote`` forks a child that becomes a sandbox (kernel/sandbox.py: its own
mount and network namespaces, a private /run/netns, PR_SET_PDEATHSIG), brings
the lab up there and answers requests on a socketpair, one pickled
``(op, args)`` at a time, from a fixed table of operations. The lab lives
exactly as long as the child: ``close`` ends it, and if the caller dies (even
by SIGKILL) the kernel kills the child and frees every namespace it made.
The death signal is tied to the thread that opened it: open it from a thread
that outlives its use (normally the main thread).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import socket
import struct
import subprocess
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import CheckFailed, EnvironmentProblem, InputError, VnetlabError
from ..resolve import Resolved
from . import nsutil, preflight, sandbox


def _exec(k: Any, node: str, argv: Sequence[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    if node not in k.r.lab.nodes:
        raise InputError(f"{node!r} is not a node of lab {k.lab}")
    with nsutil.inside(k.netns(node)):  # the command inherits this thread's namespace
        try:
            return subprocess.run(list(argv), input=stdin, capture_output=True, text=True, check=False)
        except OSError as e:
            raise InputError(f"cannot run {argv[0]}: {e.strerror}") from None


#: what a caller may ask of the lab in the sandbox
OPS: dict[str, Callable[..., Any]] = {
    "probe": lambda k, src, dsts, flush: k.probe(src, dsts, flush),
    "matrix": lambda k, proto="icmp", port=None: k.matrix(proto, port),
    "evaluate": lambda k, expectations: k.evaluate(expectations),
    "status": lambda k: k.status(),
    "exec": _exec,
}


def _send(sock: socket.socket, obj: Any) -> None:
    data = pickle.dumps(obj)
    sock.sendall(struct.pack("!Q", len(data)) + data)


def _recv(sock: socket.socket) -> Any:
    head = _read(sock, 8)
    if head is None:
        return None
    body = _read(sock, struct.unpack("!Q", head)[0])
    return None if body is None else pickle.loads(body)


def _read(sock: socket.socket, n: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(min(n - len(buf), 1 << 20))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


def _reply(fn: Callable[..., Any], *args: Any) -> tuple[Any, ...]:
    try:
        return ("ok", fn(*args))
    except VnetlabError as e:
        return ("error", e.exit_code, str(e))
    except Exception as e:
        return ("crash", f"{type(e).__name__}: {e}", traceback.format_exc())


def _serve(sock: socket.socket, r: Resolved) -> None:
    from .lab import KernelLab

    k = KernelLab(r)

    def start() -> None:
        sandbox.enter()
        k.up()

    first = _reply(start)
    _send(sock, (*first[:1], os.getpid()) if first[0] == "ok" else first)
    if first[0] != "ok":
        return
    try:
        while True:
            req = _recv(sock)
            if req is None or req[0] == "close":  # closed, or the caller is gone
                return
            op, args = req
            fn = OPS.get(op)
            _send(sock, _reply(fn, k, *args) if fn else ("crash", f"no operation {op!r}", ""))
    finally:
        k.close()


class Remote:
    """A lab up in its own sandbox child; ``call`` runs an operation of ``OPS`` there."""

    def __init__(self, r: Resolved):
        preflight.require_privileges()
        preflight.require_kinds(r)
        sys.stdout.flush()
        sys.stderr.flush()
        mine, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:  # the sandbox child: never returns into the caller's code
            code = 0
            try:
                mine.close()
                _serve(theirs, r)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        theirs.close()
        self.pid = pid
        self.sock: socket.socket | None = mine
        first = _recv(mine)
        if first is None or first[0] != "ok":
            self.close()
            _raise(first)
        #: the sandbox process (its namespaces vanish with it)
        self.sandbox_pid: int = first[1]

    def call(self, op: str, *args: Any) -> Any:
        if self.sock is None:
            raise InputError("this lab was closed: it is no longer up")
        _send(self.sock, (op, args))
        res = _recv(self.sock)
        if res is None:
            self.close()
        return _raise(res) if res is None or res[0] != "ok" else res[1]

    def close(self) -> None:
        """Take the lab down: the child exits and the kernel frees its namespaces."""
        if self.sock is not None:
            with contextlib.suppress(OSError):
                _send(self.sock, ("close", ()))
            self.sock.close()
            self.sock = None
        if self.pid:
            with contextlib.suppress(ChildProcessError):
                _wait_or_kill(self.pid)
            self.pid = 0


def _wait_or_kill(pid: int, grace: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)  # our own child, by its PID
    os.waitpid(pid, 0)


def _raise(res: Any) -> Any:
    if res is None:
        raise EnvironmentProblem("the sandbox process died before it answered")
    if res[0] == "error":
        raise {1: CheckFailed, 2: InputError}.get(res[1], EnvironmentProblem)(res[2])
    if os.environ.get("VNETLAB_DEBUG"):
        print(res[2], file=sys.stderr)
    raise RuntimeError(f"in the sandbox: {res[1]}")
