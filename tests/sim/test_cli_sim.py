"""The simulator through the command line: test, matrix, ping, trace, capture."""

from __future__ import annotations

import json
import shutil
import subprocess

import dpkt
import pytest

from tests.conftest import LABS, ROOT

FLAGSHIP = str(ROOT / "labs" / "macvlan-modes.yaml")


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.name)
def test_every_lab_passes_its_expectations_on_the_simulator(path, run_cli) -> None:
    from vnetlab import load
    from vnetlab.sim import sim_unsupported

    why = sim_unsupported(load(path))
    code, out, err = run_cli("test", str(path), "--backend", "sim")
    if why is not None:  # never a silent accept: exit 3, naming what is not simulated
        assert code == 3 and out == "" and why in err, (code, out, err)
        return
    assert code == 0, out + err
    assert " 0 failed" in err


def test_a_failing_expectation_exits_1(tmp_path, run_cli) -> None:
    text = (
        (ROOT / "labs" / "macvlan-modes.yaml")
        .read_text()
        .replace("{from: p1, to: p2, reach: false", "{from: p1, to: p2, reach: true")
    )
    lab = tmp_path / "wrong.yaml"
    lab.write_text(text)
    code, out, _err = run_cli("test", str(lab), "--json")
    assert code == 1
    doc = json.loads(out)
    bad = [e for e in doc["expectations"] if not e["passed"]]
    assert [(e["from"], e["to"]) for e in bad] == [("p1", "p2")]


def test_matrix_json_shape(run_cli) -> None:
    code, out, _ = run_cli("matrix", FLAGSHIP, "--json")
    assert code == 0
    m = json.loads(out)
    assert m["lab"] == "mvmodes" and m["backend"] == "sim"
    assert m["targets"][0] == {"node": "bridge", "interface": "eth0", "address": "198.51.100.10", "family": 4}
    assert list(m["rows"]) == ["bridge", "b1", "b2", "vepa", "v1", "v2", "private", "p1", "p2", "peer"]
    assert m["rows"]["b1"]["198.51.100.12"] is True
    assert m["rows"]["bridge"]["198.51.100.11"] is False
    assert all(len(r) == len(m["targets"]) for r in m["rows"].values())


def test_matrix_is_deterministic(run_cli) -> None:
    a = json.loads(run_cli("matrix", FLAGSHIP, "--json")[1])
    b = json.loads(run_cli("matrix", FLAGSHIP, "--json")[1])
    a.pop("elapsed_s"), b.pop("elapsed_s")
    assert a == b


def test_matrix_table(run_cli) -> None:
    code, out, _ = run_cli("matrix", FLAGSHIP)
    assert code == 0 and "✔" in out and "✘" in out


def test_ping_exit_codes(run_cli) -> None:
    assert run_cli("ping", FLAGSHIP, "b1", "b2")[0] == 0
    code, out, _ = run_cli("ping", FLAGSHIP, "bridge", "b1")
    assert code == 1 and "no reply" in out
    assert run_cli("ping", FLAGSHIP, "b1", "nowhere")[0] == 2
    assert run_cli("ping", FLAGSHIP, "lan", "b1")[0] == 2  # a switch is not a source


def test_trace_names_the_rule_and_kernel_function(run_cli) -> None:
    code, out, _ = run_cli("trace", str(ROOT / "labs" / "macvlan-private-static.yaml"), "a1", "a")
    assert code == 1
    assert "macvlan-return-to-sender" in out and "macvlan_handle_frame" in out
    code, out, _ = run_cli("trace", FLAGSHIP, "bridge", "b1")
    assert code == 1 and "bridge-no-hairpin" in out and "br_flood" in out
    code, out, _ = run_cli("trace", FLAGSHIP, "v1", "v2", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["traces"][0]["reachable"] is True
    assert any(h["verdict"] == "hairpin" for h in doc["traces"][0]["hops"])


def test_trace_of_a_private_sibling_broadcast(run_cli) -> None:
    """The issue's example: p2 never gets p1's broadcast in private mode."""
    code, out, _ = run_cli("trace", str(ROOT / "labs" / "macvlan-private-static.yaml"), "a1", "a2", "-v")
    assert code == 1
    assert "macvlan-return-to-sender" in out


def test_trace_explains_a_guest_with_a_mac_other_than_its_macvtaps(run_cli) -> None:
    lab = str(ROOT / "labs" / "macvtap-on-veth.yaml")
    for src, dst in (("host", "vm2"), ("vm2", "host")):
        code, out, _ = run_cli("trace", lab, src, dst)
        because = out.split("=> unreachable", 1)[1]
        assert code == 1 and "[macvtap-guest-mac; macvlan_handle_frame]" in because, out
        assert "guest vm2 on host/mac-veth3 uses its own MAC" in because
        assert "the macvtap's MAC 6a:47:6c:b4:d0:43" in because
    code, out, _ = run_cli("trace", lab, "host", "vm1")  # vm1 uses its macvtap's MAC
    assert code == 0 and "macvtap-guest-mac" not in out


@pytest.mark.skipif(shutil.which("tcpdump") is None, reason="tcpdump is not installed (apt-get install tcpdump)")
def test_capture_writes_pcap_that_tcpdump_reads(tmp_path, run_cli) -> None:
    pcap = tmp_path / "v.pcap"
    code, _, err = run_cli("capture", FLAGSHIP, "vepa/eth0", "--from", "v1", "--to", "v2", "-w", str(pcap))
    assert code == 0, err
    out = subprocess.run(["tcpdump", "-nn", "-e", "-r", str(pcap)], capture_output=True, text=True, check=True).stdout
    assert "Request who-has 198.51.100.22 tell 198.51.100.21" in out
    assert "ICMP echo request" in out and "ICMP echo reply" in out
    # and dpkt, independently
    with pcap.open("rb") as fh:
        frames = [dpkt.ethernet.Ethernet(buf) for _, buf in dpkt.pcap.Reader(fh)]
    assert any(isinstance(f.data, dpkt.ip.IP) and isinstance(f.data.data, dpkt.icmp.ICMP) for f in frames)


@pytest.mark.skipif(shutil.which("tcpdump") is None, reason="tcpdump is not installed")
def test_capture_vlan_and_vxlan_frames_decode(tmp_path, run_cli) -> None:
    pcap = tmp_path / "x.pcap"
    code, _, err = run_cli(
        "capture", str(ROOT / "labs" / "vxlan-two-hosts.yaml"), "h1/eth0", "--from", "c1", "--to", "c2", "-w", str(pcap)
    )
    assert code == 0, err
    out = subprocess.run(["tcpdump", "-nn", "-r", str(pcap)], capture_output=True, text=True, check=True).stdout
    assert "VXLAN" in out and "vni 42" in out
    code, _, err = run_cli(
        "capture",
        str(ROOT / "labs" / "macvlan-vlan-vepa.yaml"),
        "host/eth1",
        "--from",
        "ns1",
        "--to",
        "ns2",
        "-w",
        str(pcap),
    )
    out = subprocess.run(["tcpdump", "-nn", "-e", "-r", str(pcap)], capture_output=True, text=True, check=True).stdout
    assert "vlan 11" in out


def test_capture_needs_a_ping(run_cli, tmp_path) -> None:
    code, _, err = run_cli("capture", FLAGSHIP, "vepa/eth0", "-w", str(tmp_path / "x.pcap"))
    assert code == 2 and "--from" in err
