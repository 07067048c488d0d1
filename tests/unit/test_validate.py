"""The loader and checker: every broken lab in tests/data/invalid is rejected
with the right LAB:LINE:COL, rule id and exit code 2, and every shipped lab is
accepted. Each data file states what it expects in ``# expect:`` lines."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import INVALID, LABS
from vnetlab import LabInvalid, load_text

EXPECT = re.compile(r"# expect: (\d+):(\d+) ([\w-]+) ?(.*)")


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.name)
def test_shipped_labs_validate(path: Path, run_cli) -> None:
    code, out, err = run_cli("validate", str(path))
    assert code == 0, out + err
    assert "valid" in out


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_lab_is_rejected_with_position_and_rule(path: Path, run_cli) -> None:
    expected = [EXPECT.match(line).groups() for line in path.read_text().splitlines() if line.startswith("# expect:")]  # type: ignore[union-attr]
    assert expected, f"{path.name} states no expectation"
    code, out, err = run_cli("validate", str(path))
    assert code == 2
    assert "Traceback" not in out + err
    got = out.splitlines()
    assert len(got) == len(expected), out
    for (line, col, rule, fragment), text in zip(expected, got, strict=True):
        assert text.startswith(f"{path}:{line}:{col}: "), text
        assert text.endswith(f"[{rule}]"), text
        assert fragment in text, text


def test_every_rule_of_the_checker_has_a_broken_lab() -> None:
    from vnetlab import check as check_module

    doc = check_module.__module__
    import importlib

    ids = importlib.import_module(doc).__doc__.split("Rule ids:")[1]
    rules = {r.strip(" .\n") for r in ids.replace("\n", " ").split(",")}
    covered = {m.group(3) for p in INVALID for m in EXPECT.finditer(p.read_text())}
    assert rules <= covered, f"rules without a test lab: {sorted(rules - covered)}"


def test_validate_json(run_cli) -> None:
    import json

    code, out, _ = run_cli("validate", "--json", str(INVALID[0]))
    assert code == 2
    doc = json.loads(out)
    assert doc["valid"] is False and doc["issues"][0]["rule"]
    code, out, _ = run_cli("validate", "--json", str(LABS[0]))
    assert code == 0 and json.loads(out) == {"file": str(LABS[0]), "valid": True, "issues": []}


@pytest.mark.parametrize(
    ("name", "content", "rule"),
    [
        ("empty", b"", "not-a-mapping"),
        ("only-comment", b"# nothing\n", "not-a-mapping"),
        ("list", b"- a\n- b\n", "not-a-mapping"),
        ("scalar", b"hello\n", "not-a-mapping"),
        ("binary", bytes(range(256)) * 8, "not-text"),
        ("nul", b"lab: x\x00\nnodes: {}\n", "not-text"),
        ("latin1", "lab: caf\xe9\n".encode("latin-1"), "not-text"),
        ("deep", b"lab: x\nnodes: " + b"[" * 5000 + b"]" * 5000 + b"\n", None),
        (
            "alias-bomb",
            b"a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
            "too-large",
        ),
        ("unclosed", b"lab: x\nnodes: {a: {}\n", "yaml-syntax"),
        ("tab", b"lab: x\nnodes:\n\ta: {}\n", "yaml-syntax"),
        ("dup-top", b"lab: x\nlab: y\nnodes: {a: {}}\n", "duplicate-key"),
        ("nodes-empty", b"lab: x\nnodes: {}\n", "bad-value"),
        ("nodes-null", b"lab: x\nnodes:\n", "bad-value"),
        ("key-is-list", b"lab: x\n? [a]\n: 1\nnodes: {a: {}}\n", "yaml-key"),
    ],
)
def test_never_a_traceback(tmp_path: Path, run_cli, name: str, content: bytes, rule: str | None) -> None:
    f = tmp_path / f"{name}.yaml"
    f.write_bytes(content)
    code, out, err = run_cli("validate", str(f))
    assert code == 2, out + err
    assert "Traceback" not in out + err and "internal error" not in err
    assert out.startswith(f"{f}:")
    if rule:
        assert f"[{rule}]" in out


def test_all_problems_are_reported_at_once() -> None:
    text = (Path(__file__).parent.parent / "data" / "invalid" / "many-problems.yaml").read_text()
    with pytest.raises(LabInvalid) as e:
        load_text(text, "m.yaml")
    assert len({i.rule for i in e.value.issues}) >= 4


def test_no_type_coercion() -> None:
    """YAML 1.2: yes/on are strings; a number is not a string; '5' is not a number."""
    base = "lab: t\nswitches: {lan: {}}\nnodes:\n  h:\n    interfaces:\n      eth0: {kind: nic, switch: lan, %s}\n"
    for field in ("up: on", "up: 'false'", "mtu: '1500'", "mac: 1"):
        with pytest.raises(LabInvalid):
            load_text(base % field)
    lab = load_text(base % "mtu: 9000, up: false")
    nic = lab.nodes["h"].interfaces["eth0"]
    assert nic.mtu == 9000 and nic.up is False


# -- issue #20: validate accepts only what the kernel accepts ------------------------

_BASE = "lab: t\nswitches: {lan: {}}\nnodes:\n  h:\n    interfaces:\n      eth0: {kind: nic, switch: lan%s}\n%s"


def _rules(text: str) -> list[str]:
    try:
        load_text(text)
    except LabInvalid as e:
        return [i.rule for i in e.issues]
    return []


@pytest.mark.parametrize(
    ("extra", "rule"),
    [
        ("    routes: [{to: default, via: 192.0.2.254, metric: -1}]\n", "bad-value"),
        ("    routes: [{to: default, via: 192.0.2.254, metric: 4294967296}]\n", "bad-value"),
        ("    sysctl: {kernel.core_pattern: '|/tmp/evil %p'}\n", "sysctl-not-netns"),
        ("    sysctl: {net.core.rmem_max: 1}\n", "sysctl-not-netns"),
        ("    sysctl: {net.ipv4.neigh.default.gc_thresh3: 1}\n", "sysctl-not-netns"),
        ("    sysctl: {net.netfilter.nf_hooks_lwtunnel: 1}\n", "sysctl-not-netns"),
        ("    sysctl: {'net.x$(id>pwn)': 1}\n", "sysctl-key"),
        ("    sysctl: {net.ipv4.conf..rp_filter: 1}\n", "sysctl-key"),
        ("    sysctl: {net.ipv4.conf.eth1.rp_filter: 1}\n", "sysctl-key"),
        ("    sysctl: {net.ipv4.conf.eth0.11.rp_filter: 1}\n", "sysctl-key"),
        ('    sysctl: {net.ipv4.ip_forward: "1\\n"}\n', "sysctl-value"),
    ],
)
def test_refused_values(extra: str, rule: str) -> None:
    assert _rules(_BASE % (", addresses: [192.0.2.1/24]", extra)) == [rule]


@pytest.mark.parametrize(
    "extra",
    [
        "    routes: [{to: default, via: 192.0.2.254, metric: 4294967295}]\n",
        "    routes: [{to: default, via: 192.0.2.254, metric: 0}]\n",
        "    sysctl: {net.ipv4.ip_forward: 1, net.ipv4.conf.all.rp_filter: 0, net.ipv4.conf.eth0.rp_filter: 2,"
        " net.ipv6.conf.lo.disable_ipv6: 1, net.ipv4.neigh.eth0.locktime: 0, net.ipv4.ping_group_range: '0 0',"
        " net.ipv4.icmp_echo_ignore_broadcasts: 0, net.core.somaxconn: 1024, net.ipv6.route.max_size: 8192}\n",
    ],
)
def test_accepted_values(extra: str) -> None:
    assert _rules(_BASE % (", addresses: [192.0.2.1/24]", extra)) == []


@pytest.mark.parametrize(
    ("field", "rule"),
    [
        (", addresses: ['ff02::1/64']", "host-address"),
        (", addresses: [224.0.0.1/24]", "host-address"),
        (", addresses: [255.255.255.255/32]", "host-address"),
        (", addresses: [192.0.2.1/0]", "host-address"),
        (", addresses: [0.0.0.0/8]", "host-address"),
        (", addresses: ['::/64']", "host-address"),
        (", mtu: 1279, addresses: ['2001:db8::1/64']", "ipv6-mtu"),
    ],
)
def test_host_addresses(field: str, rule: str) -> None:
    assert _rules(_BASE % (field, "")) == [rule]


def test_ipv6_at_exactly_1280_and_ipv4_below_it_are_fine() -> None:
    assert _rules(_BASE % (", mtu: 1280, addresses: ['2001:db8::1/64']", "")) == []
    assert _rules(_BASE % (", mtu: 576, addresses: [192.0.2.1/24]", "")) == []


@pytest.mark.parametrize(
    ("name", "rule"),
    [("lo", "ifname-reserved"), ("all", "ifname-reserved"), ("default", "ifname-reserved"), ("e%d", "ifname-reserved")]
    + [(n, "ifname-unsafe") for n in ("a#b", 'a"b', "a'b", "a\\b", "a\x01b", "a\x7fb")],
)
def test_interface_names_the_kernel_or_ip_batch_would_change(name: str, rule: str) -> None:
    text = f"lab: t\nnodes:\n  h:\n    interfaces:\n      {json.dumps(name)}: {{kind: bridge}}\n"
    assert _rules(text) == [rule]


@pytest.mark.parametrize(("name", "ok"), [("\u00e0", False), ("x\u00a0", False), ("\u00e9", True), ("\u00f1x", True)])
def test_interface_names_are_checked_as_the_kernel_bytes(name: str, ok: bool) -> None:
    """dev_valid_name() tests isspace() byte by byte with the kernel's Latin-1 ctype:
    0xa0 is whitespace to it, so 'à' (c3 a0) is EINVAL while 'é' (c3 a9) is fine."""
    text = f"lab: t\nnodes:\n  h:\n    interfaces:\n      {json.dumps(name)}: {{kind: bridge}}\n"
    assert _rules(text) == ([] if ok else ["bad-value"])


def test_a_veth_peer_named_lo_is_blamed_on_the_peer_field() -> None:
    with pytest.raises(LabInvalid) as e:
        load_text("lab: t\nnodes:\n  h:\n    interfaces:\n      v0: {kind: veth, peer: lo}\n", "x.yaml")
    (issue,) = e.value.issues
    assert (issue.line, issue.col, issue.rule) == (5, 30, "ifname-reserved")


def test_tap_mtu_max_is_65521_and_tun_65535() -> None:
    lab = "lab: t\nnodes:\n  h:\n    interfaces:\n      t0: {kind: %s, mtu: %d}\n"
    assert _rules(lab % ("tap", 65521)) == []
    assert _rules(lab % ("tap", 65522)) == ["mtu-max"]
    assert _rules(lab % ("tun", 65535)) == []


def test_bridge_ports_stop_at_1023() -> None:
    def lab(n: int) -> str:
        ports = "".join(f"      p{i}: {{kind: veth, peer: q{i}, master: br0}}\n" for i in range(n))
        return "lab: t\nnodes:\n  h:\n    interfaces:\n      br0: {kind: bridge}\n" + ports

    assert _rules(lab(1023)) == []
    assert _rules(lab(1100)) == ["bridge-ports"] * 77


def test_switch_ports_stop_at_1023() -> None:
    nodes = "".join(f"  n{i}:\n    interfaces: {{eth0: {{kind: nic, switch: lan}}}}\n" for i in range(1024))
    assert _rules("lab: t\nswitches: {lan: {}}\nnodes:\n" + nodes) == ["bridge-ports"]


# -- an explicit value equal to the one the kernel derives is never an error --------


def test_explicit_macs_equal_to_the_derived_ones_are_valid() -> None:
    text = """lab: t
