"""The model: defaults equal to the kernel's, derived values, the public API."""

from __future__ import annotations

import json
import re

import pytest
from pydantic import ValidationError

import vnetlab
from tests.conftest import ROOT
from vnetlab import load, load_text, resolve
from vnetlab.model.derive import derived_mac

MINI = """
lab: t
switches: {lan: {}}
nodes:
  h:
    interfaces:
      eth0: {kind: nic, switch: lan}
      mv0: {kind: macvlan, parent: eth0}
      vx0: {kind: vxlan, vni: 7, remote: 192.0.2.9}
      ipv0: {kind: ipvlan, parent: eth1}
      eth1: {kind: nic, switch: lan}
      ve0: {kind: veth, peer: c/host0}
  c: {}
"""


def test_public_api_is_pinned() -> None:
    assert sorted(vnetlab.__all__) == sorted(
        [
            "Cell",
            "CheckFailed",
            "Column",
            "EnvironmentProblem",
            "InputError",
            "Issue",
            "KernelLacksKind",
            "KernelNet",
            "Lab",
            "LabInvalid",
            "Matrix",
            "NotImplementedYet",
            "Outcome",
            "Resolved",
            "Simulation",
            "Trace",
            "VnetlabError",
            "__version__",
            "check",
            "compare",
            "kernel",
            "load",
            "load_text",
            "resolve",
            "simulate",
        ]
    )
    for name in vnetlab.__all__:
        assert hasattr(vnetlab, name)


def test_load_and_load_text_return_the_same_kind_of_thing() -> None:
    path = ROOT / "labs" / "macvlan-modes.yaml"
    a, b = vnetlab.load(path), vnetlab.load_text(path.read_text(), str(path))
    assert type(a) is type(b) is vnetlab.Lab and a == b
    assert callable(vnetlab.load)  # the function, not the submodule of the same name


def test_kernel_defaults() -> None:
    lab = load_text(MINI)
    ifs = lab.nodes["h"].interfaces
    assert ifs["mv0"].mode == "vepa"  # macvlan_common_newlink
    assert (ifs["ipv0"].mode, ifs["ipv0"].flag) == ("l3", "bridge")  # ipvlan_link_new
    assert ifs["vx0"].dstport == 4789 and ifs["vx0"].learning is True
    assert ifs["eth0"].up is True and ifs["eth0"].addresses == ()


def test_model_is_frozen_and_strict() -> None:
    lab = load_text(MINI)
    with pytest.raises(ValidationError):
        lab.nodes["h"].interfaces["eth0"].up = False  # type: ignore[misc]
    with pytest.raises(ValidationError):
        vnetlab.Lab.model_validate({"lab": "t", "nodes": {"a": {}}, "extra": 1})


def test_derived_macs_are_stable_local_unicast_and_distinct() -> None:
    r = resolve(load_text(MINI))
    macs = {k: i.mac for k, i in r.ifaces.items()}
    for mac in macs.values():
        assert re.fullmatch(r"([0-9a-f]{2}:){5}[0-9a-f]{2}", mac)
        first = int(mac[:2], 16)
        assert first & 0x02 and not first & 0x01
    assert macs[("h", "eth0")] == derived_mac("t", "h", "eth0")
    assert macs[("h", "ipv0")] == macs[("h", "eth1")]  # ipvlan shares its parent's MAC
    own = [m for k, m in macs.items() if k != ("h", "ipv0")]
    assert len(set(own)) == len(own)
    assert resolve(load_text(MINI)).ifaces[("h", "mv0")].mac == macs[("h", "mv0")]


def test_implicit_veth_peer_and_graph() -> None:
    r = resolve(load_text(MINI))
    assert r.ifaces[("c", "host0")].implicit
    assert r.peer[("c", "host0")] == ("h", "ve0")
    assert r.parent[("h", "mv0")] == ("h", "eth0")
    assert r.children[("h", "eth0")] == [("h", "mv0")]
    assert r.switch_ports["lan"] == [("h", "eth0"), ("h", "eth1")]
    assert r.switch_port_name(("h", "eth1")) == "p1"
    assert r.netns("h") == "t-h"
    d = r.domains
    assert d[("h", "eth0")] == d[("h", "mv0")] == d["switch:lan"] == d[("h", "eth1")]
    assert d[("h", "ve0")] == d[("c", "host0")] != d[("h", "eth0")]


def test_passthru_and_guest_macs() -> None:
    r = resolve(load(ROOT / "labs" / "macvlan-passthru-source.yaml"))
    assert r.ifaces[("vm", "mv0")].mac == r.ifaces[("hostp", "eth0")].mac
    r = resolve(load(ROOT / "labs" / "macvtap-on-veth.yaml"))
    assert r.guests["vm1"].mac == "6a:47:6c:b4:d0:41"  # a macvtap guest defaults to the device MAC
    assert r.guests["vm2"].mac == "52:54:00:00:00:02"
    r = resolve(load(ROOT / "labs" / "tap-bridge-kvm.yaml"))
    assert r.guests["vm1"].mac == "52:54:00:00:00:10"


def test_export_json_is_normalised(run_cli) -> None:
    code, out, _ = run_cli("export", str(ROOT / "labs" / "vxlan-two-hosts.yaml"), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    vx = doc["nodes"]["h1"]["interfaces"]["vx42"]
    assert vx["dstport"] == 4789 and vx["learning"] is True and vx["mtu"] == 1500
    assert doc["nodes"]["h1"]["netns"] == "vxlan-h1"
    assert doc["switches"]["underlay"]["ports"] == {"p0": "h1/eth0", "p1": "h2/eth0"}
    assert doc["nodes"]["c1"]["interfaces"]["eth0"]["peer"] == "h1/ve-c1"
    code, out, _ = run_cli("export", str(ROOT / "labs" / "macvlan-modes.yaml"), "--format", "json")
    mv = json.loads(out)["nodes"]["b1"]["interfaces"]["mv0"]
    assert mv["mode"] == "bridge" and mv["parent"] == "bridge/eth0" and mv["mac_source"] == "derived"


def test_help_teaches(run_cli) -> None:
    code, out, _ = run_cli("--help")
    assert code == 0
    for cmd in (
        "validate",
        "up",
        "plan",
        "down",
        "list",
        "status",
        "exec",
        "ping",
        "matrix",
        "trace",
        "test",
        "diff",
        "capture",
        "export",
        "import",
    ):
        assert cmd in out
        c, o, _ = run_cli(cmd, "--help")
        assert c == 0 and "Usage:" in o and len(o) > 150, cmd


def test_missing_file_is_bad_input(run_cli, tmp_path) -> None:
    code, _, err = run_cli("validate", str(tmp_path / "nope.yaml"))
    assert code == 2 and "nope.yaml" in err
