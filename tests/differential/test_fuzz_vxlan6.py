"""Differential fuzzing of VXLAN over an IPv6 underlay (docs/kernel-semantics.md §11.14,
11b_vxlan6_underlay.sh): two to four VTEPs on one switch with IPv6 underlay addresses (some
with a second prefix, so the outer source without ``local`` is a choice), each with a
``remote``, ``remotes``, both or neither, ``local`` or not, ``dev`` the underlay device, a
device the route to the remotes does not use (strict without ``local``) or none, learning on
or off, two VNIs, and an IPv4, IPv6 or dual-stack overlay; the simulator's matrix against the
kernel's, the kernel as the judge. FUZZ_VX6_N examples (default 6)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.differential.fuzzing import fuzz_settings
from tests.differential.test_fuzz import ROOT_OK, compare
from vnetlab import load_text
from vnetlab.sim import sim_unsupported

pytestmark = [
    pytest.mark.kernel,
    pytest.mark.skipif(not ROOT_OK, reason="needs root or user namespaces for the kernel side"),
]


@st.composite
def vxlan6_labs(draw: st.DrawFn) -> str:
    n = draw(st.integers(2, 4))
    lines = ["lab: vx6fuzz", "switches:", "  u: {}", "nodes:"]
    for i in range(1, n + 1):
        addrs = [f'"2001:db8:ff::{i}/64"']
        if draw(st.integers(0, 4)) < 2:
            addrs.insert(draw(st.integers(0, 1)), f'"2001:db8:fe::{i}/64"')
        others = [f"2001:db8:ff::{j}" for j in range(1, n + 1) if j != i]
        opts = []
        remote = draw(st.sampled_from([None, *others]))
        if remote is not None:
            opts.append(f'remote: "{remote}"')
        remotes = [x for x in draw(st.lists(st.sampled_from(others), max_size=len(others), unique=True)) if x != remote]
        if remotes:
            opts.append("remotes: [" + ", ".join(f'"{x}"' for x in remotes) + "]")
        if remote is None or draw(st.booleans()):  # an IPv6 remote or local makes the device IPv6
            opts.append(f'local: "2001:db8:ff::{i}"')
        dev = draw(st.sampled_from([None, "eth0", "u1"]))
        if dev is not None:
            opts.append(f"dev: {dev}")
        if draw(st.integers(0, 3)) == 0:
            opts.append("learning: false")
        vni = draw(st.sampled_from([42, 42, 43]))
        overlay = draw(
            st.sampled_from(
                [[f"192.0.2.{i}/24", f'"2001:db8:42::{i}/64"'], [f"192.0.2.{i}/24"], [f'"2001:db8:42::{i}/64"']]
            )
        )
        lines += [
            f"  v{i}:",
            "    interfaces:",
            f"      eth0: {{kind: nic, switch: u, addresses: [{', '.join(addrs)}]}}",
        ]
        if dev == "u1":
            lines += [
                f'      u1: {{kind: veth, peer: v{i}/u1p, addresses: ["2001:db8:1::{i}/64"]}}',
                f"      u1p: {{kind: veth, peer: v{i}/u1}}",
            ]
        lines.append(
            f"      vx: {{kind: vxlan, vni: {vni}, {', '.join(opts)}, dstport: 4789, addresses: [{', '.join(overlay)}]}}"
        )
    return "\n".join(lines) + "\n"


@fuzz_settings(6, "FUZZ_VX6_N")
@given(vxlan6_labs())
def test_vxlan_over_an_ipv6_underlay_agrees_with_the_kernel(text: str) -> None:
    assert sim_unsupported(load_text(text)) is None, text  # the generator stays inside what is modelled
    bad = compare(text)
    assert not bad, "the simulator disagrees with the kernel:\n" + "\n".join(bad) + "\n--- lab ---\n" + text
