"""steps: (format v1.1): the JSON merge patch, and the lab after each step."""

from __future__ import annotations

import pytest

from tests.conftest import LABS
from vnetlab import load, load_text
from vnetlab.errors import InputError
from vnetlab.steps import lab_after, merge_patch, states

# RFC 7386, Appendix A: (original, patch, result)
RFC7386 = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("original", "patch", "result"), RFC7386)
def test_merge_patch_rfc7386_examples(original, patch, result) -> None:
    import copy

    before = copy.deepcopy(original)
    assert merge_patch(original, patch) == result
    assert original == before  # the target is not modified


LAB = """\
lab: t
switches: {lan: {}}
nodes:
  a:
    interfaces:
      eth0: {kind: nic, switch: lan, addresses: [192.0.2.1/24]}
  b:
    interfaces:
      eth0: {kind: nic, switch: lan, addresses: [192.0.2.2/24]}
expect:
  - {from: a, to: b, reach: true}
steps:
  - name: b down
    set: {nodes: {b: {interfaces: {eth0: {up: false}}}}}
    expect: [{from: a, to: b, reach: false}]
  - name: hairpin
    set: {switches: {lan: {hairpin: true}}}
  - name: b up, no address
    set: {nodes: {b: {interfaces: {eth0: {up: null, addresses: null}}}}}
"""


def test_each_step_builds_on_the_previous_one() -> None:
    lab = load_text(LAB)
    got = list(states(lab))
    assert [n for n, _ in got] == ["b down", "hairpin", "b up, no address"]
    down, hairpin, back = (s for _, s in got)
    assert down.nodes["b"].interfaces["eth0"].up is False
    assert [e.reach for e in down.expect] == [False] and not down.steps
    assert hairpin.switches["lan"].hairpin and hairpin.nodes["b"].interfaces["eth0"].up is False
    assert hairpin.expect == ()  # a step's expectations are its own
    assert back.nodes["b"].interfaces["eth0"].up is True and back.nodes["b"].interfaces["eth0"].addresses == ()
    assert back.switches["lan"].hairpin
    assert lab_after(lab, "hairpin") == hairpin
    assert lab_after(lab, None).expect == lab.expect and not lab_after(lab, None).steps


def test_unknown_step_lists_the_names() -> None:
    with pytest.raises(InputError, match="'b down', 'hairpin', 'b up, no address'"):
        lab_after(load_text(LAB), "nope")


@pytest.mark.parametrize("path", [p for p in LABS if "steps:" in p.read_text()], ids=lambda p: p.name)
def test_shipped_step_labs_have_expectations_per_step(path) -> None:
    lab = load(path)
    assert lab.steps
    assert all(s.expect for s in lab.steps)


def test_validate_counts_steps(run_cli, tmp_path) -> None:
    p = tmp_path / "lab.yaml"
    p.write_text(LAB)
    code, out, _ = run_cli("validate", str(p))
    assert code == 0
    assert "3 steps (1 expectations)" in out
