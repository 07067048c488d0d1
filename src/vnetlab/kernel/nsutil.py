"""Named network namespaces through the kernel's own calls (no fork, no `ip`).

A named namespace is a bind mount of a namespace file on /run/netns/NAME,
as `ip netns add` makes it. Creating one is unshare(CLONE_NEWNET) in this
thread, the bind mount, and setns back: a few system calls, so a lab of
hundreds of nodes comes up quickly. ``inside(name)`` runs code with this
thread in a namespace (sockets opened there stay bound to it).
"""

from __future__ import annotations

import ctypes
import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress

NETNS_RUN_DIR = "/run/netns"
CLONE_NEWNET = 0x40000000
CLONE_NEWNS = 0x00020000
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_SHARED = 1 << 20
MNT_DETACH = 2

_libc = ctypes.CDLL(None, use_errno=True)


def _check(ret: int, what: str) -> None:
    if ret != 0:
        e = ctypes.get_errno()
        raise OSError(e, f"{what}: {os.strerror(e)}")


def unshare(flags: int) -> None:
    _check(_libc.unshare(flags), "unshare")


def setns(fd: int, nstype: int = CLONE_NEWNET) -> None:
    _check(_libc.setns(fd, nstype), "setns")


def mount(src: str, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    _check(
        _libc.mount(
            src.encode(), target.encode(), fstype.encode() if fstype else None, flags, data.encode() if data else None
        ),
        f"mount {target}",
    )


def umount(target: str) -> None:
    _check(_libc.umount2(target.encode(), MNT_DETACH), f"umount {target}")


def path(name: str) -> str:
    return os.path.join(NETNS_RUN_DIR, name)


def _ensure_run_dir() -> None:
    """Like iproute2: /run/netns exists and is a shared mount point, so named
    namespaces are seen from every mount namespace that shares it."""
    os.makedirs(NETNS_RUN_DIR, mode=0o755, exist_ok=True)
    with open("/proc/self/mountinfo") as fh:
        if any(line.split()[4] == NETNS_RUN_DIR for line in fh):
            return
    mount(NETNS_RUN_DIR, NETNS_RUN_DIR, None, MS_BIND | MS_REC)
    with suppress(OSError):
        mount("none", NETNS_RUN_DIR, None, MS_SHARED | MS_REC)


def exists(name: str) -> bool:
    return os.path.exists(path(name))


def list_names() -> list[str]:
    try:
        return sorted(os.listdir(NETNS_RUN_DIR))
    except FileNotFoundError:
        return []


def create(name: str) -> None:
    """Create the named namespace ``name``; EEXIST if it is there already."""
    _ensure_run_dir()
    p = path(name)
    fd = os.open(p, os.O_RDONLY | os.O_CREAT | os.O_EXCL, 0)
    os.close(fd)
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    try:
        unshare(CLONE_NEWNET)
        try:
            mount("/proc/thread-self/ns/net", p, None, MS_BIND)
        finally:
            setns(home)
    except OSError:
        with suppress(OSError):
            os.unlink(p)
        raise
    finally:
        os.close(home)


def remove(name: str) -> None:
    """Unmount and unlink a named namespace; the kernel frees it with its last user."""
    p = path(name)
    try:
        umount(p)
    except OSError as e:
        if e.errno not in (errno.EINVAL, errno.ENOENT):
            raise
    with suppress(FileNotFoundError):
        os.unlink(p)


@contextmanager
def inside(name: str) -> Iterator[None]:
    """Run the body with this thread in namespace ``name``."""
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    fd = os.open(path(name), os.O_RDONLY)
    try:
        setns(fd)
        yield
    finally:
        setns(home)
        os.close(fd)
        os.close(home)


@contextmanager
def inside_fd(fd: int) -> Iterator[None]:
    """Run the body with this thread in the network namespace open as ``fd``."""
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    try:
        setns(fd)
        yield
    finally:
        setns(home)
        os.close(home)
