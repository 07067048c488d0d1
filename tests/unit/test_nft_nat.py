"""NAT on the simulator (sim/nft.py nat chains, sim/conntrack.py, sim/stack.py hooks):
the shipped NAT labs' verdicts and traces, the conntrack bindings (un-NAT of
replies, echo-id clash), the NAT hook's fixed priority, and refusals (exit 3)
of what is not modelled. The kernel side of the same labs runs in
tests/kernel/test_kernel_labs.py and the nft fuzzer."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import ROOT
from vnetlab import load, load_text, resolve
from vnetlab.sim import Simulator, sim_unsupported
from vnetlab.sim.conntrack import DST, ORIGINAL, REPLY, SRC, Conntrack, invert

pytestmark = pytest.mark.skipif(shutil.which("nft") is None, reason="needs nft (nftables)")

LABS = ROOT / "labs"
ICMP = 1


def _ip(s: str) -> int:
    a, b, c, d = (int(x) for x in s.split("."))
    return a << 24 | b << 16 | c << 8 | d


def _sim(name: str) -> Simulator:
    return Simulator(resolve(load(LABS / name)))


@pytest.mark.parametrize(
    ("lab", "src", "dst", "reach"),
    [
        ("nft-nat-masquerade.yaml", "lanhost", "198.51.100.20", True),
        ("nft-nat-no-masquerade.yaml", "lanhost", "198.51.100.20", False),
        ("nft-nat-hairpin-broken.yaml", "outside", "198.51.100.1", True),
        ("nft-nat-hairpin-broken.yaml", "client", "198.51.100.1", False),
        ("nft-nat-hairpin-fixed.yaml", "client", "198.51.100.1", True),
        ("nft-nat-hairpin-fixed.yaml", "server", "198.51.100.1", True),
        ("nft-nat-dnat.yaml", "r", "203.0.113.7", True),
        ("nft-nat-dnat.yaml", "r", "203.0.113.8", True),
        ("nft-nat-dnat.yaml", "outside", "203.0.113.9", True),
        ("nft-nat-dnat.yaml", "outside", "203.0.113.7", False),
    ],
)
def test_nat_labs_verdicts(lab: str, src: str, dst: str, reach: bool) -> None:
    assert _sim(lab).probe(src, [dst])[dst] is reach


def test_trace_names_the_rule_and_the_translation() -> None:
    sim = _sim("nft-nat-hairpin-fixed.yaml")
    (res,) = sim.ping("client", "198.51.100.1", flush=True)
    assert res.ok
    whys = [h.why or "" for h in res.hops if h.direction == "nat"]
    assert any(
        "table ip nat chain prerouting" in w
        and "rule 'ip daddr 198.51.100.1 icmp type echo-request dnat to 192.0.2.20' → dnat" in w
        and "IPv4 192.0.2.10 > 198.51.100.1 echo request id 1 -> IPv4 192.0.2.10 > 192.0.2.20 echo request id 1" in w
        for w in whys
    ), whys
    assert any("snat to 192.0.2.1' → snat" in w and "-> IPv4 192.0.2.1 > 192.0.2.20" in w for w in whys), whys
    # the reply is un-NATed twice by the entry (destination at prerouting, source at postrouting)
    assert any("un-NATed (a reply)" in w and "-> IPv4 198.51.100.1 > 192.0.2.10 echo reply" in w for w in whys)


def test_hairpin_broken_trace_says_why() -> None:
    (res,) = _sim("nft-nat-hairpin-broken.yaml").ping("client", "198.51.100.1", flush=True)
    assert not res.ok
    assert any(h.rule == "reply-other-source" for h in res.hops), [h.rule for h in res.hops]


def test_masquerade_picks_the_out_interface_address() -> None:
    sim = _sim("nft-nat-masquerade.yaml")
    (res,) = sim.ping("lanhost", "198.51.100.20", flush=True)
    assert res.ok
    masq = [h for h in res.hops if h.direction == "nat" and "masquerade" in (h.why or "")]
    assert masq and "-> IPv4 198.51.100.1 > 198.51.100.20" in (masq[0].why or "")


def test_conntrack_un_nats_replies_and_remaps_a_clashing_echo_id() -> None:
    ct = Conntrack()
    a, b, pub, srv = _ip("192.0.2.2"), _ip("192.0.2.3"), _ip("198.51.100.1"), _ip("198.51.100.2")
    first = ct.lookup((ICMP, a, srv, 4660, 8))
    assert first.state == "new" and first.entry is not None
    ct.bind(first.entry, DST, None)
    ct.bind(first.entry, SRC, pub)
    assert Conntrack.rewrite(first.entry, ORIGINAL, SRC, a, srv, 4660, 8) == (pub, srv, 4660, 8)
    ct.confirm(first)
    second = ct.lookup((ICMP, b, srv, 4660, 8))
    assert second.entry is not None
    ct.bind(second.entry, DST, None)
    ct.bind(second.entry, SRC, pub)
    new = Conntrack.rewrite(second.entry, ORIGINAL, SRC, b, srv, 4660, 8)
    assert new is not None and new[0] == pub and new[2] != 4660  # the id clashed: remapped
    ct.confirm(second)
    # each reply finds its own entry and is un-NATed back (destination and id)
    for got, host in ((first, a), (second, b)):
        assert got.entry is not None
        reply = ct.lookup(invert(got.entry.translated()))
        assert reply.dir == REPLY and reply.state == "established" and reply.entry is got.entry
        _, _, _, rid, _ = got.entry.reply
        assert Conntrack.rewrite(got.entry, REPLY, DST, srv, pub, rid, 0) == (srv, host, 4660, 0)
    # a later request of the first connection is established, translated from the entry
    again = ct.lookup((ICMP, a, srv, 4660, 8))
    assert again.entry is first.entry and again.state == "established"


def test_nat_chains_run_at_the_nat_hooks_fixed_priority() -> None:
    """A prerouting nat chain at priority 10 still DNATs before a filter chain at 0 (measured:
    kernel-semantics §8), so a filter on the translated address sees it."""
    text = (LABS / "nft-nat-dnat.yaml").read_text()
    text = text.replace(
        "chain prerouting {\n          type nat hook prerouting priority dstnat;",
        "chain prerouting {\n          type nat hook prerouting priority 10;",
    ).replace(
        "      table ip nat {\n",
        "      table ip f {\n        chain pre {\n          type filter hook prerouting priority 0; policy accept;\n"
        "          ip daddr 192.0.2.20 icmp type echo-request drop\n        }\n      }\n      table ip nat {\n",
    )
    sim = Simulator(resolve(load_text(text)))
    assert sim.probe("outside", ["198.51.100.1"])["198.51.100.1"] is False
    assert sim.probe("outside", ["203.0.113.9"])["203.0.113.9"] is True


@pytest.mark.parametrize(
    ("stmt", "named"),
    [
        ("snat to 198.51.100.1-198.51.100.3", 'the address {"range"'),
        ("masquerade random", "the statement 'masquerade' with"),
        ("masquerade persistent", "the statement 'masquerade' with"),
    ],
)
def test_what_is_not_modelled_is_refused(stmt: str, named: str) -> None:
    text = (LABS / "nft-nat-masquerade.yaml").read_text().replace('oifname "wan" masquerade', f'oifname "wan" {stmt}')
    why = sim_unsupported(load_text(text))
    assert why is not None and named in why, why


def test_a_filter_chain_at_the_nat_hooks_priority_is_refused() -> None:
    text = (LABS / "nft-nat-masquerade.yaml").read_text()
    text = text.replace(
        "      table ip nat {\n",
        "      table ip f {\n        chain post {\n          type filter hook postrouting priority 100; policy accept;\n"
        "        }\n      }\n      table ip nat {\n",
    )
    why = sim_unsupported(load_text(text))
    assert why is not None and "a postrouting filter chain at priority 100, the NAT hook's own" in why, why


def test_a_nat_chain_alone_does_not_turn_conntrack_on() -> None:
    """Without a NAT statement or a ct expression the namespace has no conntrack, and the NAT
    hook lets every packet through without running the nat chains (kernel-semantics §8)."""
    lab = load(ROOT / "tests" / "differential" / "regressions" / "nft-nat-chain-without-conntrack.yaml")
    got = Simulator(resolve(lab)).probe("a", ["192.0.2.20", "198.51.100.20"])
    assert got == {"192.0.2.20": True, "198.51.100.20": False}
