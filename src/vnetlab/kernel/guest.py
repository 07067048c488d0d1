"""Guests on the kernel: the simulator's own IP stack on a real descriptor.

A guest is what QEMU would be: a program holding the tap's (``/dev/net/tun``,
IFF_TAP|IFF_NO_PI, attached by name in the node's namespace) or the
macvtap's (``/dev/tapN``, N its ifindex) descriptor. Here it is
``sim.stack.Stack`` — the same code the simulator runs, not a second copy —
fed with the frames read from the descriptor and writing the frames it sends.
One thread serves every guest of a lab; it answers ARP and echo requests and
sends echo requests for probes from a guest.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import select
import struct
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import EnvironmentProblem
from ..resolve import Resolved
from ..sim.frame import HOST, Frame, decode, encode, ip_int
from ..sim.stack import Stack, guest_stack
from ..sim.world import Device, eth_type_trans
from . import nsutil

TUNSETIFF = 0x400454CA
#: the Ethernet header a tun guest's packets are given (and stripped of) around the stack
_L3_HEADER = b"\x00" * 12 + b"\x08\x00"
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000


class _FdWorld:
    """What a Stack needs from its world, over real descriptors and no clock."""

    tracing = False

    def __init__(self) -> None:
        self.captures: dict[str, Any] = {}
        self.waiting: dict[int, list[Device]] = {}
        self.dirty: set[Stack] = set()
        self.devices: dict[str, Device] = {}
        self.observed = False

    def hop(self, *a: Any, **k: Any) -> None:
        pass

    def drop(self, *a: Any, **k: Any) -> None:
        pass

    def defer(self, fn: Callable[..., None], *args: Any) -> None:
        fn(*args)

    def dev_queue_xmit(self, dev: Device, frame: Frame) -> None:
        # a device gone or a full queue loses the frame, as on a real NIC
        data = encode(frame)
        with contextlib.suppress(OSError):
            os.write(dev.fd, data[len(_L3_HEADER) :] if dev.l3 else data)  # type: ignore[attr-defined]


class GuestRunner:
    """All guests of a lab, on their devices' descriptors, served by one thread."""

    def __init__(self, r: Resolved, netns_of: Callable[[str], str]):
        self.r = r
        self.world = _FdWorld()
        self.stacks: dict[str, Stack] = {}
        self.nics: dict[int, tuple[Device, Stack]] = {}
        self.lock = threading.Lock()
        self._stop = os.pipe()
        self._ident = 0
        for name, g in r.guests.items():
            node, ifname = g.device
            fd = open_device(r.ifaces[g.device].kind, netns_of(node), ifname)
            nic = Device(self.world, name, "eth0", g.mac)  # type: ignore[arg-type]
            nic.fd = fd  # type: ignore[attr-defined]
            nic.noarp = nic.l3 = r.ifaces[g.device].kind == "tun"  # type: ignore[attr-defined]
            st = guest_stack(self.world, g.guest, nic)  # type: ignore[arg-type]
            st.finalize()
            self.stacks[name] = st
            self.nics[fd] = (nic, st)
        self.thread = threading.Thread(target=self._loop, name="vnetlab-guests", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        fds = [*self.nics, self._stop[0]]
        while True:
            ready, _, _ = select.select(fds, [], [])
            if self._stop[0] in ready:
                return
            for fd in ready:
                try:
                    buf = os.read(fd, 65536)
                except OSError:
                    continue
                nic, st = self.nics[fd]
                if nic.l3:  # type: ignore[attr-defined]
                    buf = _L3_HEADER + buf  # a tun descriptor carries bare IP packets
                frame = decode(buf)
                if frame is None:
                    continue
                with self.lock:
                    st.receive(nic, frame, HOST if nic.l3 else eth_type_trans(nic, frame))  # type: ignore[attr-defined]

    def flush(self) -> None:
        with self.lock:
            for st in self.stacks.values():
                st.flush_dynamic()

    def probe(self, guest: str, dsts: Sequence[str], timeout: float) -> dict[str, bool]:
        st = self.stacks[guest]
        ids: dict[str, int] = {}
        with self.lock:
            for d in dsts:
                self._ident += 1
                ids[d] = self._ident
                st.ping(ip_int(d), self._ident)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not all(i in st.replies for i in ids.values()):
            time.sleep(0.005)
        with self.lock:
            st.expire_incomplete()
            return {d: i in st.replies for d, i in ids.items()}

    def close(self) -> None:
        os.write(self._stop[1], b"x")
        self.thread.join(timeout=2)
        for fd in self.nics:
            os.close(fd)
        os.close(self._stop[0])
        os.close(self._stop[1])


def open_device(kind: str, netns: str, ifname: str) -> int:
    """Attach to a tap by name, or open a macvtap's character device."""
    with nsutil.inside(netns):
        if kind in ("tap", "tun"):
            fd = os.open("/dev/net/tun", os.O_RDWR)
            flags = (IFF_TAP if kind == "tap" else 0x0001) | IFF_NO_PI
            fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", ifname.encode(), flags))
            return fd
        from pyroute2 import IPRoute

        with IPRoute() as h:
            index = h.link_lookup(ifname=ifname)[0]
    dev = f"/dev/tap{index}"
    if not os.path.exists(dev):  # udev/devtmpfs did not make it: make it from sysfs
        dev = _mknod_from_sysfs(netns, ifname, index)
    try:
        try:
            fd = os.open(dev, os.O_RDWR)
        except OSError as e:
            if e.errno != errno.ENODEV or not dev.startswith("/dev/"):
                raise
            # the node is a removed macvtap's with the same ifindex (a namespace the kernel
            # is still tearing down kept it, so devtmpfs did not make ours): make our own
            dev = _mknod_from_sysfs(netns, ifname, index)
            fd = os.open(dev, os.O_RDWR)
    except OSError as e:
        raise EnvironmentProblem(f"cannot open {dev} for the guest on {ifname}: {e.strerror}") from None
    finally:
        if not dev.startswith("/dev/"):  # our temporary node: the open descriptor is all we need
            os.unlink(dev)
            os.rmdir(os.path.dirname(dev))
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", b"", IFF_TAP | IFF_NO_PI))  # no virtio-net header
    return fd


def _mknod_from_sysfs(netns: str, ifname: str, index: int) -> str:
    """Read the macvtap's major:minor from a sysfs mounted inside its namespace
    (sysfs shows the namespace of whoever mounts it) and make the node in a
    temporary directory. Only inside a sandbox, whose mounts are its own."""
    import tempfile

    base = tempfile.mkdtemp(prefix="vnetlab-tap-")
    with nsutil.inside(netns):
        nsutil.mount("sysfs", base, "sysfs", 0)
    try:
        with open(f"{base}/class/net/{ifname}/tap{index}/dev") as fh:
            major, minor = map(int, fh.read().split(":"))
    finally:
        nsutil.umount(base)
    node = f"{base}/tap{index}"
    os.mknod(node, 0o600 | 0o020000, os.makedev(major, minor))
    return node
