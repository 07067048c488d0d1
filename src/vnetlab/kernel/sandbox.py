"""A throw-away sandbox: a child process with its own mount and network namespaces.

Inside, /run/netns is a private tmpfs, so the lab's named namespaces are
invisible outside and vanish with the child; the "root" network namespace is
a fresh, empty one; /proc/sys is read-only except /proc/sys/net, whose
entries belong to the caller's own network namespace (never the machine's):
nothing run in the sandbox can change a machine-wide sysctl. The child dies with its parent (PR_SET_PDEATHSIG), and
the kernel frees everything it made when it exits, even after SIGKILL.
Without root it also enters a new user namespace, where the kernel allows it.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from ..errors import CheckFailed, EnvironmentProblem, InputError, VnetlabError
from . import nsutil

T = TypeVar("T")
CLONE_NEWUSER = 0x10000000
PR_SET_PDEATHSIG = 1


def enter() -> None:
    """Turn the calling (freshly forked) process into a sandbox."""
    nsutil._libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    unshare_as_root(nsutil.CLONE_NEWNS | nsutil.CLONE_NEWNET)
    nsutil.mount("none", "/", None, nsutil.MS_REC | nsutil.MS_PRIVATE)
    os.makedirs(nsutil.NETNS_RUN_DIR, exist_ok=True)
    nsutil.mount("vnetlab-sandbox", nsutil.NETNS_RUN_DIR, "tmpfs", 0, "mode=0755,size=16m")
    os.makedirs("/run/vnetlab", exist_ok=True)  # a running lab's saved plan (kernel.change)
    nsutil.mount("vnetlab-sandbox", "/run/vnetlab", "tmpfs", 0, "mode=0700,size=16m")
    try:
        protect_sysctls()
    except OSError:
        if os.geteuid() == 0:
            raise
        # without root, in a user namespace: the machine's sysctls are not writable anyway
    os.environ[IN_SANDBOX] = str(os.getpid())  # what lives on in it (a guest daemon) watches this PID


def protect_sysctls() -> None:
    """/proc/sys read-only in this mount namespace, except /proc/sys/net (bind
    mounts: the first is remounted read-only, the second read-write)."""
    bind, ro = nsutil.MS_BIND | nsutil.MS_REC, nsutil.MS_REMOUNT | nsutil.MS_BIND
    nsutil.mount("/proc/sys", "/proc/sys", None, bind)
    nsutil.mount("none", "/proc/sys", None, ro | nsutil.MS_RDONLY)
    nsutil.mount("/proc/sys/net", "/proc/sys/net", None, bind)
    nsutil.mount("none", "/proc/sys/net", None, ro)


IN_SANDBOX = "VNETLAB_IN_SANDBOX"
#: set by the test suite: refuse to touch the machine's own namespaces
SANDBOX_ONLY = "VNETLAB_SANDBOX_ONLY"


def guard() -> None:
    """Refuse to change the machine's real namespaces when only sandboxes are allowed."""
    if os.environ.get(SANDBOX_ONLY) and not os.environ.get(IN_SANDBOX):
        raise EnvironmentProblem(
            "refusing to change this machine's namespaces outside a sandbox (VNETLAB_SANDBOX_ONLY is set)"
        )


def unshare_as_root(flags: int) -> None:
    """unshare(flags); without root, inside a new user namespace where we are root."""
    uid, gid = os.geteuid(), os.getegid()
    if uid != 0:
        flags |= CLONE_NEWUSER
    nsutil.unshare(flags)
    if uid != 0:
        with open("/proc/self/setgroups", "w") as fh:
            fh.write("deny")
        with open("/proc/self/uid_map", "w") as fh:
            fh.write(f"0 {uid} 1")
        with open("/proc/self/gid_map", "w") as fh:
            fh.write(f"0 {gid} 1")


def run(fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn(*args)`` in a new sandbox and return its (picklable) result."""
    sys.stdout.flush()
    sys.stderr.flush()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(r)
        try:
            enter()
            result: Any = ("ok", fn(*args))
        except VnetlabError as e:
            result = ("error", e.exit_code, str(e))
        except BaseException as e:
            result = ("crash", f"{type(e).__name__}: {e}", traceback.format_exc())
        try:
            data = pickle.dumps(result)
        except Exception as e:
            data = pickle.dumps(("crash", f"unpicklable result: {e}", ""))
        with os.fdopen(w, "wb") as fh:
            fh.write(data)
        os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as fh:
        data = fh.read()
    _, status = os.waitpid(pid, 0)
    if not data:
        raise EnvironmentProblem(f"the sandbox process died (status {status}) before it answered")
    res = pickle.loads(data)
    if res[0] == "ok":
        return res[1]
    if res[0] == "error":
        cls = {1: CheckFailed, 2: InputError}.get(res[1], EnvironmentProblem)
        raise cls(res[2])
    if os.environ.get("VNETLAB_DEBUG"):
        print(res[2], file=sys.stderr)
    raise RuntimeError(f"in the sandbox: {res[1]}")
