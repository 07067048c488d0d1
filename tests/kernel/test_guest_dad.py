"""A guest's failed duplicate address detection on the kernel: the guest runner's DAD is a real
exchange on its macvtap, and ``GuestRunner.dad_failed`` waits for its end (an event, not a poll).
(A macvtap: its carrier is its lower's, so the guest's first solicitation leaves at once; a tap's
bridge port is enabled only when the carrier the descriptor brings is seen, through linkwatch.)"""

from __future__ import annotations

import subprocess
import time

from tests.conftest import ROOT

LAB = ROOT / "labs" / "v6-macvtap-guest.yaml"
VM1 = "2001:db8:6::ff:fe00:e610"


def _guest_meets_a_defended_address() -> dict:
    from vnetlab import load, resolve
    from vnetlab.kernel.guest import GuestRunner
    from vnetlab.kernel.lab import KernelLab

    r = resolve(load(LAB))
    k = KernelLab(r)
    k.up(external_guests=True)  # no daemon: the runner below is the only guest
    ns = k.netns("o")
    # o takes vm1's address first (its DAD over), so it defends it against the guest's probe
    subprocess.run(["ip", "-n", ns, "-6", "addr", "add", f"{VM1}/64", "dev", "eth0"], check=True)
    for _ in range(100):
        out = subprocess.run(["ip", "-n", ns, "-6", "addr", "show", "tentative"], capture_output=True, text=True)
        if "inet6" not in out.stdout:
            break
        time.sleep(0.05)
    t0 = time.monotonic()
    runner = GuestRunner(r, k.netns)
    try:
        failed = runner.dad_failed()
        took = time.monotonic() - t0
        again = runner.dad_failed()  # over: at once
        took_again = time.monotonic() - t0 - took
    finally:
        runner.close()
    return {"failed": failed, "again": again, "took": took, "took_again": took_again}


def test_a_guest_fails_dad_against_a_defended_address_and_dad_failed_waits_for_its_end(in_sandbox) -> None:
    f = in_sandbox(_guest_meets_a_defended_address)
    assert f["failed"] == [f"vm1/eth0 {VM1}"], f
    assert f["again"] == f["failed"]
    # DAD lasts 1 s (one probe, RETRANS_TIMER); the wait ends with it, not a second later
    assert 0.9 <= f["took"] < 1.8, f
    assert f["took_again"] < 0.1, f
