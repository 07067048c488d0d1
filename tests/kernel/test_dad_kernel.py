"""IPv6 duplicate address detection behind a hairpin switch, on the kernel and the
simulator (docs/kernel-semantics.md §11.2): a node hears its own DAD solicitation
back; it fails DAD iff the solicitation has no nonce (enhanced_dad 0 on both the
device and all). Each variant's whole matrix must be the simulator's, and the
addresses `up` reports as failed must be the ones the simulator took out."""

from __future__ import annotations

import pytest

from vnetlab import load_text, resolve
from vnetlab.kernel import sandboxed_matrix
from vnetlab.sim import Simulator

LAB = """
lab: dadk
switches: {{lan: {{hairpin: {hairpin}}}}}
nodes:
  a:
    interfaces:
      eth0: {{kind: nic, switch: lan, addresses: [192.0.2.1/24, "2001:db8::1/64"]}}
    sysctl: {{{sysctl}}}
  b:
    interfaces:
      eth0: {{kind: nic, switch: lan, addresses: [192.0.2.2/24, "2001:db8::2/64"]}}
"""

# (all.enhanced_dad, eth0.enhanced_dad, hairpin, extra sysctls) -> does a's IPv6 fail?
VARIANTS = {
    "default": (None, None, True, {}, False),
    "off-both": (0, 0, True, {}, True),
    "off-all-only": (0, None, True, {}, False),
    "off-dev-only": (None, 0, True, {}, False),
    "off-both-no-hairpin": (0, 0, False, {}, False),
    "off-both-no-dad": (0, 0, True, {"net.ipv6.conf.eth0.accept_dad": 0, "net.ipv6.conf.all.accept_dad": 0}, False),
    "off-both-no-transmits": (0, 0, True, {"net.ipv6.conf.eth0.dad_transmits": 0}, False),
    "off-both-accept-dad-2": (0, 0, True, {"net.ipv6.conf.eth0.accept_dad": 2}, True),
}


def _lab(all_: int | None, dev: int | None, hairpin: bool, extra: dict[str, int]) -> str:
    sysctl = dict(extra)
    if all_ is not None:
        sysctl["net.ipv6.conf.all.enhanced_dad"] = all_
    if dev is not None:
        sysctl["net.ipv6.conf.eth0.enhanced_dad"] = dev
    body = ", ".join(f"{k}: {v}" for k, v in sysctl.items())
    return LAB.format(hairpin=str(hairpin).lower(), sysctl=body)


@pytest.mark.parametrize("name", VARIANTS)
def test_dad_behind_a_hairpin_port_matches_the_simulator(name: str) -> None:
    all_, dev, hairpin, extra, fails = VARIANTS[name]
    r = resolve(load_text(_lab(all_, dev, hairpin, extra)))
    kernel = sandboxed_matrix(r)
    sim = Simulator(r).matrix()
    assert kernel["rows"] == sim["rows"], (name, kernel["rows"], sim["rows"])
    # the measured rule itself, not only agreement: IPv6 to and from a dies with DAD
    assert kernel["rows"]["b"]["2001:db8::1"] is (not fails)
    assert kernel["rows"]["a"]["2001:db8::2"] is (not fails)
    assert kernel["rows"]["b"]["192.0.2.1"] is True  # IPv4 has no DAD
