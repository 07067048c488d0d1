"""A lab route identical to one the kernel derives from an address is a no-op (plan, export,
simulator); one with that route's destination and metric but another device or a gateway,
or with an earlier lab route's destination and metric, is refused [route-exists]
(docs/kernel-semantics.md "Routes the kernel derives", experiment routes_derived.sh)."""

from __future__ import annotations

import pytest

from vnetlab import resolve
from vnetlab.check import check
from vnetlab.errors import Issue, LabInvalid
from vnetlab.export.ip_batch import to_script
from vnetlab.export.networkd import files
from vnetlab.load import load_text
from vnetlab.plan import build_plan
from vnetlab.plan.diff import diff
from vnetlab.sim import Simulator

BASE = """\
lab: rt
nodes:
  a:
    interfaces:
      eth0: {{kind: veth, peer: b/eth0, addresses: [192.0.2.1/24, "2001:db8:1::1/64", "2001:db8:9::1/128"]}}
      eth1: {{kind: veth, peer: b/eth1, addresses: [198.51.100.1/24]}}
      eth2: {{kind: veth, peer: b/eth2, up: false, addresses: [203.0.113.1/24, "2001:db8:3::1/64"]}}
    routes: [{routes}]
  b:
    interfaces:
      eth0: {{kind: veth, peer: a/eth0, addresses: [192.0.2.2/24, "2001:db8:1::2/64"]}}
      eth1: {{kind: veth, peer: a/eth1, addresses: [198.51.100.2/24]}}
      eth2: {{kind: veth, peer: a/eth2}}
"""

SAME = [
    "{to: 192.0.2.0/24, dev: eth0}",
    "{to: 192.0.2.0/24, dev: eth0, metric: 0}",
    '{to: "2001:db8:1::/64", dev: eth0, metric: 256}',
    '{to: "fe80::/64", dev: eth0, metric: 256}',
    '{to: "fe80::/64", dev: eth1, metric: 256}',
    '{to: "2001:db8:9::1/128", dev: eth0, metric: 256}',
]
CLASH = [
    "{to: 192.0.2.0/24, dev: eth1}",  # same destination, metric 0, another device
    "{to: 192.0.2.0/24, via: 198.51.100.2}",  # a gateway
    "{to: 192.0.2.0/24, via: 198.51.100.2, dev: eth1, metric: 0}",
    '{to: "2001:db8:1::/64", dev: eth1, metric: 256}',  # IPv6 refuses it too (no multipath sibling)
    '{to: "2001:db8:1::/64", via: "2001:db8:1::2", metric: 256}',
    '{to: "fe80::/64", dev: eth0, via: "fe80::2", metric: 256}',
]
FINE = [
    "{to: 192.0.2.0/24, dev: eth0, metric: 10}",  # another metric: another route
    '{to: "2001:db8:1::/64", dev: eth0}',  # IPv6 without a metric: 1024
    "{to: 203.0.113.0/24, dev: eth1}",  # eth2 is down: no prefix route of its own
    '{to: "2001:db8:3::/64", dev: eth1, metric: 256}',
    "{to: 192.0.2.0/25, dev: eth0}",
]


def _lab(*routes: str, base: str = BASE):
    return load_text(base.format(routes=", ".join(routes)), "lab.yaml").lab


def _issues(*routes: str) -> list[Issue]:
    try:
        return check(_lab(*routes))
    except LabInvalid as e:  # load_text runs the checks too
        return e.issues


def _rules(*routes: str) -> list[str]:
    return [i.rule for i in _issues(*routes)]


def _route_steps(*routes: str) -> list[tuple]:
    return [
        (s.ns, s.obj, s.args.get("dev"), s.args.get("via"))
        for s in build_plan(resolve(_lab(*routes)))
        if s.op == "route"
    ]


def test_identical_routes_validate_and_are_left_out_of_the_plan_and_the_script() -> None:
    assert _rules(*SAME) == []
    assert _route_steps(*SAME, "{to: 192.0.2.0/24, dev: eth0, metric: 10}") == [("a", "192.0.2.0/24", "eth0", None)]
    script = to_script(resolve(_lab(*SAME)))
    assert "route add" not in script
    nd = files(resolve(_lab(*SAME, "{to: 192.0.2.0/24, dev: eth0, metric: 10}")))
    routes = [text.count("[Route]") for name, text in nd.items() if name.startswith("a/")]
    assert sum(routes) == 1 and "Metric=10" in "".join(nd.values())  # networkd writes only the one to add


@pytest.mark.parametrize("route", CLASH)
def test_a_route_clashing_with_the_kernels_is_refused(route) -> None:
    issues = _issues(route)
    assert [i.rule for i in issues] == ["route-exists"], issues
    assert "proto kernel" in issues[0].message and "File exists" in issues[0].message


@pytest.mark.parametrize("route", FINE)
def test_a_route_beside_the_kernels_is_kept(route) -> None:
    assert _rules(route) == []
    assert len(_route_steps(route)) == 1


def test_two_lab_routes_with_one_destination_and_metric_are_refused() -> None:
    two = ["{to: 203.0.113.0/24, via: 192.0.2.2}", "{to: 203.0.113.0/24, dev: eth1}"]
    issues = _issues(*two)
    assert [i.rule for i in issues] == ["route-exists"] and "routes[0]" in issues[0].message
    assert _rules(two[0], "{to: 203.0.113.0/24, dev: eth1, metric: 5}") == []
    v6 = ['{to: "2001:db8:5::/64", dev: eth0}', '{to: "2001:db8:5::/64", dev: eth1}']
    assert _rules(*v6) == ["route-exists"]
    assert _rules(v6[0], '{to: "2001:db8:5::/64", dev: eth1, metric: 1024}') == ["route-exists"]
    assert _rules("{to: default, via: 192.0.2.2}", '{to: default, via: "2001:db8:1::2"}') == []  # two families


def test_the_simulator_keeps_one_kernel_route() -> None:
    no_down_v6 = BASE.replace(', "2001:db8:3::1/64"', "")  # not simulated yet
    sim = Simulator(resolve(_lab(*SAME, base=no_down_v6)))
    st = sim.world.stacks["a"]
    st.finalize()
    assert st.v6 is not None
    v4 = [r for r in st.routes if r.plen == 24 and r.net == 0xC0000200]
    assert len(v4) == 1 and v4[0].src == 0xC0000201  # the kernel's, with its source address
    v6 = [r for r in st.v6.routes if r.plen == 64 and r.dev.name == "eth0"]
    assert sorted(r.metric for r in v6) == [256, 256]  # 2001:db8:1::/64 and fe80::/64, once each


def test_stating_the_kernels_route_in_a_running_lab_changes_nothing() -> None:
    """`up` of the lab with a route identical to the kernel's added (or removed again): no change;
    turning it into another one (another metric) adds just that route."""
    old = build_plan(resolve(_lab()))
    same = build_plan(resolve(_lab(*SAME)))
    assert diff(old, same) == [] and diff(same, old) == []
    other = build_plan(resolve(_lab("{to: 192.0.2.0/24, dev: eth0, metric: 10}")))
    changes = [(c.action, c.step.op, c.step.obj) for c in diff(same, other) if c.action != "refresh"]
    assert changes == [("create", "route", "192.0.2.0/24")], changes
