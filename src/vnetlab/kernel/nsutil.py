"""Named network namespaces through the kernel's own calls (no fork, no `ip`).

A named namespace is a bind mount of a namespace file on /run/netns/NAME,
as `ip netns add` makes it. Creating one is unshare(CLONE_NEWNET) in this
thread, the bind mount, and setns back: a few system calls, so a lab of
hundreds of nodes comes up quickly. ``inside(name)`` runs code with this
thread in a namespace (sockets opened there stay bound to it).

Crash safety. A process killed at any system call must leave nothing that
cannot be told apart from someone else's namespace. So with a ``mark``:

- the file /run/netns/NAME appears with the mark as its content, in one
  step: written to an anonymous file (O_TMPFILE) and linked into place
  (linkat, which fails if the name exists);
- the namespace is set up (``setup``, which marks its ``lo``) while only
  this thread is in it, before the bind mount publishes it; a kill before
  the mount frees it with the thread;
- `remove` unmounts, then unlinks: in between, the file is the marked
  placeholder again.

At every instant a lab's name under /run/netns is a marked namespace or a
marked placeholder (``placeholder_mark`` reads it), so `down` finds it.
"""

from __future__ import annotations

import atexit
import ctypes
import errno
import json
import os
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

NETNS_RUN_DIR = "/run/netns"
CLONE_NEWNET = 0x40000000
CLONE_NEWNS = 0x00020000
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_SHARED = 1 << 20
MS_RDONLY = 1
MS_REMOUNT = 32
MNT_DETACH = 2
AT_FDCWD = -100
AT_SYMLINK_FOLLOW = 0x400
#: the most a placeholder's content (a mark) is read
MARK_MAX = 512

_libc = ctypes.CDLL(None, use_errno=True)

#: a file to which `up` and `down` write how long each phase took (benchmarks/bench_kernel.py)
PHASES_ENV = "VNETLAB_PHASES"
_phase_file = os.environ.get(PHASES_ENV)
#: phase name -> seconds spent in it (only recorded when VNETLAB_PHASES is set)
phases: dict[str, float] = {}
_phase_clock: dict[str, float] = {}


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Add the body's wall time to ``phases[name]`` (a no-op unless VNETLAB_PHASES is set)."""
    if not _phase_file:
        yield
        return
    _phase_clock.setdefault("first", time.time())
    t = time.perf_counter()
    try:
        yield
    finally:
        phases[name] = phases.get(name, 0.0) + time.perf_counter() - t


def _dump_phases() -> None:
    if _phase_file and phases:
        doc = {"phases": phases, "first": _phase_clock.get("first"), "exit": time.time()}
        with open(_phase_file, "w") as fh:
            json.dump(doc, fh)


if _phase_file:
    atexit.register(_dump_phases)


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


#: (mount namespace, device, inode) of NETNS_RUN_DIR where it was found a mount point
_RUN_DIR_OK: set[tuple[int, int, int]] = set()


def _ensure_run_dir() -> None:
    """Like iproute2: /run/netns exists and is a shared mount point, so named
    namespaces are seen from every mount namespace that shares it.

    Read from /proc/self/mountinfo once per mount namespace and directory (it grows
    by a line with each namespace mounted: read at each create, it cost `up` of a
    200-node lab some 0.05 s); a directory replaced since is another inode."""
    os.makedirs(NETNS_RUN_DIR, mode=0o755, exist_ok=True)
    st = os.stat(NETNS_RUN_DIR)
    key = (os.stat("/proc/self/ns/mnt").st_ino, st.st_dev, st.st_ino)
    if key in _RUN_DIR_OK:
        return
    with open("/proc/self/mountinfo") as fh:
        if any(line.split()[4] == NETNS_RUN_DIR for line in fh):
            _RUN_DIR_OK.add(key)
            return
    mount(NETNS_RUN_DIR, NETNS_RUN_DIR, None, MS_BIND | MS_REC)
    with suppress(OSError):
        mount("none", NETNS_RUN_DIR, None, MS_SHARED | MS_REC)


def exists(name: str) -> bool:
    return os.path.lexists(path(name))


def list_names() -> list[str]:
    try:
        return sorted(os.listdir(NETNS_RUN_DIR))
    except FileNotFoundError:
        return []


