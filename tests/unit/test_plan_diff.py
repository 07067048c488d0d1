"""`plan OLD NEW`: the smallest change from one lab to another (vnetlab.plan.diff).
What the kernel changes in place is one `ip link set`-like change; what it
cannot (a macvlan to passthru, another parent) is deleted and made again with
the reason, and takes its children with it; nothing else is touched."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT
from vnetlab import load, load_text, resolve
from vnetlab.plan import build_plan
from vnetlab.plan.diff import diff, step_from_dict
from vnetlab.steps import lab_after, states

MODES = (ROOT / "labs" / "macvlan-modes.yaml").read_text()
LINE = "mv0: {kind: macvlan, parent: bridge/eth0, mode: bridge, addresses: [198.51.100.11/24]}"


def _plan(text: str):
    return build_plan(resolve(load_text(text)))


def _texts(old: str, new: str) -> list[tuple[str, str, str]]:
    return [(c.action, c.step.ns, c.describe()) for c in diff(_plan(old), _plan(new)) if c.action != "refresh"]


def test_the_same_lab_is_no_change() -> None:
    assert diff(_plan(MODES), _plan(MODES)) == []


def test_a_port_flag_and_a_macvlan_mode_change_in_place() -> None:
    new = MODES.replace(LINE, LINE.replace("mode: bridge", "mode: vepa")).replace(
        "port: {hairpin: true}", "port: {hairpin: false}"
    )
    assert _texts(MODES, new) == [
        ("change", "b1", "set mv0 mode bridge -> vepa"),
        ("change", "lan", "set port p1 hairpin True -> False"),
    ]


def test_what_the_kernel_cannot_change_is_made_again_with_the_reason_and_takes_its_children() -> None:
    lab = MODES.replace(LINE, LINE + "\n      v10: {kind: vlan, parent: mv0, id: 10}")
    moved = lab.replace(LINE, LINE.replace("parent: bridge/eth0", "parent: vepa/eth0"))
    got = _texts(lab, moved)
    assert ("change", "b1", "delete vlan v10 (its lower device mv0 is recreated)") in got
    assert (
        "change",
        "b1",
        "delete macvlan mv0 (another parent: a lower device is fixed when the device is created)",
    ) in got
    # children are deleted before their parent and made again after it
    kinds = [t for _, _, t in got]
    dels = [i for i, t in enumerate(kinds) if t.startswith("delete")]
    adds = [i for i, t in enumerate(kinds) if t.startswith("add vlan") or t.startswith("add macvlan")]
    assert kinds[dels[0]].startswith("delete vlan") and kinds[adds[0]].startswith("add macvlan")
    assert max(dels) < min(adds)
    # nobody else is touched
    assert {ns for _, ns, _ in got} == {"b1"}


def test_passthru_is_not_switched_in_place() -> None:
    one = "lab: pt\nnodes:\n  h:\n    interfaces:\n      e0: {kind: veth, peer: e1}\n      e1: {kind: veth, peer: e0}\n"
    a = one + "      m0: {kind: macvlan, parent: e1, mode: vepa}\n"
    b = one + "      m0: {kind: macvlan, parent: e1, mode: passthru}\n"
    got = _texts(a, b)
    assert got[0] == (
        "change",
        "h",
        "delete macvlan m0 (macvlan mode to or from passthru: the kernel refuses it on a live device "
        "(macvlan_changelink))",
    )


def test_a_new_node_and_a_removed_one() -> None:
    add = MODES.replace(
        "  peer:\n", "  n9:\n    interfaces:\n      m: {kind: macvlan, parent: peer/eth0, mode: bridge}\n  peer:\n"
    )
    got = _texts(MODES, add)
    assert got[0] == ("create", "n9", "create namespace mvmodes-n9")
    assert ("create", "n9", "set m up") in got and all(ns == "n9" for _, ns, _ in got)
    back = _texts(add, MODES)
    assert back == [("delete", "n9", "delete namespace mvmodes-n9")]  # its devices go with it


def test_steps_survive_their_json_form() -> None:
    for s in _plan(MODES):
        assert step_from_dict(json.loads(json.dumps(s.as_dict()))).as_dict() == s.as_dict()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vnetlab", *args], capture_output=True, text=True, check=False)


def test_plan_old_new_on_the_command_line(tmp_path) -> None:
    new = tmp_path / "new.yaml"
    new.write_text(MODES.replace("port: {hairpin: true}", "port: {hairpin: false}"))
    p = _cli("plan", str(ROOT / "labs" / "macvlan-modes.yaml"), str(new), "--json")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["summary"] == {"create": 0, "change": 1, "delete": 0, "refresh": 0}
    assert doc["changes"][0]["text"] == "set port p1 hairpin True -> False" and doc["changes"][0]["node"] == "lan"
    p = _cli("plan", str(ROOT / "labs" / "steps-link-down.yaml"), "--step", "parent up")
    assert p.returncode == 0 and "node host:\n  change set eth0 up" in p.stdout
    other = _cli("plan", str(ROOT / "labs" / "macvlan-modes.yaml"), str(ROOT / "labs" / "router.yaml"))
    assert other.returncode == 2 and "another lab" in other.stderr


def test_a_ruleset_is_loaded_again_where_a_device_is_made_again() -> None:
    """nft resolves `iif "mv0"` to an index when it loads the rule: a node whose
    mv0 is recreated gets its unchanged ruleset loaded again (the kernel test of
    tests/data/steps-nft-recreate.yaml shows the stale rule dropping otherwise);
    a node where no device comes or goes keeps its ruleset untouched."""
    lab = load(ROOT / "tests" / "data" / "steps-nft-recreate.yaml")
    ((_, after),) = states(lab)
    changes = diff(build_plan(resolve(lab_after(lab, None))), build_plan(resolve(after)))
    nft = [(c.action, c.step.ns) for c in changes if c.step.op == "nft"]
    assert nft == [("refresh", "srv")]
    text = (ROOT / "tests" / "data" / "steps-nft-recreate.yaml").read_text().replace("mode: passthru", "mode: vepa")
    lab2 = load_text(text)
    ((_, after2),) = states(lab2)
    assert [
        c for c in diff(build_plan(resolve(lab_after(lab2, None))), build_plan(resolve(after2))) if c.step.op == "nft"
    ] == []
