"""systemd-networkd export, checked against the keys documented in the installed
systemd.netdev(5) and systemd.network(5) man pages (the systemd package's own
documentation is the oracle: every section and key we write must be there)."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from tests.conftest import LABS
from vnetlab import load, load_text, resolve
from vnetlab.export.networkd import files

MAN = Path("/usr/share/man/man5")


def _documented(page: str) -> dict[str, set[str]]:
    with gzip.open(MAN / f"{page}.5.gz", "rt") as fh:
        text = fh.read()
    sections: dict[str, set[str]] = {}
    current = None
    lines = text.splitlines()
    for n, line in enumerate(lines):
        m = re.match(r'\.SH "\[(.+)\] SECTION OPTIONS"', line)
        if m:
            current = m.group(1).replace("\\-", "-").upper()
            sections[current] = set()
        elif line.startswith(".SH"):
            current = None
        elif current and n and lines[n - 1] == ".PP" and line.startswith("\\fI"):
            sections[current] |= set(re.findall(r"\\fI(\w+)=\\fR", line))
        elif current and (m := re.search(r"same keys as \[(\w+)\]", line)):
            sections[current] |= sections.get(m.group(1).upper(), set())
    return sections


def _kinds() -> set[str]:
    with gzip.open(MAN / "systemd.netdev.5.gz", "rt") as fh:
        text = fh.read()
    block = text.split('.SH "SUPPORTED NETDEV KINDS"')[1].split(".SH")[0]
    return set(re.findall(r"^\\fI([a-z0-9]+)\\fR$", block, re.M))


pytestmark = pytest.mark.skipif(
    not (MAN / "systemd.netdev.5.gz").exists(), reason="needs the systemd man pages (Debian systemd)"
)


def assert_documented(out: dict[str, str], more: dict[str, dict[str, set[str]]] | None = None) -> None:
    """Every section and key of every file in ``out`` is documented for its file type
    (.netdev, .network, and the types ``more`` documents)."""
    docs = {"netdev": _documented("systemd.netdev"), "network": _documented("systemd.network"), **(more or {})}
    kinds = _kinds()
    assert {"macvlan", "bridge", "veth", "vxlan"} <= kinds
    for name, text in out.items():
        doc = docs[name.rsplit(".", 1)[1]]
        section = None
        for line in text.splitlines():
            if not line:
                continue
            m = re.fullmatch(r"\[(\w+)\]", line)
            if m:
                section = m.group(1).upper()
                assert section in doc, f"{name}: section [{m.group(1)}] is not documented"
                continue
            key, _, value = line.partition("=")
            assert key in doc[section], f"{name}: {key}= is not a documented key of [{section}]"
            if key == "Kind":
                assert value in kinds, f"{name}: Kind={value}"


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.name)
def test_every_key_is_documented(path) -> None:
    assert_documented(files(resolve(load(path))))


#: a veth pair inside one node, declared by the end whose name sorts last, and a nic:
#: every MTU must be set by some file ([Peer] of a .netdev takes no MTUBytes=)
MTUS = """\
lab: mtus
switches: {lan: {}}
nodes:
  n:
    interfaces:
      y: {kind: veth, peer: n/x, mtu: 1280, addresses: [192.0.2.1/24]}
      q: {kind: veth, peer: n/p, mtu: 1300}
      p: {kind: veth, peer: n/q, mtu: 1400}
      eth0: {kind: nic, switch: lan, mtu: 9000}
"""


def test_each_veth_pair_is_created_once_and_every_mtu_is_set() -> None:
    out = files(resolve(load_text(MTUS, "mtus.yaml")))
    netdevs = sorted(n for n in out if n.endswith(".netdev"))
    # y's peer x is implicit (declared only by y): y's .netdev makes the pair
    assert netdevs == ["n/10-y.netdev", "n/12-p.netdev"]
    assert "Name=x" in out["n/10-y.netdev"] and "Name=q" in out["n/12-p.netdev"]
    mtu = {}
    for text in out.values():
        if m := re.search(r"^Name=(\S+)\n(?:.*\n)*?MTUBytes=(\d+)", text, re.M):
            mtu[m.group(1)] = int(m.group(2))
    assert mtu == {"y": 1280, "p": 1400, "q": 1300, "eth0": 9000}
    assert "MTUBytes=1300" in out["n/11-q.network"] and "MTUBytes" not in out["n/12-p.network"]
    assert_documented(out)


def test_parent_names_its_children_and_notes_say_what_is_missing(run_cli) -> None:
    path = str(Path(__file__).parent.parent.parent / "labs" / "macvtap-on-veth.yaml")
    code, out, _ = run_cli("export", path, "--format", "networkd")
    assert code == 0
    assert "MACVTAP=mac-veth1" in out and "[MACVTAP]\nMode=vepa" in out
    assert "# note: guests (vm1, vm2)" in out


def test_ipv6_default_route_and_forwarding() -> None:
    """An IPv6 default route is ::/0 (not 0.0.0.0/0 with an IPv6 gateway); IPv6's
    all.forwarding is IPForward= (ipv6, or yes with ip_forward), no longer a note."""
    text = (Path(__file__).resolve().parents[2] / "labs" / "v6-routed.yaml").read_text()
    out = files(resolve(load_text(text)))
    h2 = out["h2/10-eth0.network"]
    assert "Destination=::/0\nGateway=fe80::ff:fe00:201" in h2
    assert "Destination=0.0.0.0/0\nGateway=198.51.100.1" in h2
    assert all("IPForward=yes" in out[f"r/{n}"] for n in ("10-e1.network", "11-e2.network", "12-e3.network"))
    v6only = files(resolve(load_text(text.replace("net.ipv4.ip_forward: 1, ", ""))))
    assert "IPForward=ipv6" in v6only["r/10-e1.network"]
