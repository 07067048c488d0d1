"""Guests on the kernel: the simulator's own IP stack on a real descriptor.

A guest is what QEMU would be: a program holding the tap's (``/dev/net/tun``,
IFF_TAP|IFF_NO_PI, attached by name in the node's namespace) or the
macvtap's (its own character device, found by major:minor in its namespace's
sysfs; never the machine-wide ``/dev/tap<ifindex>``) descriptor. Here it is
``sim.stack.Stack`` — the same code the simulator runs, not a second copy —
fed with the frames read from the descriptor and writing the frames it sends.
One thread serves every guest of a lab; it answers ARP, Neighbour Discovery and
echo requests (IPv4 and IPv6) and sends echo requests for probes from a guest. In
a lab with IPv6 addresses a guest has IPv6 on, as a node does: its link-local
address from its MAC, and duplicate address detection of each address when it
starts (``Stack6.dad_start``, the simulator's own).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import select
import stat
import struct
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import EnvironmentProblem
from ..resolve import Resolved
from ..sim.frame import HOST, Frame, decode, encode
from ..sim.stack import Stack, guest_stack
from ..sim.world import Device, World, eth_type_trans
from . import nsutil

TUNSETIFF = 0x400454CA
#: the Ethernet header a tun guest's packets are given (and stripped of) around the stack
_L3_HEADER = b"\x00" * 12 + b"\x08\x00"
_L3_HEADER6 = b"\x00" * 12 + b"\x86\xdd"
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000


class _FdNic(Device):
    """A guest's NIC: the tap's, tun's or macvtap's descriptor."""

    def __init__(self, world: World, guest: str, mac: str, fd: int, l3: bool):
        super().__init__(world, guest, "eth0", mac)
        self.fd = fd
        #: a tun: bare IP packets, no ARP (the stack sees them behind a made-up Ethernet header)
        self.l3 = l3
        self.noarp = l3


class _FdWorld(World):
    """The world of the guests' stacks: real descriptors, no queue, no clock, never traced."""

    def defer(self, fn: Callable[..., None], *args: Any) -> None:
        fn(*args)

    def dev_queue_xmit(self, dev: Device, frame: Frame) -> None:
        assert isinstance(dev, _FdNic)  # a guest's stack has its NIC only
        # a device gone or a full queue loses the frame, as on a real NIC
        data = encode(frame)
        with contextlib.suppress(OSError):
            os.write(dev.fd, data[len(_L3_HEADER) :] if dev.l3 else data)


