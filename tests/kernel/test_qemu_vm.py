"""One real VM: QEMU boots a Debian kernel whose only NIC is a lab's macvtap,
handed over as an open descriptor the way libvirt does it (``-netdev
tap,fd=N``). The guest configures the address the lab gives it, and the lab's
expectations towards it are checked by vnetlab's kernel probes and by a real
`ping`; the guest pings back and reports on its serial console.

Needs qemu-system-x86, a Debian linux-image (its e1000 module goes into the
initramfs) and busybox-static; skips naming what is missing. Software
emulation (no KVM): the boot takes about ten seconds.
"""

from __future__ import annotations

import glob
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from vnetlab import load, resolve
from vnetlab.kernel import KernelLab, nsutil
from vnetlab.kernel.guest import open_device

from .conftest import real_ping

LAB = str(ROOT / "labs" / "macvtap-on-veth.yaml")
GUEST = "vm1"


def _kernel_and_nic_module() -> tuple[str, str] | None:
    for vmlinuz in sorted(glob.glob("/boot/vmlinuz-*"), reverse=True):
        ver = vmlinuz.removeprefix("/boot/vmlinuz-")
        ko = Path(f"/lib/modules/{ver}/kernel/drivers/net/ethernet/intel/e1000/e1000.ko")
        if ko.exists():
            return vmlinuz, str(ko)
    return None


def _busybox() -> str | None:
    for p in (shutil.which("busybox"), "/bin/busybox", "/usr/bin/busybox"):
        if p and os.path.exists(p) and b"statically linked" in subprocess.run(["file", p], capture_output=True).stdout:
            return p
    return None


def _missing() -> str | None:
    if shutil.which("qemu-system-x86_64") is None:
        return "needs qemu-system-x86 (Debian package qemu-system-x86)"
    if _kernel_and_nic_module() is None:
        return "needs a Debian kernel image with its e1000 module (package linux-image-amd64)"
    if shutil.which("file") is None or _busybox() is None:
        return "needs a static busybox (package busybox-static) and `file`"
    if shutil.which("cpio") is None:
        return "needs cpio"
    return None


def _initramfs(workdir: str, addr: str, peer: str) -> str:
    """A busybox initramfs whose init loads e1000, configures the guest's address,
    pings the lab, says so on the serial console and waits to be killed."""
    _, ko = _kernel_and_nic_module()  # type: ignore[misc]
    root = Path(workdir) / "root"
    for d in ("bin", "proc", "sys", "dev"):
        (root / d).mkdir(parents=True)
    shutil.copy(_busybox(), root / "bin" / "busybox")  # type: ignore[arg-type]
    shutil.copy(ko, root / "e1000.ko")
    init = root / "init"
    init.write_text(
        "#!/bin/busybox sh\n"
        "/bin/busybox --install -s /bin\n"
        "mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev\n"
        "insmod /e1000.ko\n"
        "ip link set lo up; ip link set eth0 up\n"
        f"ip addr add {addr} dev eth0\n"
        "echo VNETLAB-GUEST-MAC $(cat /sys/class/net/eth0/address)\n"
        "echo VNETLAB-GUEST-READY\n"
        f"if ping -c 1 -W 2 {peer} >/dev/null 2>&1 || ping -c 2 -W 2 {peer} >/dev/null 2>&1;"
        " then echo VNETLAB-GUEST-PING-OK; else echo VNETLAB-GUEST-PING-FAIL; fi\n"
        "while true; do sleep 60; done\n"
    )
    init.chmod(0o755)
    out = Path(workdir) / "initramfs.cpio"
    files = subprocess.run(["find", "."], cwd=root, capture_output=True, text=True, check=True).stdout
    with out.open("wb") as fh:
        subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], cwd=root, input=files.encode(), stdout=fh, check=True)
    return str(out)


def _die_with_parent() -> None:
    nsutil._libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: the VM ends with its sandbox


