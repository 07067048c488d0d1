"""VXLAN BUM traffic on the simulator: a multicast group (sent to the group's
MAC on the underlay, received where the group was joined) and `remotes`
(one copy per all-zero FDB destination). The kernel side of the same labs is
`vnetlab test --backend both` in tests/kernel/test_kernel_labs.py (every lab)."""

from __future__ import annotations

from tests.conftest import ROOT
from vnetlab import load, load_text
from vnetlab.sim import Simulator

GROUP = ROOT / "labs" / "vxlan-group.yaml"
REMOTES = ROOT / "labs" / "vxlan-remotes.yaml"


def test_the_group_goes_to_its_multicast_mac_on_the_underlay() -> None:
    sim = Simulator(load(GROUP))
    with sim.capture("h2/eth0") as caps:
        assert sim.ping("h1", "192.0.2.2", flush=True)[0].ok
    dsts = {f.dst for f in caps["h2/eth0"]}
    assert "01:00:5e:01:01:01" in dsts  # the ARP request, encapsulated to 239.1.1.1


def test_a_vtep_that_did_not_join_drops_the_group() -> None:
    text = GROUP.read_text().replace(
        "vx0: {kind: vxlan, vni: 42, group: 239.1.1.1, dev: eth0, dstport: 4789, addresses: [192.0.2.3/24]}",
        "vx0: {kind: vxlan, vni: 42, group: 239.1.1.1, dev: eth0, dstport: 4789, addresses: [192.0.2.3/24], up: false}",
    )
    sim = Simulator(load_text(text))
    r = sim.ping("h1", "192.0.2.3", flush=True)[0]
    assert not r.ok
    assert any(h.rule == "mc-not-joined" and h.device == "h3/eth0" for h in r.drops)
    assert sim.ping("h1", "192.0.2.2", flush=True)[0].ok


def test_remotes_copy_every_broadcast_to_each_destination() -> None:
    sim = Simulator(load(REMOTES))
    r = sim.ping("h1", "192.0.2.3", flush=True)[0]
    encaps = [h for h in r.hops if h.verdict == "encap" and h.device == "h1/vx0"]
    assert r.ok and {h.why.split(" to ")[1].split(":")[0] for h in encaps} >= {"198.51.100.2", "198.51.100.3"}
    # h3 lists only h1: its ARP request for h2 never reaches h2
    r = sim.ping("h3", "192.0.2.2", flush=True)[0]
    assert not r.ok
    assert not any(h.device == "h2/vx0" for h in r.hops)
