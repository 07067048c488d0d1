"""The simulator's DAD (sim/ipv6.py ``dad``; docs/kernel-semantics.md §11.2): which
addresses fail, and what a trace says about a failed one."""

from __future__ import annotations

from tests.kernel.test_dad_kernel import VARIANTS, _lab
from vnetlab import load_text, resolve
from vnetlab.sim import Simulator
from vnetlab.sim.ipv6 import a6, eui64


def _failed(name: str) -> set[str]:
    all_, dev, hairpin, extra, _ = VARIANTS[name]
    sim = Simulator(resolve(load_text(_lab(all_, dev, hairpin, extra))))
    v6 = sim.world.stacks["a"].v6
    assert v6 is not None

    return {a6(ip) for (_, ip) in v6.dad_failed}


def test_only_a_nonce_less_reflected_solicitation_fails_dad() -> None:
    for name, (*_, fails) in VARIANTS.items():
        got = _failed(name)
        assert bool(got) is fails, (name, got)
        if fails:
            assert "2001:db8::1" in got and any(a.startswith("fe80::") for a in got), (name, got)


def test_a_trace_to_a_failed_address_names_dad_and_the_missing_nonce(run_cli, tmp_path) -> None:
    all_, dev, hairpin, extra, _ = VARIANTS["off-both"]
    p = tmp_path / "lab.yaml"
    p.write_text(_lab(all_, dev, hairpin, extra))
    code, out, _ = run_cli("trace", str(p), "b", "2001:db8::1")
    assert code == 1, out
    assert "failed duplicate address detection" in out and "without a nonce" in out and "ndisc-dad-failed" in out
    code, out, _ = run_cli("trace", str(p), "a", "2001:db8::2")
    assert code == 1, out
    assert "no usable IPv6 address" in out and "failed DAD" in out


def test_accept_dad_2_turns_ipv6_off_on_the_device() -> None:
    all_, dev, hairpin, extra, _ = VARIANTS["off-both-accept-dad-2"]
    sim = Simulator(resolve(load_text(_lab(all_, dev, hairpin, extra))))
    v6 = sim.world.stacks["a"].v6
    assert v6 is not None
    eth0 = sim.world.devices["a/eth0"]
    assert eth0 not in v6.addrs and not any(r.dev is eth0 for r in v6.routes)
    assert (eth0, eui64(eth0.mac)) in v6.dad_failed