switches: {lan: {}}
nodes:
  h:
    interfaces:
      eth0: {kind: nic, switch: lan, mac: "02:00:00:00:00:01"}
      v10: {kind: vlan, parent: eth0, id: 10, mac: "02:00:00:00:00:01"}
      eth1: {kind: nic, switch: lan, mac: "02:00:00:00:00:02"}
      pt: {kind: macvlan, parent: eth1, mode: passthru, mac: "02:00:00:00:00:02"}
      eth2: {kind: nic, switch: lan}
      mvt: {kind: macvtap, parent: eth2, mode: bridge, mac: "02:00:00:00:00:05",
            guest: {name: vm1, mac: "02:00:00:00:00:05"}}
"""
    assert _rules(text) == []
    assert _rules(
        text.replace('mode: passthru, mac: "02:00:00:00:00:02"', 'mode: passthru, mac: "02:00:00:00:00:09"')
    ) == ["passthru-mac"]


def test_a_bridge_with_its_ports_mac_is_valid() -> None:
    """The kernel gives a bridge a port's MAC by default (import writes it); a bridge's ports' MACs are all its
    local FDB entries (one station); another device in the domain with that MAC is a duplicate."""
    text = """lab: t
nodes:
  sw:
    interfaces:
      br0: {kind: bridge, mac: "02:00:00:00:00:01", addresses: [192.0.2.1/24]}
      p1: {kind: veth, peer: h/eth0, master: br0, mac: "02:00:00:00:00:01"}
      p2: {kind: veth, peer: g/eth0, master: br0}
  h:
    interfaces: {eth0: {kind: veth, peer: sw/p1, addresses: [192.0.2.2/24]}}
  g:
    interfaces: {eth0: {kind: veth, peer: sw/p2, addresses: [192.0.2.3/24]}}
