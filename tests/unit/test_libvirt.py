"""libvirt <interface> XML for guests, checked with libvirt's own validator."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import ROOT

GUEST_LABS = ["macvtap-on-veth.yaml", "tap-bridge-kvm.yaml", "macvtap-reader.yaml"]


@pytest.mark.skipif(
    shutil.which("virt-xml-validate") is None, reason="needs virt-xml-validate (Debian libvirt-clients, libxml2-utils)"
)
@pytest.mark.parametrize("name", GUEST_LABS)
def test_domain_document_validates(run_cli, tmp_path, name: str) -> None:
    code, out, err = run_cli("export", str(ROOT / "labs" / name), "--format", "libvirt", "--domain")
    assert code == 0, err
    f = tmp_path / "domain.xml"
    f.write_text(out)
    p = subprocess.run(["virt-xml-validate", str(f), "domain"], capture_output=True, text=True, check=False)
    assert p.returncode == 0, p.stdout + p.stderr


def test_macvtap_and_tap_forms(run_cli) -> None:
    _, out, _ = run_cli("export", str(ROOT / "labs" / "macvtap-on-veth.yaml"), "--format", "libvirt", "--domain")
    ifs = ET.fromstring(out).findall("./devices/interface")
    assert [i.get("type") for i in ifs] == ["direct", "direct"]
    assert ifs[0].find("source").attrib == {"dev": "veth1", "mode": "vepa"}
    assert ifs[1].find("mac").get("address") == "52:54:00:00:00:02"
    _, out, _ = run_cli("export", str(ROOT / "labs" / "tap-bridge-kvm.yaml"), "--format", "libvirt")
    el = ET.fromstring(out)
    assert el.get("type") == "ethernet"
    assert el.find("target").attrib == {"dev": "tap0", "managed": "no"}
    assert el.find("mac").get("address") == "52:54:00:00:00:10"


def test_passthru_is_spelled_passthrough(run_cli, tmp_path) -> None:
    lab = tmp_path / "p.yaml"
    lab.write_text(
        "lab: p\nswitches: {lan: {}}\nnodes:\n  h:\n    interfaces:\n      eth0: {kind: nic, switch: lan}\n"
        "      t: {kind: macvtap, parent: eth0, mode: passthru, guest: {name: vm}}\n"
    )
    _, out, _ = run_cli("export", str(lab), "--format", "libvirt")
    assert ET.fromstring(out).find("source").get("mode") == "passthrough"


def test_a_lab_without_guests_is_bad_input(run_cli) -> None:
    code, _, err = run_cli("export", str(ROOT / "labs" / "veth-container.yaml"), "--format", "libvirt")
    assert code == 2 and "no guests" in err