class GuestRunner:
    """All guests of a lab, on their devices' descriptors, served by one thread."""

    def __init__(self, r: Resolved, netns_of: Callable[[str], str]):
        # Every frame a guest gets or sends goes through dpkt (sim.frame imports it lazily): import
        # it now, not on the first frame, or a slow import (seconds in the full-kernel VM) makes
        # the lab's first ping time out.
        import dpkt  # noqa: F401

        self.r = r
        self.world = _FdWorld()
        self.stacks: dict[str, Stack] = {}
        self.nics: dict[int, tuple[_FdNic, Stack]] = {}
        self.lock = threading.Lock()
        self._stop = os.pipe()
        self._ident = 0
        dad: list[tuple[Device, Frame]] = []
        for name, g in r.guests.items():
            node, ifname = g.device
            fd = open_device(r.ifaces[g.device].kind, netns_of(node), ifname)
            nic = _FdNic(self.world, name, g.mac, fd, l3=r.ifaces[g.device].kind == "tun")
            st = guest_stack(self.world, g.guest, nic)
            if r.uses_v6:  # IPv6 on in every namespace and guest of a lab with an IPv6 address
                st.enable_ipv6().dev_rank = {"lo": 0, nic.name: 1}
            st.finalize()
            if st.v6 is not None:
                dad += st.v6.dad_start()
            self.stacks[name] = st
            self.nics[fd] = (nic, st)
        #: when the guests' duplicate address detection ends (their solicitations are sent now,
        #: the first thing a guest does on a link that just came up; the kernel's retransmit
        #: timer is 1 s: addrconf_dad_work, RETRANS_TIMER)
        self._dad_until = time.monotonic() + 1.0 if dad else None
        #: set when the guests' DAD is over (``_dad_end``), or at once if none runs
        self._dad_done = threading.Event()
        if not dad:
            self._dad_done.set()
        for dev, frame in dad:
            self.world.dev_queue_xmit(dev, frame)
        self.thread = threading.Thread(target=self._loop, name="vnetlab-guests", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        fds = [*self.nics, self._stop[0]]
        while True:
            wait = None if self._dad_until is None else max(0.0, self._dad_until - time.monotonic())
            ready, _, _ = select.select(fds, [], [], wait)
            if self._stop[0] in ready:
                return
            if self._dad_until is not None and time.monotonic() >= self._dad_until:
                self._dad_end()
            for fd in ready:
                try:
                    buf = os.read(fd, 65536)
                except OSError:
                    continue
                nic, st = self.nics[fd]
                if nic.l3:  # a tun descriptor carries bare IP packets, the version in their first nibble
                    buf = (_L3_HEADER6 if buf[:1] and buf[0] >> 4 == 6 else _L3_HEADER) + buf
                frame = decode(buf)
                if frame is None:
                    continue
                with self.lock:
                    st.receive(nic, frame, HOST if nic.l3 else eth_type_trans(nic, frame))

    def _dad_end(self) -> None:
        with self.lock:
            self._dad_until = None
            for st in self.stacks.values():
                if st.v6 is not None:
                    st.v6.dad_end()
        self._dad_done.set()

    def dad_failed(self) -> list[str]:
        """The guests' addresses that failed duplicate address detection (waits for its end)."""
        from ..sim.ipv6 import a6

        until = self._dad_until
        if until is not None:  # the serving thread ends it; a second of grace if it is late
            self._dad_done.wait(timeout=max(0.0, until + 1.0 - time.monotonic()))
        with self.lock:
            return [
                f"{name}/{dev.name} {a6(ip)}"
                for name, st in self.stacks.items()
                if st.v6 is not None
                for (dev, ip) in st.v6.dad_failed
            ]

    def flush(self) -> None:
        with self.lock:
            for st in self.stacks.values():
                st.flush_dynamic()

    def probe(self, guest: str, dsts: Sequence[str], timeout: float) -> dict[str, bool]:
        st = self.stacks[guest]
        ids: dict[str, tuple[int, int]] = {}
        with self.lock:
            self._ident += 1  # one echo id per row, a sequence number per address (as kernel/probe.py)
            for seq, d in enumerate(dsts, 1):
                ids[d] = (self._ident, seq)
                st.ping_address(d, self._ident, seq)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not all(i in st.replies for i in ids.values()):
            time.sleep(0.005)
        with self.lock:
            st.expire_incomplete()
            got = {d: i in st.replies for d, i in ids.items()}
            for i in ids.values():  # the daemon lives as long as the lab: keep nothing of a row read
                st.replies.discard(i)
                st.pinged.pop(i, None)
            return got

    def close(self) -> None:
        os.write(self._stop[1], b"x")
        self.thread.join(timeout=2)
        for fd in self.nics:
            os.close(fd)
        os.close(self._stop[0])
        os.close(self._stop[1])


def open_device(kind: str, netns: str, ifname: str) -> int:
    """Attach to a tap by name, or open a macvtap's own character device.

    A macvtap's device is not looked up as ``/dev/tap<ifindex>``: that name is
    one for the whole machine (devtmpfs), but ifindexes are per namespace, so
    two labs (or two sandboxes) with a macvtap of the same ifindex share it and
    it is the device of whichever came first. Its major:minor is read from a
    sysfs that shows the macvtap's own namespace, and the descriptor is opened
    on a node made with that number in a file system nobody else sees."""
    with nsutil.inside(netns):
        if kind in ("tap", "tun"):
            fd = os.open("/dev/net/tun", os.O_RDWR)
            flags = (IFF_TAP if kind == "tap" else 0x0001) | IFF_NO_PI
            fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", ifname.encode(), flags))
            return fd
        from pyroute2 import IPRoute

        with IPRoute() as h:
            index = h.link_lookup(ifname=ifname)[0]
        try:
            sysfs = _detached_mount("sysfs")  # shows the namespace of whoever makes it: this one
        except OSError as e:
            raise _no_detached_mounts(e, ifname) from None
    name = f"tap{index}"
    try:
        try:
            major, minor = map(int, _read_at(sysfs, f"class/net/{ifname}/{name}/dev").split(":"))
        finally:
            os.close(sysfs)
        try:
            tmp = _detached_mount("tmpfs")
        except OSError as e:
            raise _no_detached_mounts(e, ifname) from None
        try:
            os.mknod(name, 0o600 | stat.S_IFCHR, os.makedev(major, minor), dir_fd=tmp)
            try:
                fd = os.open(name, os.O_RDWR | os.O_CLOEXEC, dir_fd=tmp)
            finally:
                os.unlink(name, dir_fd=tmp)
        finally:
            os.close(tmp)  # the file system, mounted nowhere, goes with its last descriptor
    except OSError as e:
        raise EnvironmentProblem(
            f"cannot open the character device of macvtap {ifname} ({name}) for its guest: {e.strerror}"
        ) from None
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", b"", IFF_TAP | IFF_NO_PI))  # no virtio-net header
    return fd


# the new mount API (Linux 5.2): a file system mounted nowhere, reached through a descriptor.
# Its system call numbers are the same on every architecture.
_SYS_FSOPEN, _SYS_FSCONFIG, _SYS_FSMOUNT = 430, 431, 432
_FSCONFIG_CMD_CREATE = 6
_FSOPEN_CLOEXEC = _FSMOUNT_CLOEXEC = 1
_syscall = nsutil._libc.syscall
_syscall.restype = ctypes.c_long


def _sys(*args: Any) -> int:
    ret = int(_syscall(*args))
    if ret < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return ret


def _detached_mount(fstype: str) -> int:
    """A new ``fstype`` file system attached to no mount point (fsopen, fsmount):
    a descriptor of its root, seen by nobody else, gone when it is closed. A
    sysfs made this way shows the network namespace of the calling thread."""
    fs = _sys(_SYS_FSOPEN, fstype.encode(), _FSOPEN_CLOEXEC)
    try:
        _sys(_SYS_FSCONFIG, fs, _FSCONFIG_CMD_CREATE, None, None, 0)
        return _sys(_SYS_FSMOUNT, fs, _FSMOUNT_CLOEXEC, 0)
    finally:
        os.close(fs)


def _no_detached_mounts(e: OSError, ifname: str) -> EnvironmentProblem:
    if e.errno == errno.ENOSYS:
        return EnvironmentProblem(
            f"cannot open the character device of macvtap {ifname}: this kernel lacks the new mount API "
            "(fsopen/fsmount, Linux 5.2)"
        )
    return EnvironmentProblem(f"cannot open the character device of macvtap {ifname}: {e.strerror}")


def _read_at(dir_fd: int, path: str) -> str:
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC, dir_fd=dir_fd)
    try:
        return os.read(fd, 64).decode()
    finally:
        os.close(fd)