"""
    assert _rules(text) == []
    assert (
        _rules(
            text.replace(
                "p2: {kind: veth, peer: g/eth0, master: br0}",
                'p2: {kind: veth, peer: g/eth0, master: br0, mac: "02:00:00:00:00:01"}',
            )
        )
        == []
    )
    assert _rules(text.replace("addresses: [192.0.2.3/24]", 'mac: "02:00:00:00:00:01", addresses: [192.0.2.3/24]')) == [
        "duplicate-mac"
    ]


def test_vlans_are_their_own_broadcast_domains() -> None:
    from vnetlab import resolve

    text = """lab: t
switches: {lan: {}}
nodes:
  a:
    interfaces:
      eth0: {kind: nic, switch: lan}
      v10: {kind: vlan, parent: eth0, id: 10, mac: "02:00:00:00:00:10"}
      v20: {kind: vlan, parent: eth0, id: 20, mac: "02:00:00:00:00:10"}
  b:
    interfaces:
      eth0: {kind: nic, switch: lan}
      v10: {kind: vlan, parent: eth0, id: 10}
"""
    d = resolve(load_text(text)).domains
    assert d[("a", "v10")] != d[("a", "eth0")] != d[("a", "v20")] != d[("a", "v10")]
    assert d[("a", "v10")] == d[("b", "v10")]  # one VLAN over one switch is one domain
    assert _rules(text) == []  # one MAC on two VLANs is no duplicate
    dup = text.replace("id: 10}\n", 'id: 10, mac: "02:00:00:00:00:10"}\n')
    assert _rules(dup) == ["duplicate-mac"]  # on the same VLAN of the same switch it is


def test_thousands_of_unresolved_references_validate_fast() -> None:
    """did-you-mean used to compare every reference with every name (58 s here for
    4,000); now names are indexed once and only the first 20 problems get a hint.
    The checker's part must take < 3 s; the YAML parse (ruamel, pure Python) is
    another ~2 s of its own on a busy two-core machine."""
    import time

    from vnetlab.check import check_loaded
    from vnetlab.load import Loaded, parse
    from vnetlab.model import Lab

    ifs = "".join(f"      m{i}: {{kind: macvlan, parent: eth0x{i}}}\n" for i in range(4000))
    text = "lab: t\nnodes:\n  h:\n    interfaces:\n      eth0: {kind: veth, peer: eth1}\n" + ifs
    data, pos, _ = parse(text)
    loaded = Loaded(Lab.model_validate(data), pos)
    t = time.monotonic()
    issues = check_loaded(loaded)
    elapsed = time.monotonic() - t
    assert len(issues) == 4000 and {i.rule for i in issues} == {"unresolved-ref"}
    assert sum("did you mean" in i.message for i in issues) == 20
    assert elapsed < 3, elapsed


def test_folded_text_has_no_fold_markers() -> None:
    """ruamel marks where a folded scalar (>) was folded with a BEL; the value must not keep it."""
    lab = load_text("lab: t\ndescription: >\n  one\n  two\nnodes: {a: {}}\n")
    assert lab.description == "one two\n"


def test_a_format_key_in_the_wrong_place_is_not_suggested_as_itself() -> None:
    """`learning` is a bridge port option: on a switch it is unknown, and the hint must not
    be "did you mean 'learning'?" (found while benchmarking)."""
    text = "lab: l\nswitches:\n  s: {learning: false}\nnodes:\n  a: {interfaces: {eth0: {kind: nic, switch: s}}}\n"
    with pytest.raises(LabInvalid) as e:
        load_text(text)
    msg = str(e.value)
    assert "unknown key 'learning'" in msg and "did you mean 'learning'" not in msg
    assert "is a key of the format, but not here" in msg