def _placeholder(p: str, mark: str | None) -> None:
    """The file a namespace is mounted on; with ``mark`` as its content from the
    moment the name exists. EEXIST if the name is taken."""
    if mark is not None:
        try:
            fd = os.open(NETNS_RUN_DIR, os.O_TMPFILE | os.O_WRONLY, 0)
        except OSError as e:
            if e.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
                raise
        else:
            try:
                os.write(fd, mark.encode() + b"\n")
                _check(
                    _libc.linkat(AT_FDCWD, f"/proc/self/fd/{fd}".encode(), AT_FDCWD, p.encode(), AT_SYMLINK_FOLLOW),
                    f"link {p}",
                )
            finally:
                os.close(fd)
            return
    # no mark asked for, or a file system without O_TMPFILE: a kill between
    # the two calls leaves an empty file (what `ip netns add` risks too)
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0)
    try:
        if mark is not None:
            os.write(fd, mark.encode() + b"\n")
    finally:
        os.close(fd)


def _own_placeholder(name: str, mark: str | None) -> None:
    """``_placeholder`` that, interrupted after the name appeared (a Ctrl-C between
    two statements), removes it again: the file carrying our mark is ours."""
    try:
        _placeholder(path(name), mark)
    except FileExistsError:
        raise
    except BaseException:
        if mark is not None and placeholder_mark(name) == mark:
            with suppress(OSError):
                os.unlink(path(name))
        raise


def placeholder_mark(name: str) -> str | None:
    """The mark written in an unmounted placeholder ``name`` (left by a create or
    remove that was killed half-way); None for a namespace or anything else."""
    try:
        fd = os.open(path(name), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        data = os.read(fd, MARK_MAX)  # a mounted namespace: EINVAL
    except OSError:
        return None
    finally:
        os.close(fd)
    text = data.decode(errors="replace")
    return text[:-1] if text.endswith("\n") and "\n" not in text[:-1] else None


def create(name: str, mark: str | None = None, setup: Callable[[], None] | None = None) -> None:
    """Create the named namespace ``name``; EEXIST if it is there already.

    ``mark`` is written into the placeholder file first; ``setup`` runs with this
    thread in the new namespace before it is mounted (made visible)."""
    with phase("up: of which netns placeholder"):
        _ensure_run_dir()
        p = path(name)
        _own_placeholder(name, mark)
    try:
        home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        try:
            with phase("up: of which netns unshare"):
                unshare(CLONE_NEWNET)
            try:
                if setup is not None:
                    setup()
                with phase("up: of which netns mount"):
                    mount("/proc/thread-self/ns/net", p, None, MS_BIND)
            finally:
                setns(home)
        finally:
            os.close(home)
    except BaseException:
        remove(name)
        raise


def bind(src: str, dst: str, mark: str | None = None, onto_placeholder: bool = False) -> None:
    """Make namespace ``src`` known as ``dst`` too (a mounted namespace file cannot
    be renamed: EBUSY). ``dst`` is made as a placeholder carrying ``mark``, or,
    with ``onto_placeholder``, is the caller's own unmounted placeholder."""
    if not onto_placeholder:
        _own_placeholder(dst, mark)
    try:
        mount(path(src), path(dst), None, MS_BIND)
    except BaseException:
        if not onto_placeholder:
            remove(dst)
        raise


def mounted(name: str) -> bool:
    p = path(name)
    with open("/proc/self/mountinfo") as fh:
        return any(line.split()[4] == p for line in fh)


def unmount(name: str) -> None:
    """Unmount a named namespace but keep its file (a placeholder); every mount
    on it, should an interrupted change have stacked two there."""
    for _ in range(64):
        try:
            umount(path(name))
        except OSError as e:
            if e.errno not in (errno.EINVAL, errno.ENOENT):
                raise
            return


def empty(name: str) -> None:
    """Delete a namespace's devices now, before it is removed while others stay.

    Netlink deletes synchronously; the namespace's own teardown runs later, in a
    kernel workqueue (cleanup_net), and until then a macvlan of it still holds its
    parent in a namespace that stays (promiscuity, address filters) and a veth's
    peer still exists there. Loopback stays; a device the kernel will not delete
    is freed with the namespace."""
    from pyroute2 import IPRoute
    from pyroute2.netlink.exceptions import NetlinkError

    try:
        with inside(name):
            h = IPRoute()
    except OSError:
        return
    try:
        for ln in h.get_links():
            if not ln["flags"] & 0x8:  # IFF_LOOPBACK
                with suppress(NetlinkError):
                    h.link("del", index=ln["index"])
    except (NetlinkError, OSError):
        pass
    finally:
        h.close()


def remove(name: str) -> None:
    """Unmount and unlink a named namespace; the kernel frees it with its last user."""
    unmount(name)
    with suppress(FileNotFoundError):
        os.unlink(path(name))


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
