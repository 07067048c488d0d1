"""systemd-nspawn export, checked against the keys documented in the installed
systemd.nspawn(5) (and, for the files inside, systemd.network(5) and
systemd.netdev(5)): every section and key written must be there."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from tests.conftest import LABS
from tests.unit.test_networkd import MAN, _documented, assert_documented
from vnetlab import load, resolve
from vnetlab.export.nspawn import files

pytestmark = pytest.mark.skipif(
    not (MAN / "systemd.nspawn.5.gz").exists() or not (MAN / "systemd.network.5.gz").exists(),
    reason="needs the systemd man pages: systemd.nspawn(5) is in Debian's systemd-container",
)


def _nspawn_keys() -> dict[str, set[str]]:
    with gzip.open(MAN / "systemd.nspawn.5.gz", "rt") as fh:
        text = fh.read()
    out: dict[str, set[str]] = {}
    for block in re.split(r'\.SH "\[', text)[1:]:
        section, _, body = block.partition("] SECTION OPTIONS")
        out[section.upper()] = set(re.findall(r"\\fI(\w+)=\\fR", body.split("\n.SH")[0]))
    return out


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.name)
def test_every_key_is_documented(path) -> None:
    nspawn = _nspawn_keys()
    assert {"VirtualEthernet", "Bridge", "MACVLAN", "IPVLAN", "Interface"} <= nspawn["NETWORK"]
    fs, _ = files(resolve(load(path)))
    assert_documented(fs, {"nspawn": nspawn})


def _export(run_cli, lab: str) -> str:
    code, out, _ = run_cli("export", str(Path(__file__).parent.parent.parent / "labs" / lab), "--format", "nspawn")
    assert code == 0
    return out


def test_veth_container_is_virtual_ethernet(run_cli) -> None:
    out = _export(run_cli, "veth-container.yaml")
    assert "### web.nspawn\n[Network]\nPrivate=yes\nVirtualEthernet=yes\n" in out
    assert "### host.nspawn" not in out  # the host runs nspawn: it is no container
    assert "### web/10-host0.network\n[Match]\nName=host0\n" in out and "Gateway=192.0.2.1" in out
    assert "host0.netdev" not in out  # nspawn creates the veth


def test_bridge_ports_and_macvlan_children(run_cli) -> None:
    out = _export(run_cli, "bridge-port-flags.yaml")
    assert "### a.nspawn\n[Network]\nPrivate=yes\nBridge=br0\n" in out
    assert "### a/10-eth0.network\n[Match]\nName=host0\n" in out  # nspawn's name inside
    out = _export(run_cli, "macvlan-parent-child.yaml")
    assert "### hbc.nspawn\n[Network]\nPrivate=yes\nMACVLAN=eth0\n" in out
    assert "Name=mv-eth0" in out
    assert "# note: hpc/mv0: nspawn makes macvlan mode bridge, the lab has private" in out


def test_writes_a_directory(run_cli, tmp_path) -> None:
    lab = str(Path(__file__).parent.parent.parent / "labs" / "veth-container.yaml")
    code, _, _ = run_cli("export", lab, "--format", "nspawn", "-o", str(tmp_path))
    assert code == 0
    assert (tmp_path / "web.nspawn").read_text().startswith("[Network]\n")
    assert (tmp_path / "web" / "10-host0.network").exists()


def test_hostile_names_stay_single_values(tmp_path) -> None:
    """tests/data/hostile/names.yaml (shell, INI and path characters in every name),
    without its macvtap so that n--y is a container (on n__x's bridge) rather than a host."""
    from tests.unit.test_hostile_names import HOSTILE, _ini

    docs = {
        "nspawn": _nspawn_keys(),
        "netdev": _documented("systemd.netdev"),
        "network": _documented("systemd.network"),
    }
    lab = tmp_path / "hostile.yaml"
    lab.write_text("".join(ln for ln in HOSTILE.read_text().splitlines(True) if "kind: macvtap" not in ln))
    r = resolve(load(str(lab)))
    fs, notes = files(r)
    assert fs["n--y.nspawn"] == "[Network]\nPrivate=yes\nBridge=b`id>c2`\n"
    names = {i.name for i in r.ifaces.values()}
    for path, text in fs.items():
        assert ".." not in path and path.count("/") <= 1, path
        for section, key, value in _ini(text):
            assert key in docs[path.rsplit(".", 1)[1]][section.upper()], (path, section, key)
            assert value.isprintable(), (path, value)
            if key in ("MACVLAN", "IPVLAN", "Interface"):
                assert value in names
            if key == "VirtualEthernetExtra":
                host, inside = value.split(":")
                assert host in names and inside in names
    assert all(n.isprintable() for n in notes)
