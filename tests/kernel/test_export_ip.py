"""`export --format ip` builds the same lab as `vnetlab up`: run the script in one
sandbox and `up` in another, and compare what `ip -json` reads back."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from tests.conftest import LABS
from vnetlab import load, resolve
from vnetlab.kernel import KernelLab

from .conftest import ip_json, missing_kinds, netns_list

_DAD_FLAGS = ("nodad", "tentative", "dadfailed")
_SYSCTLS = r"^net\.ipv4\.ip_forward$|^net\.ipv[46]\.conf\..*\.(forwarding|rp_filter|arp_ignore|accept_dad|enhanced_dad|addr_gen_mode|disable_ipv6)$"


def _state(names: list[str]) -> dict:
    out = {}
    for ns in names:
        links = {}
        for ln in ip_json(ns, "-d", "link", "show"):
            info = ln.get("linkinfo", {})
            data = info.get("info_data", {})
            links[ln["ifname"]] = {
                "kind": info.get("info_kind"),
                "mac": ln.get("address"),
                "master": ln.get("master"),
                "up": "UP" in ln.get("flags", []),
                "mtu": ln.get("mtu"),
                "mode": data.get("mode"),
                "alias": ln.get("ifalias", "").split(":")[:3] or None,
                "hairpin": info.get("info_slave_data", {}).get("hairpin"),
                "vni": data.get("id"),
                "port": data.get("port"),
            }
        addrs = sorted(  # with the DAD flags: after the script, as after `up`, nothing is tentative
            (a["ifname"], f"{i['local']}/{i['prefixlen']}", *(f for f in _DAD_FLAGS if i.get(f)))
            for a in ip_json(ns, "addr", "show")
            for i in a["addr_info"]
        )
        routes = sorted(  # both families (`ip route show` alone lists IPv4 only), the kernel's own included
            (fam, r.get("dst"), r.get("gateway"), r.get("dev"), r.get("metric", -1), r.get("protocol"))
            for fam in ("-4", "-6")
            for r in ip_json(ns, fam, "route", "show")
        )
        neigh = sorted(
            (n["dst"], n.get("lladdr"), n["dev"])
            for n in ip_json(ns, "neigh", "show")
            if "PERMANENT" in n.get("state", [])
        )
        ruleset = subprocess.run(
            ["ip", "netns", "exec", ns, "nft", "list", "ruleset"], capture_output=True, text=True, check=True
        ).stdout
        bridge_nf = subprocess.run(
            ["ip", "netns", "exec", ns, "sh", "-c", "cat /proc/sys/net/bridge/bridge-nf-call-* 2>/dev/null || true"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        sysctl = subprocess.run(  # what the lab's sysctls and vnetlab's IPv6 set-up touch
            ["ip", "netns", "exec", ns, "sysctl", "-a", "-r", _SYSCTLS],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        out[ns] = {
            "sysctl": sorted(sysctl.splitlines()),
            "links": links,
            "addrs": addrs,
            "routes": routes,
            "neigh": neigh,
            "nft": ruleset,
            "bridge_nf": bridge_nf,
        }
    return out


def _by_script(path: str) -> dict:
    script = subprocess.run(
        [sys.executable, "-m", "vnetlab", "export", path, "--format", "ip"], capture_output=True, text=True, check=True
    ).stdout
    subprocess.run(["sh", "-c", script], check=True, capture_output=True)
    return _state(netns_list())


def _by_up(path: str) -> dict:
    # external guests: the script starts no guest daemon, so a guest's tap has no holder (no carrier:
    # no link-local, its IPv6 addresses tentative) after either
    KernelLab(resolve(load(path))).up(external_guests=True)
    return _state(netns_list())


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.name)
def test_ip_script_builds_what_up_builds(path, in_sandbox) -> None:
    missing = missing_kinds(path)
    if missing:
        pytest.skip(f"this kernel lacks {', '.join(missing)}")
    a = in_sandbox(_by_script, str(path))
    b = in_sandbox(_by_up, str(path))
    assert a.keys() == b.keys()
    for ns in a:
        assert a[ns] == b[ns], ns


#: IPv6 beyond labs/: a user link-local address beside the kernel's, static ND entries (one
#: link-local), routes via a link-local gateway, with a metric and on-link; accept_dad 0 (the
#: kernel's link-local is never tentative), addr_gen_mode 1 (no kernel link-local at all)
V6_EXTRA = """\
lab: v6extra
switches:
  s1: {}
