"""`vnetlab import` reads a running lab back: the result validates, describes
the same interfaces, and the simulator finds the same reachability in it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import LABS
from vnetlab import load, load_text, resolve
from vnetlab.kernel import KernelLab
from vnetlab.sim import Simulator, sim_unsupported

from .conftest import missing_kinds
from .test_export_ip import V6_EXTRA


def _up_and_import(path: str) -> str:
    KernelLab(resolve(load(path))).up()
    return subprocess.run(
        [sys.executable, "-m", "vnetlab", "import", "--all"], capture_output=True, text=True, check=True
    ).stdout


def _ifaces(r) -> set:
    out = set()
    for i in r.ifaces.values():
        if i.implicit:
            continue
        out.add(
            (i.node, i.name, i.kind, getattr(i.spec, "mode", None), i.mac, tuple(sorted(i.spec.addresses)), i.spec.up)
        )
    return out


def _v6(r) -> dict:
    """Per node, its IPv6 routes (`dev` aside: import always writes it), static ND entries and
    net.ipv6 sysctls: what the kernel made itself (link-local routes and addresses) is none of them."""
    out = {}
    for name, n in r.lab.nodes.items():
        v6 = [rt for rt in n.routes if ":" in str(rt.to) + str(rt.via or "")]
        out[name] = {
            "routes": sorted((str(rt.to), str(rt.via), rt.metric if rt.metric != 1024 else None) for rt in v6),
            "neigh": sorted(
                (str(nb.address), str(nb.lladdr).lower(), nb.dev) for nb in n.neighbors if ":" in str(nb.address)
            ),
            "sysctl": {k: int(v) for k, v in n.sysctl.items() if k.startswith("net.ipv6.")},
        }
    return out


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.name)
def test_import_round_trip(path, in_sandbox) -> None:
    if missing_kinds(path):
        pytest.skip("this kernel lacks a kind the lab uses")
    original = resolve(load(path))
    text = in_sandbox(_up_and_import, str(path))
    imported = resolve(load_text(text, "imported.yaml"))
    assert imported.lab.lab == original.lab.lab
    assert set(imported.lab.switches) == set(original.lab.switches)
    assert _ifaces(imported) == _ifaces(original)
    assert _v6(imported) == _v6(original)
    # a ruleset comes back where there was one (its text is nft's listing: tests/kernel/test_nftables.py)
    assert {n for n, v in imported.lab.nodes.items() if v.nftables} == {
        n for n, v in original.lab.nodes.items() if v.nftables
    }
    if sim_unsupported(original.lab) or original.guests:
        # the simulator cannot judge this lab (the kernel test of the lab does), or it has guests,
        # which live in the lab file, not in the kernel: the imported lab has taps nobody holds
        return
    a, b = Simulator(original).matrix(), Simulator(imported).matrix()
    flat = lambda m: {(s, t): v for s, row in m["rows"].items() for t, v in row.items()}  # noqa: E731
    assert flat(a) == flat(b)


def _vnetlab(*args: str) -> tuple[int, str, str]:
    p = subprocess.run([sys.executable, "-m", "vnetlab", *args], capture_output=True, text=True, check=False)
    return p.returncode, p.stdout, p.stderr


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


def _import_paths() -> dict:
    _ip("netns", "add", "real")
    open("/run/netns/plain", "w").close()  # a file in /run/netns that is no namespace
    return {
        arg: _vnetlab("import", "--netns", arg)
        for arg in ("../../proc/1/ns/net", "/proc/1/ns/net", "..", ".", "", "real/..", "nope", "plain")
    }


def test_import_takes_namespace_names_only(in_sandbox) -> None:
    """--netns is a name under /run/netns, as `ip netns` takes it: a path
    (../../proc/1/ns/net would read PID 1's namespace) is bad input."""
    for arg, (code, out, err) in in_sandbox(_import_paths).items():
        assert code == 2 and out == "", (arg, code, out, err)
        assert err.startswith("error: ") and "Traceback" not in err, (arg, err)
        if arg in ("nope",):
            assert "no named network namespace 'nope'" in err
        elif arg == "plain":
            assert "is not a network namespace" in err
        else:
            assert "is not a namespace name" in err, (arg, err)


def _import_odd(tmp: str) -> dict:
    _ip("netns", "add", "only-lo")  # nothing but lo
    _ip("netns", "add", "far")  # not imported: what points there cannot be described
    _ip("netns", "add", "odd")
    _ip("-n", "odd", "link", "add", "on", "type", "veth", "peer", "name", "x{y")  # YAML would read `on` as true
    _ip("-n", "odd", "link", "add", "e\x1b[31m", "type", "veth", "peer", "name", "f\x1b]0;x\x07")  # terminal escapes
    _ip("-n", "odd", "link", "add", "v0", "type", "veth", "peer", "name", "v1", "netns", "far")
    _ip("-n", "odd", "link", "add", "link", "v0", "name", "mv0", "type", "macvlan")  # its parent is left out
    _ip("-n", "odd", "link", "add", "br0", "type", "bridge")
    _ip("-n", "odd", "addr", "add", "192.0.2.1/24", "dev", "v0")
    _ip("-n", "odd", "link", "set", "v0", "up")
    _ip("-n", "odd", "route", "add", "198.51.100.0/24", "dev", "v0")
    _ip("-n", "odd", "neigh", "add", "192.0.2.9", "lladdr", "02:00:00:00:00:09", "dev", "v0")
    out = {}
    for name, args in {"only-lo": ["--netns", "only-lo"], "odd": ["--netns", "odd", "--netns", "only-lo"]}.items():
        path = f"{tmp}/{name}.yaml"
        out[name] = (_vnetlab("import", *args, "-o", path), _vnetlab("validate", path), Path(path).read_text())
    return out


def test_import_always_writes_a_lab_that_validates(in_sandbox, tmp_path) -> None:
    """A namespace holding only lo, names YAML would misread, and links whose
    peer or parent is in a namespace not imported: what import writes validates."""
    res = in_sandbox(_import_odd, str(tmp_path))
    for name, (imp, val, text) in res.items():
        assert imp[0] == 0, (name, imp)
        assert val[0] == 0, (name, val, text)
    lab = resolve(load_text(res["odd"][2], "odd.yaml"))
    assert set(lab.lab.nodes) == {"odd", "only-lo"} and lab.lab.nodes["only-lo"].interfaces == {}
    odd = lab.lab.nodes["odd"].interfaces
    assert {"on", "x{y", "br0"} <= set(odd) and "v0" not in odd and "mv0" not in odd, res["odd"][2]
    assert odd["on"].peer == "x{y"
    # names with escapes are written escaped (quoted), never raw, whether the lab format takes them or not
    assert not any(c in res["odd"][2] for c in "\x1b\x07"), res["odd"][2]
    assert "e\x1b[31m" in odd or '# left out: "e\\u001b[31m"' in res["odd"][2]
    # what is left out is said, in comments: the lab still describes only what it can
    assert "# left out: v0 (its peer is left out or in a namespace not imported)" in res["odd"][2]
    assert "# left out: mv0 (its parent is left out or in a namespace not imported)" in res["odd"][2]


def test_import_round_trip_ipv6_details(in_sandbox, tmp_path) -> None:
    """A user link-local address comes back, the kernel's never; static ND entries, routes via a
    link-local gateway, with a metric and on-link, and IPv6 sysctls (per device, and all.forwarding)
    come back as the lab wrote them; the imported lab builds the same kernel state again."""
    path = tmp_path / "lab.yaml"
    path.write_text(V6_EXTRA)
    original = resolve(load(path))
    text = in_sandbox(_up_and_import, str(path))
    imported = resolve(load_text(text, "imported.yaml"))
    assert _ifaces(imported) == _ifaces(original), text
    assert _v6(imported) == _v6(original), text
    # the lab's link-local addresses only: not the kernel's EUI-64 one on a (b has addr_gen_mode 1)
    assert set(re.findall(r"fe80::[0-9a-f:]*", text)) == {"fe80::a", "fe80::b"}, text


#: a default route of each family through a device alone (no via): `to: default` is IPv4's
#: (plan/routes.py route_key), so import must write the IPv6 one as ::/0 — it wrote both as
#: `default` and refused its own output [route-exists] (found by the ipvlan work, §11.19)
DEFAULTS_BY_DEV = """\
lab: defdev
nodes:
  a:
    interfaces:
      v0: {kind: veth, peer: b/v0, addresses: [198.51.100.1/30, "2001:db8:7::1/64"]}
    routes: [{to: default, dev: v0}, {to: "::/0", dev: v0}]
  b:
    interfaces:
      v0: {kind: veth, peer: a/v0, addresses: [198.51.100.2/30, "2001:db8:7::2/64"]}
"""


def test_import_writes_an_ipv6_default_route_by_device_as_such(in_sandbox, tmp_path) -> None:
    path = tmp_path / "lab.yaml"
    path.write_text(DEFAULTS_BY_DEV)
    text = in_sandbox(_up_and_import, str(path))
    imported = resolve(load_text(text, "imported.yaml"))  # InputError before: route-exists
    routes = sorted((str(rt.to), rt.via, rt.dev) for rt in imported.lab.nodes["a"].routes)
    assert routes == [("::/0", None, "v0"), ("default", None, "v0")]
    assert _v6(imported) == _v6(resolve(load(path)))
