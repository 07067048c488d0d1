"""The loader and checker: every broken lab in tests/data/invalid is rejected
with the right LAB:LINE:COL, rule id and exit code 2, and every shipped lab is
accepted. Each data file states what it expects in ``# expect:`` lines."""

from __future__ import annotations

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
        ("huge", b"lab: x\nnodes:\n" + b"  # padding padding padding padding\n" * 300_000, "too-large"),
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
