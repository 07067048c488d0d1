"""The ip export of a lab full of shell metacharacters, run for real (issue #12).

The script runs as root in a sandbox with a fresh working directory; every
hostile string would create a canary file there (``id>c1`` …) if the shell
ever read it as code. The devices must exist under exactly the names the lab
gives, as `ip -json` reads them back.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import pytest

from tests.unit.test_hostile_names import HOSTILE, SYSCTL, hostile_ifnames
from vnetlab import load, resolve

from .conftest import ip_json, netns_list


def _run_script(path: str) -> dict:
    script = subprocess.run(
        [sys.executable, "-m", "vnetlab", "export", path, "--format", "ip"], capture_output=True, text=True, check=True
    ).stdout
    with tempfile.TemporaryDirectory() as cwd:
        p = subprocess.run(["sh", "-c", script], cwd=cwd, capture_output=True, text=True, check=False)
        canaries = sorted(os.listdir(cwd))
    names = {ln["ifname"] for ns in netns_list() for ln in ip_json(ns, "link", "show")}
    return {"rc": p.returncode, "stderr": p.stderr, "canaries": canaries, "names": names, "netns": netns_list()}


def test_hostile_names_build_exactly_and_run_nothing(in_sandbox) -> None:
    got = in_sandbox(_run_script, str(HOSTILE))
    assert got["canaries"] == []
    assert got["rc"] == 0, got["stderr"]
    assert hostile_ifnames() <= got["names"]
    assert got["netns"] == ["x--y-n--y", "x--y-n__x", "x--y-s--w"]


def test_hostile_sysctl_value_is_one_word(in_sandbox) -> None:
    got = in_sandbox(_run_script, str(SYSCTL))
    assert got["canaries"] == []
    assert got["rc"] != 0  # the kernel refuses the value; the shell never ran it
    assert "ip_forward" in got["stderr"]


KEYWORDS = HOSTILE.parent / "keywords.yaml"


def test_names_that_are_ip_keywords_build_exactly(in_sandbox) -> None:
    got = in_sandbox(_run_script, str(KEYWORDS))
    assert got["rc"] == 0, got["stderr"]
    assert got["canaries"] == []
    assert {i.name for i in resolve(load(str(KEYWORDS))).ifaces.values()} <= got["names"]


@pytest.mark.parametrize("path", [HOSTILE, KEYWORDS], ids=lambda p: p.name)
def test_hostile_names_script_and_up_build_the_same(in_sandbox, path) -> None:
    from .test_export_ip import _by_script, _by_up

    a = in_sandbox(_by_script, str(path))
    b = in_sandbox(_by_up, str(path))
    assert a.keys() == b.keys() and a
    for ns in a:
        assert a[ns] == b[ns], ns


def _sysctl_entries() -> dict[str, int]:
    """Every /proc/sys/net entry of a fresh namespace with its mode (read only)."""
    out = {}
    for d, _, fs in os.walk("/proc/sys/net"):
        for f in fs:
            p = os.path.join(d, f)
            out[p[len("/proc/sys/") :].replace("/", ".")] = os.stat(p).st_mode & 0o777
    return out


def test_every_allowed_sysctl_is_a_writable_entry_of_a_fresh_namespace(in_sandbox) -> None:
    """The allow-list of model/sysctls.py names entries this kernel has in a new namespace,
    writable there (module-provided directories absent here are skipped)."""
    from vnetlab.model import sysctls

    have = in_sandbox(_sysctl_entries)
    dirs = {k.rsplit(".", 1)[0] for k in have}
    keys = [f"net.{k}" for k in sysctls.FLAT]
    keys += [f"net.ipv4.conf.{d}.{k}" for d in ("all", "default", "lo") for k in sysctls.IPV4_CONF]
    keys += [f"net.ipv6.conf.{d}.{k}" for d in ("all", "default", "lo") for k in sysctls.IPV6_CONF]
    keys += [f"net.ipv{v}.neigh.lo.{k}" for v in (4, 6) for k in sysctls.NEIGH]
    checked = [k for k in keys if k.rsplit(".", 1)[0] in dirs]
    assert len(checked) > 400
    assert [k for k in checked if k not in have] == []
    assert [k for k in checked if not have[k] & 0o200] == []
    # globals stay out even where a child namespace shows them
    assert have.get("net.core.rmem_max", 0) & 0o200 == 0
    for key in ("net.core.rmem_max", "net.ipv4.neigh.default.gc_thresh1", "net.netfilter.nf_hooks_lwtunnel"):
        assert sysctls.classify(key)[0] == "not-netns"
