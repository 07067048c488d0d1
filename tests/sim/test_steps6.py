"""IPv6 in a lab with steps (kernel-semantics §11.17, 26_steps6.sh): the simulator's step
worlds have the prefix routes, and a device's addresses, in the order the kernel's changes
leave them; what it does not model is refused (exit 3) naming the case."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from vnetlab import load_text, resolve
from vnetlab.plan import build_plan
from vnetlab.plan.diff import diff
from vnetlab.plan.order import Replay6
from vnetlab.sim import SimCannot, sim_unsupported
from vnetlab.sim.ipv6 import netdev_order
from vnetlab.sim.steps6 import timeline as timeline6
from vnetlab.steps import evaluate, sim_states, timeline

ORDER = (ROOT / "labs" / "steps-v6-route-order.yaml").read_text()

BASE = """
lab: s6
nodes:
  h:
    interfaces:
      eth0: {kind: veth, peer: d/eth0%s}
      pv0: {kind: veth, peer: p/eth0%s}
  d:
    interfaces:
      eth0: {kind: veth, peer: h/eth0, addresses: ["2001:db8:ee::d/64"]}
  p:
    interfaces:
      eth0: {kind: veth, peer: h/pv0, addresses: ["2001:db8:ee::e/64"]}
"""
E = ', addresses: ["2001:db8:ee::1/64"]'
P = ', addresses: ["2001:db8:ee::2/64"]'


def _routes(*states: str) -> list[list[str]]:
    """h's devices with a 2001:db8:ee::/64 route, oldest first, after `up` of each state in turn."""
    rs = [resolve(load_text(s)) for s in states]
    rep = Replay6({ns: sorted(o, key=o.__getitem__) for ns, o in netdev_order(rs[0]).items()})
    rep.apply(build_plan(rs[0]), fresh=True)
    out = []
    for i, r in enumerate(rs):
        if i:
            rep.apply([c.step for c in diff(build_plan(rs[i - 1]), build_plan(r))], fresh=False)
        order = sorted((n, k[1]) for k, n in rep.routes.items() if k[0] == "h" and k[2] == "2001:db8:ee::/64")
        out.append([d for _, d in order])
    return out


def test_the_replay_gives_the_measured_route_orders() -> None:
    # 26_steps6.sh A: eth0's address added by a step comes after pv0's (fresh: eth0 first)
    assert _routes(BASE % ("", P), BASE % (E, P)) == [["pv0"], ["pv0", "eth0"]]
    assert _routes(BASE % (E, P)) == [["eth0", "pv0"]]
    # B: eth0 set down (its addresses go), then up again: its route comes back last
    down = BASE % (", up: false" + E, P)
    assert _routes(BASE % (E, P), down, BASE % (E, P)) == [["eth0", "pv0"], ["pv0"], ["pv0", "eth0"]]
    # C: a change elsewhere in the namespace (an address re-asserted) keeps the order
    other = BASE % (', addresses: ["2001:db8:ee::1/64", "198.51.100.1/24"]', P)
    assert _routes(BASE % (E, P), other) == [["eth0", "pv0"], ["eth0", "pv0"]]


def test_a_step_added_address_is_the_devices_newest() -> None:
    # 26_steps6.sh D: after the step h/eth0 lists 2001:db8:aa::1 as the newest; the state's
    # lab has it last (the simulator adds a device's addresses in the file's order)
    two = BASE % (', addresses: ["2001:db8:aa::1/64", "2001:db8:ee::1/64"]', P)
    line = [(None, resolve(load_text(BASE % (E, P)))), ("s", resolve(load_text(two)))]
    st = timeline6(line)
    assert st[1].problem is None and st[1].lab is not None
    assert st[1].lab.nodes["h"].interfaces["eth0"].addresses == ("2001:db8:ee::1/64", "2001:db8:aa::1/64")


def test_the_route_order_lab_follows_the_kernels_order_not_a_fresh_builds() -> None:
    lab = load_text(ORDER)
    got = [[o.reached for o in outs] for _, _, outs in evaluate(lab, "sim")]
    # step 1: pv0's route is older: h -> d's address fails (a fresh build: eth0 first, reach)
    assert got[1][:2] == [True, False]
    # step 3: pv0 came back after eth0: h -> p's address fails
    assert got[3][:2] == [True, False]
    # a fresh world of step 1's lab, without the replay, says the opposite
    fresh = [r for n, r in [(n, resolve(s)) for n, s in timeline(lab)]][1]
    from vnetlab.backends import SimBackend

    assert SimBackend(fresh).probe("h", ["2001:db8:ee::d"]) == {"2001:db8:ee::d": True}


def _refused(text: str) -> str:
    why = sim_unsupported(load_text(text))
    assert why is not None
    with pytest.raises(SimCannot):
        list(sim_states(load_text(text)))
    return why


def test_a_state_with_ipv6_on_a_down_interface_is_refused_naming_the_step() -> None:
    lab = BASE % (E, P) + "steps:\n  - {name: eth0 down, set: {nodes: {h: {interfaces: {eth0: {up: false}}}}}}\n"
    why = _refused(lab)
    assert "down" in why and "after step 'eth0 down'" in why


def test_a_device_made_again_last_in_the_netdev_list_is_refused() -> None:
    # p's end renamed: h/pv0 is made again, after x0 (a fresh build makes it before x0)
    lab = BASE.replace("d/eth0%s", 'd/eth0%s, addresses: ["2001:db8:ff::1/64"]') % ("", P)
    lab = lab.replace(
        "  d:\n",
        '      x0: {kind: veth, peer: q/eth0, addresses: ["2001:db8:fe::1/64"]}\n  d:\n',
        1,
    )
    lab += "  q:\n    interfaces:\n      eth0: {kind: veth, peer: h/x0}\n"
    lab += (
        "steps:\n  - name: pv0 again\n    set:\n      nodes:\n"
        "        h: {interfaces: {pv0: {peer: p/eth1}}}\n"
        "        p: {interfaces: {eth0: null, eth1: {kind: veth, peer: h/pv0}}}\n"
    )
    why = _refused(lab)
    assert "netdev list order" in why and "pv0 again" in why


def test_a_port_that_does_not_flood_is_refused_with_ipv6_steps() -> None:
    lab = ORDER.replace(
        "p1: {kind: veth, peer: p/eth0, master: br0}",
        "p1: {kind: veth, peer: p/eth0, master: br0, port: {flood: false}}",
    )
    assert "does not flood" in _refused(lab)
