"""Hostile strings through every export format (issue #12).

Lab strings are untrusted and `vnetlab export` output is run as root or fed to
other tools. tests/data/hostile/names.yaml holds, in every free-form place the
format allows, the shell's, XML's, Graphviz's and INI's special characters:
interface names such as ``a$(id>c1)``, ``b`id>c2```, ``c;id>c3``, ``--x``,
node/switch/lab names with ``--`` and ``__``, a description and an
expectation's ``why`` with ``-->``, ``<!--`` and ``]]>``. Each format must keep
every string intact as one value; the ip script is run for real in
tests/kernel/test_hostile_exports.py (canary files must not appear).
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import ROOT
from vnetlab import load, resolve
from vnetlab.export import networkd

HOSTILE = ROOT / "tests" / "data" / "hostile" / "names.yaml"
SYSCTL = ROOT / "tests" / "data" / "hostile" / "sysctl-value.yaml"


def _lab():
    return load(str(HOSTILE))


def hostile_ifnames() -> set[str]:
    lab = _lab()
    r = resolve(lab)
    return {i.name for i in r.ifaces.values()}


def test_the_hostile_lab_is_valid_and_hostile() -> None:
    names = hostile_ifnames()
    assert len(names) == 9
    for ch in "$`;|&>{*?~<[!=@-":
        assert any(ch in n for n in names), ch
    assert any(not n.isascii() for n in names)


def test_ip_script_quotes_every_shell_word(run_cli) -> None:
    code, out, err = run_cli("export", str(HOSTILE), "--format", "ip")
    assert code == 0, err
    names = hostile_ifnames()
    in_batch = False
    seen: set[str] = set()
    for line in out.splitlines():
        if line == "EOF":
            in_batch = False
            continue
        if in_batch:
            # ip -batch has no escapes: a word must not contain what its reader splits on
            assert "#" not in line and '"' not in line and "'" not in line and "\\" not in line, line
            seen |= {w for w in line.split() if w in names}
            continue
        if line.startswith("#") or not line:
            continue
        words = shlex.split(line)  # a shell line: its words are exactly what we meant
        in_batch = line.endswith("<<'EOF'")
        if words[:3] == ["ip", "netns", "exec"]:
            assert words[3:5] == [words[3], "sysctl"]
    assert seen == names


def test_ip_script_quotes_sysctl_values(run_cli) -> None:
    code, out, _ = run_cli("export", str(SYSCTL), "--format", "ip")
    assert code == 0
    (line,) = [ln for ln in out.splitlines() if "ip_forward" in ln]
    assert shlex.split(line)[-1] == "net.ipv4.ip_forward=1$(id>c7)`id>c8`;id>c9"


def test_bridge_vlan_lines_quote_the_port_name() -> None:
    from vnetlab import load_text

    text = HOSTILE.read_text().replace('"b`id>c2`": {kind: bridge,', '"b`id>c2`": {kind: bridge, vlan_filtering: true,')
    text = text.replace('master: "b`id>c2`"}', 'master: "b`id>c2`", port: {vlans: [5]}}', 1)
    from vnetlab.export.ip_batch import to_script

    script = to_script(resolve(load_text(text)))
    vlan = [shlex.split(ln) for ln in script.splitlines() if ln.startswith("bridge ")]
    assert vlan and all(w[6] == "c;id>c3" for w in vlan), vlan


def test_libvirt_refuses_a_name_its_schema_cannot_hold(run_cli) -> None:
    code, out, err = run_cli("export", str(HOSTILE), "--format", "libvirt")
    assert code == 2 and not out
    assert "libvirt cannot name device 'e&id>c5'" in err


@pytest.mark.skipif(shutil.which("virt-xml-validate") is None, reason="needs virt-xml-validate")
@pytest.mark.parametrize("domain", [True, False])
def test_libvirt_xml_is_valid_and_keeps_names(run_cli, tmp_path: Path, domain: bool) -> None:
    """Device names libvirt takes (letters, digits, _.-), every other string as hostile as before."""
    f = tmp_path / "lab.yaml"
    f.write_text(HOSTILE.read_text().replace("e&id>c5", "t--x.-_").replace("d|id>c4", "p--_.9"))
    code, out, err = run_cli("export", str(f), "--format", "libvirt", *(["--domain"] if domain else []))
    assert code == 0, err
    doc = (
        out
        if domain
        else f"<domain type='qemu'><name>x</name><memory>1</memory><os><type>hvm</type></os><devices>{out}</devices></domain>"
    )
    x = tmp_path / "d.xml"
    x.write_text(doc)
    p = subprocess.run(["virt-xml-validate", str(x), "domain"], capture_output=True, text=True, check=False)
    assert p.returncode == 0, p.stdout + p.stderr
    root = ET.fromstring(doc)
    if domain:
        assert root.find("name").text == "x--y"
    ifs = root.findall("./devices/interface")
    targets = {i.find("target").get("dev") for i in ifs if i.get("type") == "ethernet"}
    sources = {i.find("source").get("dev") for i in ifs if i.get("type") == "direct"}
    assert targets == {"t--x.-_"} and sources == {"p--_.9"}
    assert {i.find("alias").get("name") for i in ifs} == {"ua-vnetlab-g--1", "ua-vnetlab-g__2"}


def _ini(text: str) -> list[tuple[str, str, str]]:
    """(section, key, value) of a systemd unit-style file, refusing anything else."""
    out, section = [], None
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, sep, value = line.partition("=")
        assert sep and section and key.isidentifier(), line
        out.append((section, key, value))
    return out


def test_networkd_files_parse_and_keep_names() -> None:
    from tests.unit.test_networkd import _documented

    doc = {"netdev": _documented("systemd.netdev"), "network": _documented("systemd.network")}
    fs = networkd.files(resolve(_lab()))
    names = set()
    for path, text in fs.items():
        assert "/" not in path.split("/", 1)[1], path  # one file per name, in its node's directory
        for section, key, value in _ini(text):
            assert key in doc[path.rsplit(".", 1)[1]].get(section.upper(), set()), (path, section, key)
            assert value.isprintable(), (path, value)
            if key == "Name" and section in ("Match", "NetDev", "Peer"):
                names.add(value)
    assert names == hostile_ifnames()
    _ini(networkd.to_text(resolve(_lab())).split("### ", 1)[0])


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz dot")
def test_dot_renders_every_name_as_written(run_cli, tmp_path: Path) -> None:
    code, out, err = run_cli("export", str(HOSTILE), "--format", "dot")
    assert code == 0, err
    p = subprocess.run(["dot", "-Tsvg"], input=out, capture_output=True, text=True, check=False)
    assert p.returncode == 0 and not p.stderr, p.stderr
    texts = {t.text for t in ET.fromstring(p.stdout).iter("{http://www.w3.org/2000/svg}text")}
    assert hostile_ifnames() <= texts
    assert {"guest g--1", "guest g__2"} <= texts
    assert "lab x--y" in texts


def test_json_keeps_free_text_exactly(run_cli) -> None:
    code, out, _ = run_cli("export", str(HOSTILE), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["description"] == _lab().description
    assert doc["expect"][0]["why"] == "--> $(id>canary-why) <![CDATA["
    assert set(doc["nodes"]["n__x"]["interfaces"]) | set(doc["nodes"]["n--y"]["interfaces"]) == hostile_ifnames()


def test_export_refuses_a_batch_word_validation_would_refuse() -> None:
    """Defence in depth: a model built without the checker still cannot smuggle a comment into ip -batch."""
    from vnetlab.export.ip_batch import _word

    for bad in ("a#b", 'a"b', "a'b", "a\\b", "a b", "a\nb", ""):
        with pytest.raises(ValueError):
            _word(bad)
    assert _word("a$(id>c1)") == "a$(id>c1)"


def test_kernel_sysctl_writer_refuses_what_validation_refuses() -> None:
    """Even with validation bypassed, the kernel backend opens nothing outside /proc/sys/net."""
    from vnetlab.kernel.apply import _write_sysctl

    for key in ("kernel.core_pattern", "net..x", "net.ipv4/../../kernel/core_pattern", "vm.overcommit_memory", ""):
        with pytest.raises(ValueError):
            _write_sysctl(key, 1)