def _console_until(p: subprocess.Popen, words: list[str], limit: float, seen: list[str]) -> None:
    assert p.stdout is not None
    deadline = time.monotonic() + limit
    buf = b""
    while time.monotonic() < deadline and not all(any(w in s for s in seen) for w in words):
        if not select.select([p.stdout], [], [], 0.5)[0]:
            continue
        chunk = os.read(p.stdout.fileno(), 4096)
        if not chunk:
            break
        buf += chunk
        *lines, buf = buf.split(b"\n")
        seen.extend(ln.decode(errors="replace").strip() for ln in lines)


def _vm_in_lab() -> dict:
    r = resolve(load(LAB))
    g = r.guests[GUEST]
    node, ifname = g.device
    k = KernelLab(r)
    facts: dict = {"up": k.up(external_guests=True), "again": k.up(external_guests=True)}
    vmlinuz, _ = _kernel_and_nic_module()  # type: ignore[misc]
    host_addr = next(t.address for t in k.targets if t.node == "host")
    with tempfile.TemporaryDirectory(prefix="vnetlab-vm-") as tmp:
        initrd = _initramfs(tmp, g.guest.addresses[0], host_addr)
        fd = open_device("macvtap", k.netns(node), ifname)  # what libvirt opens for a <interface type='direct'>
        t0 = time.monotonic()
        p = subprocess.Popen(
            ["qemu-system-x86_64", "-machine", "q35", "-m", "256", "-nodefaults", "-display", "none",
             "-serial", "stdio", "-no-reboot", "-kernel", vmlinuz, "-initrd", initrd,
             "-append", "console=ttyS0 quiet panic=-1",
             "-netdev", f"tap,id=n0,fd={fd}", "-device", f"e1000,netdev=n0,mac={g.mac}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            pass_fds=(fd,), preexec_fn=_die_with_parent,
        )  # fmt: skip
        os.close(fd)
        seen: list[str] = []
        try:
            _console_until(p, ["VNETLAB-GUEST-READY"], 180, seen)
            facts["boot_s"] = round(time.monotonic() - t0, 1)
            _console_until(p, ["VNETLAB-GUEST-PING-"], 30, seen)
            facts["outcomes"] = [
                (o.expectation.from_, o.expectation.to, o.passed, o.skipped) for o in k.evaluate(r.lab.expect)
            ]
            facts["real_ping"] = real_ping(k.netns(node), g.guest.addresses[0].split("/")[0])
            facts["matrix_row"] = k.matrix()["rows"]["host"]
        finally:
            p.kill()  # the VM this test started, by its PID
            p.wait()
        facts["console"] = seen
    facts["down"] = k.down()
    return facts


@pytest.mark.slow
@pytest.mark.skipif(_missing() is not None, reason=_missing() or "")
def test_a_real_vm_on_a_lab_macvtap(in_sandbox) -> None:
    f = in_sandbox(_vm_in_lab)
    console = "\n".join(f["console"])
    assert f["up"] == "created" and f["again"] == "no changes"
    assert "VNETLAB-GUEST-READY" in console, console[-2000:]
    assert "VNETLAB-GUEST-MAC 6a:47:6c:b4:d0:41" in console  # the guest's MAC, given to QEMU
    assert "VNETLAB-GUEST-PING-OK" in console, console[-2000:]  # the VM reaches the lab's bridge
    assert f["real_ping"] is True
    by = {(a, b): (passed, skipped) for a, b, passed, skipped in f["outcomes"]}
    assert by[("host", GUEST)] == (True, None)  # vnetlab's own probe, answered by the real VM
    assert by[(GUEST, "host")][1] and "one of your own VMs" in by[(GUEST, "host")][1]
    assert f["matrix_row"]["203.0.113.10"] is True and f["matrix_row"]["203.0.113.11"] is False
    print(f"VM booted in {f['boot_s']} s")
