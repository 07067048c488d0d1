"""br_netfilter in the simulator (kernel-semantics §8.2): where a node with a ruleset sets
net.bridge.bridge-nf-call-iptables=1, IPv4 frames bridged between two ports of one of its
bridges pass its ip/inet PREROUTING, FORWARD and POSTROUTING hooks, with the bridge (never
the port) as the device. Every verdict here is the one measured on the kernel in
docs/kernel-semantics-tests/br_netfilter.sh (.out): the experiment letter is in each test."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import ROOT
from tests.sim.test_trust import oracle
from vnetlab import load, load_text, resolve
from vnetlab.sim import Simulator, sim_unsupported
from vnetlab.sim.kinds.bridge import BridgeDev
from vnetlab.sim.nft import ProbeUnsupported

pytestmark = pytest.mark.skipif(
    shutil.which("nft") is None or shutil.which("unshare") is None, reason="needs nft and unshare"
)

DOCKER = ROOT / "labs" / "nft-docker-bridge.yaml"


def hub(rules: str, brnf: int = 1, extra: str = "") -> str:
    """The experiment's lab: h1 and h2 on ports p1, p2 of hub's br0 (192.0.2.1), ``rules`` the
    body of a table ip chain."""
    body = "\n".join("      " + line for line in f"table ip t {{\n{rules}\n}}".splitlines())
    return (
        "lab: brnf\nnodes:\n  hub:\n    interfaces:\n"
        "      br0: {kind: bridge, addresses: [192.0.2.1/24]}\n"
        "      p1: {kind: veth, peer: h1/eth0, master: br0}\n"
        "      p2: {kind: veth, peer: h2/eth0, master: br0}\n"
        f"    sysctl: {{net.bridge.bridge-nf-call-iptables: {brnf}}}\n"
        f"    nftables: |\n{body}\n"
        "  h1:\n    interfaces:\n      eth0: {kind: veth, peer: hub/p1, addresses: [192.0.2.11/24]}\n"
        f"{extra}"
        "  h2:\n    interfaces:\n      eth0: {kind: veth, peer: hub/p2, addresses: [192.0.2.12/24]}\n"
    )


def chain(hook: str, *rules: str, policy: str = "accept") -> str:
    return (
        f"  chain c {{\n    type filter hook {hook} priority 0; policy {policy};\n"
        + "".join(f"    {r}\n" for r in rules)
        + "  }"
    )


def reach(text: str, src: str, dst: str) -> bool:
    return Simulator(load_text(text)).probe(src, [dst])[dst]


def consistent(text: str) -> None:
    """Every matrix cell is what `trace` of that pair says (fast path == full trace)."""
    bad = oracle(resolve(load_text(text)))
    assert not bad, bad


def test_the_docker_lab_keeps_its_expectations_and_trace_names_the_forward_rule() -> None:
    lab = load(DOCKER)
    assert sim_unsupported(lab) is None
    sim = Simulator(lab)
    for e in lab.expect:
        for res in sim.ping(e.from_, e.to, flush=True):
            assert res.ok == e.reach, (e.from_, res.dst)
    (res,) = sim.ping("vm1", "vm2", flush=True)
    (drop,) = [h for h in res.hops if h.rule == "nft-drop"]
    # the drop is explained by the chain and its policy, at the port the copy would leave by
    assert drop.device == "host/tapvm2"
    assert drop.func == "nf_hook_slow (NF_INET_FORWARD, from br_nf_forward_ip)"
    assert "bridge-nf-call-iptables=1" in (drop.why or "")
    assert "table ip filter chain FORWARD (hook forward priority 0): policy drop" in (drop.why or "")
    (res,) = sim.ping("app1", "app2", flush=True)
    (drop,) = [h for h in res.hops if h.rule == "nft-drop"]
    assert 'rule \'iifname "br-app" oifname "br-app" drop\'' in (drop.why or "")


def test_without_br_netfilter_the_docker_lab_bridges_freely() -> None:
    text = DOCKER.read_text().replace("net.bridge.bridge-nf-call-iptables: 1", "net.bridge.bridge-nf-call-iptables: 0")
    sim = Simulator(load_text(text))
    # the two expectations that br_netfilter turns around (experiment F0: no hook sees bridged frames)
    assert sim.probe("vm1", ["203.0.113.12"]) == {"203.0.113.12": True}
    assert sim.probe("app1", ["192.0.2.131"]) == {"192.0.2.131": True}
    # routed traffic is filtered either way
    assert sim.probe("c1", ["192.0.2.130"]) == {"192.0.2.130": False}
    assert sim.probe("ext", ["192.0.2.2"]) == {"192.0.2.2": False}


def test_the_docker_lab_matrix_equals_trace() -> None:
    consistent(DOCKER.read_text())


def test_forward_sees_the_bridge_never_the_port() -> None:
    # experiment G: iifname p1 / oifname p2 never match a bridged packet; br0 does
    assert reach(hub(chain("forward", 'iifname "p1" drop')), "h1", "192.0.2.12")
    assert reach(hub(chain("forward", 'oifname "p2" drop')), "h1", "192.0.2.12")
    both = hub(chain("forward", 'iif "br0" oif "br0" drop'))
    assert not reach(both, "h1", "192.0.2.12")
    (res,) = Simulator(load_text(both)).ping("h1", "h2", flush=True)
    (drop,) = [h for h in res.hops if h.rule == "nft-drop"]
    assert 'rule \'iif "br0" oif "br0" drop\'' in (drop.why or "")
    consistent(both)


def test_prerouting_sees_the_bridge_and_the_bridges_own_address_too() -> None:
    # experiment G2: prerouting iifname p1 matches nothing; iifname br0 drops the bridged packet
    # and the one to hub's own address alike (which then passes PREROUTING once only: C)
    port = hub(chain("prerouting", 'iifname "p1" drop'))
    assert reach(port, "h1", "192.0.2.12") and reach(port, "h1", "192.0.2.1")
    br = hub(chain("prerouting", 'iifname "br0" ip saddr 192.0.2.11 drop'))
    assert not reach(br, "h1", "192.0.2.12") and not reach(br, "h1", "192.0.2.1")
    assert reach(br, "h2", "192.0.2.1")
    (res,) = Simulator(load_text(br)).ping("h1", "h2", flush=True)
    (drop,) = [h for h in res.hops if h.rule == "nft-drop"]
    assert drop.device == "hub/p1" and drop.func == "nf_hook_slow (NF_INET_PRE_ROUTING, from br_nf_pre_routing)"
    consistent(br)


def test_postrouting_has_no_input_device() -> None:
    # experiment H: a bridged packet's POSTROUTING has the bridge as output and no input device
    post = hub(chain("postrouting", 'oifname "br0" ip daddr 192.0.2.12 drop'))
    assert not reach(post, "h1", "192.0.2.12")
    assert not reach(post, "h2", "192.0.2.11")  # the reply to h2 is dropped
    assert reach(post, "h1", "192.0.2.1")  # input path: hub's own address
    noin = hub(chain("postrouting", 'iifname "br0" drop'))
    assert reach(noin, "h1", "192.0.2.12")
    consistent(post)


def test_conntrack_sees_bridged_replies_as_established() -> None:
    # experiment F: forward policy drop, established accepted, only h1 may start
    rules = chain("forward", "ct state established accept", "ip saddr 192.0.2.11 accept", policy="drop")
    text = hub(rules)
    assert reach(text, "h1", "192.0.2.12")
    assert not reach(text, "h2", "192.0.2.11")
    # ARP is not IPv4: the policy does not stop it (F: h1 resolved h2)
    sim = Simulator(load_text(text))
    sim.probe("h2", ["192.0.2.11"])
    assert any(ip == 0xC000020B for (_, ip) in sim.world.stacks["h2"].neigh)
    consistent(text)


def test_bridge_nf_call_iptables_0_means_no_hook() -> None:
    rules = chain("forward", policy="drop") + "\n" + chain("prerouting", "drop").replace("chain c", "chain d")
    on, off = hub(rules, 1), hub(rules, 0)
    assert not reach(on, "h1", "192.0.2.12")
    assert reach(off, "h1", "192.0.2.12")  # experiment B: nothing bridged passes the hooks
    assert not reach(off, "h1", "192.0.2.1")  # the bridge's own address: its own prerouting
    sim = Simulator(load_text(off))
    assert not any(isinstance(d, BridgeDev) and d.brnf for d in sim.world.devices.values())


def test_a_prerouting_drop_comes_before_learning() -> None:
    # experiment L: h1's only frames (a static neighbour: no ARP) dropped in PREROUTING: br0 never learns h1
    extra = "    neighbors: [{address: 192.0.2.12, lladdr: '02:00:00:00:00:12', dev: eth0}]\n"
    text = hub(chain("prerouting", "ip saddr 192.0.2.11 drop"), extra=extra).replace(
        "addresses: [192.0.2.12/24]}", "addresses: [192.0.2.12/24], mac: '02:00:00:00:00:12'}"
    )
    sim = Simulator(load_text(text))
    assert sim.probe("h1", ["192.0.2.12"]) == {"192.0.2.12": False}
    h1mac = sim.world.devices["h1/eth0"].mac
    br = sim.world.devices["hub/br0"]
    assert isinstance(br, BridgeDev)
    assert all(mac != h1mac for mac, _ in br.fdb)
    accept = text.replace("ip saddr 192.0.2.11 drop", "ip saddr 192.0.2.99 drop")
    sim = Simulator(load_text(accept))
    assert sim.probe("h1", ["192.0.2.12"]) == {"192.0.2.12": True}
    br = sim.world.devices["hub/br0"]
    assert isinstance(br, BridgeDev)
    assert any(mac == h1mac for mac, _ in br.fdb)


def test_what_is_not_modelled_is_refused_by_name() -> None:
    # bridged IPv6 is modelled (test_br_netfilter6.py); without IPv6 addresses the switch changes nothing
    v4only = hub(chain("forward")).replace("bridge-nf-call-iptables: 1", "bridge-nf-call-ip6tables: 1")
    assert sim_unsupported(load_text(v4only)) is None
    # NAT of a bridged packet (br_nf_pre_routing_finish routes it again): exit 3 when a probe meets it
    nat = hub(
        '  chain n {\n    type nat hook postrouting priority srcnat;\n    oifname "br0" ip saddr 192.0.2.11 snat to 192.0.2.1\n  }'
    )
    with pytest.raises(ProbeUnsupported, match="NAT of bridged packets"):
        Simulator(load_text(nat)).probe("h1", ["192.0.2.12"])


def test_vlan_switches_and_vlan_filtering_bridges_are_refused_by_name() -> None:
    tagged = hub(chain("forward")).replace(
        "bridge-nf-call-iptables: 1", "bridge-nf-call-iptables: 1, net.bridge.bridge-nf-filter-vlan-tagged: 1"
    )
    why = sim_unsupported(load_text(tagged))
    assert why is not None and "bridge-nf-filter-vlan-tagged=1" in why
    filtering = hub(chain("forward")).replace("br0: {kind: bridge,", "br0: {kind: bridge, vlan_filtering: true,")
    why = sim_unsupported(load_text(filtering))
    assert why is not None and "VLAN-filtering bridge" in why and "hub/br0" in why
    # with br_netfilter off, a VLAN-filtering bridge is simulated as before
    assert (
        sim_unsupported(load_text(filtering.replace("bridge-nf-call-iptables: 1", "bridge-nf-call-iptables: 0")))
        is None
    )


@pytest.mark.parametrize(
    ("value", "on"), [(0, False), ("0", False), (" 0 ", False), ("", False), (1, True), ("2", True), (" 1", True)]
)
def test_a_switch_is_on_for_any_value_but_0(value: object, on: bool) -> None:
    """brnf_sysctl_call_tables: any value but 0 reads back as 1 (one reading for the
    refusals of sim_unsupported and for Stack.brnf4)."""
    from vnetlab.sim.stack import brnf_on

    assert brnf_on(value) is on
