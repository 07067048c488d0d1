"""br_netfilter and bridged IPv6 in the simulator (kernel-semantics §8.3): where a node with a
ruleset sets net.bridge.bridge-nf-call-ip6tables=1, IPv6 frames bridged between two ports of one
of its bridges pass its ip6/inet PREROUTING, FORWARD and POSTROUTING hooks, neighbour discovery
included, with the bridge as the device. Every verdict here is the one measured on the kernel in
docs/kernel-semantics-tests/br_netfilter6.sh (.out): the experiment letter is in each test."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import ROOT
from tests.sim.test_br_netfilter import consistent
from vnetlab import load, load_text
from vnetlab.sim import Simulator, sim_unsupported

pytestmark = pytest.mark.skipif(
    shutil.which("nft") is None or shutil.which("unshare") is None, reason="needs nft and unshare"
)

DOCKER6 = ROOT / "labs" / "nft-docker-bridge6.yaml"


def hub6(table: str, v4: int = 0, v6: int = 1) -> str:
    """The experiment's lab: h1 (fd00::11) and h2 (fd00::12) on ports p1, p2 of hub's br0
    (fd00::1); ``table`` hub's whole ruleset."""
    body = "\n".join("      " + line for line in table.splitlines())
    return (
        "lab: brnf6\nnodes:\n  hub:\n    interfaces:\n"
        "      br0: {kind: bridge, addresses: ['fd00::1/64']}\n"
        "      p1: {kind: veth, peer: h1/eth0, master: br0}\n"
        "      p2: {kind: veth, peer: h2/eth0, master: br0}\n"
        f"    sysctl: {{net.bridge.bridge-nf-call-iptables: {v4}, net.bridge.bridge-nf-call-ip6tables: {v6}}}\n"
        f"    nftables: |\n{body}\n"
        "  h1:\n    interfaces:\n      eth0: {kind: veth, peer: hub/p1, addresses: ['fd00::11/64']}\n"
        "  h2:\n    interfaces:\n      eth0: {kind: veth, peer: hub/p2, addresses: ['fd00::12/64']}\n"
    )


def table(family: str, hook: str, *rules: str, policy: str = "accept") -> str:
    return (
        f"table {family} t {{\n  chain c {{\n    type filter hook {hook} priority 0; policy {policy};\n"
        + "".join(f"    {r}\n" for r in rules)
        + "  }\n}"
    )


def reach(text: str, src: str, dst: str, **kw: object) -> bool:
    return Simulator(load_text(text)).probe(src, [dst], **kw)[dst]  # type: ignore[arg-type]  # why: proto/port


def test_the_dual_stack_docker_lab_keeps_its_expectations_and_trace_names_the_rule() -> None:
    lab = load(DOCKER6)
    assert sim_unsupported(lab) is None
    sim = Simulator(lab)
    for e in lab.expect:
        for res in sim.ping(e.from_, e.to, flush=True):
            assert res.ok == e.reach, (e.from_, res.dst)
    (res,) = sim.ping("vm1", "fd00:30::12", flush=True)
    drops = [h for h in res.hops if h.rule == "nft-drop"]
    assert drops, res.hops
    drop = drops[0]
    # the neighbour solicitation's flooded copy, dropped where it would leave (F)
    assert drop.device == "host/tapvm2"
    assert drop.func == "nf_hook_slow (NF_INET_FORWARD, from br_nf_forward_ip)"
    assert "bridge-nf-call-ip6tables=1" in (drop.why or "")
    assert "table inet filter chain forward (hook forward priority 0): policy drop" in (drop.why or "")
    consistent(DOCKER6.read_text())


def test_a_forward_drop_breaks_neighbour_discovery_and_the_bridge_accept_fixes_it() -> None:
    # F, F4: policy drop with established accepted only: no reach either way; the bridge's accept: reach
    broken = hub6(table("inet", "forward", "ct state established,related accept", policy="drop"))
    assert not reach(broken, "h1", "fd00::12") and not reach(broken, "h2", "fd00::11")
    fixed = hub6(table("inet", "forward", 'iifname "br0" oifname "br0" accept', policy="drop"))
    assert reach(fixed, "h1", "fd00::12")
    assert reach(fixed, "h1", "fd00::12", proto="tcp", port=80)
    # F3: with bridge-nf-call-ip6tables=0 the same drop sees no bridged IPv6
    assert reach(hub6(table("inet", "forward", policy="drop"), v4=1, v6=0), "h1", "fd00::12")
    consistent(broken)


def test_neighbour_discovery_is_untracked_and_needs_its_own_accept() -> None:
    # F1: h1's own packets accepted, h2's advertisement dropped: no reach; F2: ND accepted too:
    # h1 reaches h2 (the reply is established), h2 does not reach h1 (its request is new)
    rules = ["ct state established,related accept", 'iifname "br0" ip6 saddr fd00::11 accept']
    f1 = hub6(table("inet", "forward", *rules, policy="drop"))
    assert not reach(f1, "h1", "fd00::12") and not reach(f1, "h2", "fd00::11")
    nd = "icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept"
    f2 = hub6(table("inet", "forward", nd, *rules, policy="drop"))
    assert reach(f2, "h1", "fd00::12") and not reach(f2, "h2", "fd00::11")
    # ND is untracked: 'ct state untracked drop' alone breaks resolution
    assert not reach(hub6(table("inet", "forward", "ct state untracked drop")), "h1", "fd00::12")
    consistent(f2)


