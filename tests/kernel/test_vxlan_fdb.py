"""vxlan `remotes` (head-end replication) are all-zero FDB entries: `up`, the ip
export and the networkd export make them, `import` reads them back; asserted
with `bridge -json fdb show`, not our own observe()."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT
from vnetlab import load, load_text, resolve
from vnetlab.export import networkd
from vnetlab.kernel import KernelLab

from .conftest import netns_list

LAB = str(ROOT / "labs" / "vxlan-remotes.yaml")


def _zero_dsts() -> dict[str, list[str]]:
    out = {}
    for ns in netns_list():
        p = subprocess.run(["bridge", "-n", ns, "-json", "fdb", "show"], capture_output=True, text=True, check=True)
        dsts = [e["dst"] for e in json.loads(p.stdout or "[]") if e.get("mac") == "00:00:00:00:00:00" and "dst" in e]
        if dsts:
            out[ns] = sorted(dsts)
    return out


def _by_up(path: str) -> tuple[dict, str]:
    KernelLab(resolve(load(path))).up()
    imported = subprocess.run(
        [sys.executable, "-m", "vnetlab", "import", "--all"], capture_output=True, text=True, check=True
    ).stdout
    return _zero_dsts(), imported


def _by_script(path: str) -> dict:
    script = subprocess.run(
        [sys.executable, "-m", "vnetlab", "export", path, "--format", "ip"], capture_output=True, text=True, check=True
    ).stdout
    subprocess.run(["sh", "-c", script], check=True, capture_output=True)
    return _zero_dsts()


EXPECTED = {
    "vxremotes-h1": ["198.51.100.2", "198.51.100.3"],
    "vxremotes-h2": ["198.51.100.1", "198.51.100.3"],
    "vxremotes-h3": ["198.51.100.1"],
}


def test_up_makes_the_all_zero_entries_and_import_reads_them(in_sandbox) -> None:
    dsts, text = in_sandbox(_by_up, LAB)
    assert dsts == EXPECTED
    lab = load_text(text, "imported.yaml")
    vx = {n: lab.nodes[n].interfaces["vx0"] for n in ("h1", "h2", "h3")}
    assert (vx["h1"].remote, tuple(vx["h1"].remotes)) == (None, ("198.51.100.2", "198.51.100.3"))
    assert (vx["h2"].remote, tuple(vx["h2"].remotes)) == ("198.51.100.1", ("198.51.100.3",))
    assert (vx["h3"].remote, tuple(vx["h3"].remotes)) == (None, ("198.51.100.1",))


def test_the_ip_script_makes_the_same_entries(in_sandbox) -> None:
    assert in_sandbox(_by_script, LAB) == EXPECTED


def test_networkd_has_a_bridge_fdb_section_per_remote() -> None:
    files = networkd.files(resolve(load(LAB)))
    h1 = next(t for name, t in files.items() if name.startswith("h1/") and "vx0.network" in name)
    assert h1.count("[BridgeFDB]") == 2
    assert "[BridgeFDB]\nMACAddress=00:00:00:00:00:00\nDestination=198.51.100.2\n" in h1