nodes:
  a:
    interfaces:
      eth0: {kind: nic, switch: s1, mac: "02:00:00:00:00:0a", addresses: ["2001:db8:1::1/64", "fe80::a/64"]}
    neighbors:
      - {address: "2001:db8:1::2", lladdr: "02:00:00:00:00:0b", dev: eth0}
      - {address: "fe80::b", lladdr: "02:00:00:00:00:0b", dev: eth0}
    routes:
      - {to: "2001:db8:9::/64", via: "fe80::b", dev: eth0}
      - {to: "2001:db8:8::/64", via: "2001:db8:1::2", metric: 50}
      - {to: "2001:db8:7::/64", dev: eth0}
    sysctl: {net.ipv6.conf.eth0.accept_dad: 0}
  b:
    interfaces:
      eth0: {kind: nic, switch: s1, mac: "02:00:00:00:00:0b", addresses: ["2001:db8:1::2/64", "fe80::b/64"]}
    sysctl: {net.ipv6.conf.eth0.addr_gen_mode: 1, net.ipv6.conf.all.forwarding: 1}
"""

#: DAD that fails: a hairpin port reflects a's solicitation for its link-local address, and without
#: enhanced DAD (its nonce: all. and the device's both 0) a reflected NS is a duplicate
#: (kernel-semantics-ipv6.md V2.8): the link-local and the lab's own address both fail
V6_DAD_FAIL = """\
lab: dadfail
switches:
  s1: {}
nodes:
  a:
    interfaces:
      eth0: {kind: nic, switch: s1, addresses: ["2001:db8:1::1/64"], port: {hairpin: true}}
    sysctl: {net.ipv6.conf.all.enhanced_dad: 0, net.ipv6.conf.eth0.enhanced_dad: 0}
  b:
    interfaces:
      eth0: {kind: nic, switch: s1, addresses: ["2001:db8:1::2/64"]}
"""


def _script_run(path: str) -> tuple[dict, int, str, float]:
    script = subprocess.run(
        [sys.executable, "-m", "vnetlab", "export", path, "--format", "ip"], capture_output=True, text=True, check=True
    ).stdout
    t0 = time.monotonic()
    p = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=False)
    return _state(netns_list()), p.returncode, p.stderr, time.monotonic() - t0


@pytest.mark.parametrize("text", [V6_EXTRA, V6_DAD_FAIL], ids=["v6-extra", "v6-dad-fail"])
def test_ip_script_waits_for_dad_as_up_does(text, in_sandbox, tmp_path) -> None:
    """After the script, as after `up`, no address is tentative: the kernel's link-local addresses
    have finished DAD (or failed it, reported on stderr as `up` reports it), the lab's too."""
    path = tmp_path / "lab.yaml"
    path.write_text(text)
    a, code, err, _ = in_sandbox(_script_run, str(path))
    b = in_sandbox(_by_up, str(path))
    assert code == 0, err
    assert a == b
    addrs = {(ns, *x) for ns, st in a.items() for x in st["addrs"]}
    assert not any("tentative" in x and "dadfailed" not in x for x in addrs), addrs
    failed = sorted(f"{ns}/{x[0]} {x[1]}" for ns, *x in addrs if "dadfailed" in x)
    said = sorted(
        ln.removeprefix("IPv6 duplicate address detection failed: ")
        for ln in err.splitlines()
        if ln.startswith("IPv6 duplicate address detection failed: ")
    )
    assert said == failed, err
    if "dadfail" in text:
        assert [f.split()[0] for f in failed] == ["dadfail-a/eth0"] * 2
        assert failed[0].split()[1] == "2001:db8:1::1/64" and failed[1].split()[1].startswith("fe80::"), failed
    else:
        assert not failed and err == ""
        assert ("v6extra-b", "eth0", "fe80::b/64") in addrs  # addr_gen_mode 1: no kernel link-local
        assert not any(ns == "v6extra-b" and x[1] != "fe80::b/64" and x[1].startswith("fe80") for ns, *x in addrs)


def test_ip_script_of_default_routes_by_device_of_both_families(in_sandbox, tmp_path) -> None:
    """Both families' default routes through a device alone: the script leaves what `up` does
    (the state's routes of both families sort together: IPv4's have no metric)."""
    from tests.kernel.test_import import DEFAULTS_BY_DEV

    path = tmp_path / "lab.yaml"
    path.write_text(DEFAULTS_BY_DEV)
    a, code, err, _ = in_sandbox(_script_run, str(path))
    assert code == 0, err
    assert a == in_sandbox(_by_up, str(path))
    assert any(r[0] == "-6" and r[1] == "default" for r in a["defdev-a"]["routes"])