def test_the_family_of_the_table_and_of_the_switch() -> None:
    # G: an ip table never sees IPv6; G2: an ip6 table sees bridged IPv6 only with ip6tables=1
    assert reach(hub6(table("ip", "forward", policy="drop"), v4=1, v6=1), "h1", "fd00::12")
    assert reach(hub6(table("ip6", "forward", policy="drop"), v4=1, v6=0), "h1", "fd00::12")
    assert not reach(hub6(table("ip6", "forward", policy="drop"), v4=0, v6=1), "h1", "fd00::12")


def test_devices_prerouting_and_postrouting() -> None:
    # H: prerouting sees the bridge, never the port; the bridge's own address is behind it too
    port = hub6(table("ip6", "prerouting", 'iifname "p1" drop'))
    assert reach(port, "h1", "fd00::12") and reach(port, "h1", "fd00::1")
    br = hub6(table("ip6", "prerouting", 'iifname "br0" ip6 saddr fd00::11 drop'))
    assert not reach(br, "h1", "fd00::12") and not reach(br, "h1", "fd00::1")
    # H2: postrouting has no input device; its output device is the bridge
    assert reach(hub6(table("ip6", "postrouting", 'iifname "br0" drop')), "h1", "fd00::12")
    out = hub6(table("ip6", "postrouting", 'oifname "br0" ip6 daddr fd00::12 drop'))
    assert not reach(out, "h1", "fd00::12") and not reach(out, "h2", "fd00::11")
    consistent(out)


def test_the_bridges_own_address_is_input_not_forward() -> None:
    # D: a FORWARD policy drop leaves the hub's own fd00::1 reachable (PREROUTING once, INPUT)
    drop = hub6(table("inet", "forward", policy="drop"))
    assert reach(drop, "h1", "fd00::1") and not reach(drop, "h1", "fd00::12")
    # an input drop of h1's echo: the bridged one to h2 is not concerned
    inp = hub6(table("inet", "input", "icmpv6 type echo-request drop"))
    assert not reach(inp, "h1", "fd00::1") and reach(inp, "h1", "fd00::12")


def test_nat_of_bridged_ipv6_is_refused() -> None:
    nat = hub6(
        table("inet", "forward")
        + '\ntable inet n {\n  chain p {\n    type nat hook postrouting priority srcnat;\n    oifname "br0" masquerade\n  }\n}'
    )
    why = sim_unsupported(load_text(nat))
    assert why is not None and "NAT" in why
    # br_netfilter's own refusal (whichever refusal comes first while NAT on IPv6 is refused as a whole)
    from vnetlab.sim import _brnf_unsupported

    why = _brnf_unsupported(load_text(nat), None, ["hub"])
    assert why is not None and "NAT of bridged IPv6" in why and "p of table inet n" in why
    # an ip table's nat chain does not see IPv6: bridged IPv6 through the filter chains stays modelled
    nat4 = nat.replace("table inet n", "table ip n")
    assert _brnf_unsupported(load_text(nat4), None, ["hub"]) is None


def test_random_dual_stack_rulesets_matrix_equals_trace() -> None:
    """The kernel fuzz's random IPv6 labs (tests/kernel/test_br_netfilter_kernel.py): on each,
    every matrix cell is what `trace` says (the fast paths keep br_netfilter's verdicts)."""
    from tests.kernel.test_br_netfilter_kernel import CASES

    labs = [text for name, text in CASES if name.startswith("random6-")][:4]
    assert labs
    for text in labs:
        consistent(text)


def test_a_failed_dad_beside_bridged_ipv6_filtering_is_refused() -> None:
    """h1's DAD solicitation comes back through p1's hairpin and fails (enhanced DAD off); on the
    kernel that solicitation crossed hub's FORWARD chain (C) if the ruleset was loaded by then:
    timing, so exit 3. With ip6tables=0 the bridge filters no IPv6 and DAD fails as without rules."""
    from vnetlab.sim import SimCannot

    text = hub6(table("inet", "forward")).replace(
        "p1: {kind: veth, peer: h1/eth0, master: br0}",
        "p1: {kind: veth, peer: h1/eth0, master: br0, port: {hairpin: true}}",
    )
    text = text.replace(
        "addresses: ['fd00::11/64']}\n",
        "addresses: ['fd00::11/64']}\n    sysctl: {net.ipv6.conf.all.enhanced_dad: 0, net.ipv6.conf.eth0.enhanced_dad: 0}\n",
    )
    with pytest.raises(SimCannot, match="passes bridged IPv6 through netfilter"):
        Simulator(load_text(text))
    off = text.replace("net.bridge.bridge-nf-call-ip6tables: 1", "net.bridge.bridge-nf-call-ip6tables: 0")
    assert not reach(off, "h2", "fd00::11")
