"""libyaml (the fast composer) and ruamel.yaml (the reference, YAML 1.2) build
the same lab: same data, same positions, same problems, on every shipped lab,
every broken lab, and a few thousand seeded mutations of them.

Two differences are by design and excluded: an empty value (``key:`` with
nothing after it) is placed by libyaml right after its colon, by ruamel at the
next token (often the next line); and a few texts libyaml accepts but ruamel
refuses (``&a:`` anchors, ``!tag,`` in flow) must be refused by the loader
anyway.
"""

from __future__ import annotations

import importlib
import random
from pathlib import Path

import pytest

from tests.conftest import INVALID, LABS

load = importlib.import_module("vnetlab.load")

CORPUS = [*LABS, *INVALID]
PIECES = [
    *":-[]{}'\"!&*#|>?,%@`\n ~0123456789abcyn.\\\r",
    *("!!int ", "&a ", "*a", "- ", ": ", "\n  ", "\r\n", "\x0c", "\x1b", "é", "---\n", "...\n", "? ", "<<: "),
    *("\t", "\x85", "\u2028", "\ufeff", "%YAML 1.1\n---\n", "!!bool ", "0x", "1e3", "~", "null", "True"),
]


def _empty_scalars(text: str, pos: load.Positions, data: object) -> set[tuple]:
    """Paths whose value is null: their position differs between the composers by design."""
    out = set()

    def walk(x: object, path: tuple) -> None:
        if x is None:
            out.add(path)
        elif isinstance(x, dict):
            for k, v in x.items():
                walk(v, (*path, k))
        elif isinstance(x, list):
            for i, v in enumerate(x):
                walk(v, (*path, i))

    walk(data, ())
    return out


def _compare(text: str) -> None:
    fast = load._parse(text, "f")
    slow = load._parse(text, "f", "ruamel")
    if fast[0] is None or slow[0] is None:
        if slow[0] is None and fast[0] is not None:
            assert fast[2], f"libyaml accepts what ruamel refuses ({slow[2]}) without a problem: {text!r}"
        elif fast[0] is None and slow[0] is not None:
            pytest.fail(f"ruamel accepts what the loader refused ({fast[2]}): {text!r}")
        else:
            assert fast[2] == slow[2], text
        return
    assert fast[0] == slow[0], text
    empty = _empty_scalars(text, fast[1], fast[0])
    assert fast[1].keys == slow[1].keys, text
    values_fast = {p: v for p, v in fast[1].values.items() if p not in empty}
    values_slow = {p: v for p, v in slow[1].values.items() if p not in empty}
    assert values_fast == values_slow, text
    if not empty:
        assert fast[2] == slow[2] and fast[3] == slow[3], text


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_both_composers_build_the_same_lab(path: Path) -> None:
    _compare(path.read_text())


@pytest.mark.parametrize("seed", range(4))
def test_both_composers_agree_on_mutated_labs(seed: int) -> None:
    rnd = random.Random(seed)
    texts = [p.read_text() for p in CORPUS]
    for _ in range(500):
        text = rnd.choice(texts)
        for _ in range(rnd.randint(1, 3)):
            i = rnd.randrange(len(text) + 1)
            op = rnd.random()
            if op < 0.45:
                text = text[:i] + rnd.choice(PIECES) + text[i:]
            elif op < 0.75:
                text = text[:i] + text[i + 1 :]
            else:
                j = rnd.randrange(len(text) + 1)
                text = text[:i] + text[j : j + 20] + text[i:]
        _compare(text)


def test_the_fast_composer_is_the_default() -> None:
    text = (Path(__file__).parent.parent.parent / "labs" / "router.yaml").read_text()
    assert load._CLoader is not None, "PyYAML was installed without libyaml"
    root, problem = load._compose(text, "f")
    assert problem is None and type(root).__module__.startswith("yaml")
    root, problem = load._compose(text + "# a\ttab\n", "f")  # 1.1/1.2 differences: ruamel alone
    assert problem is None and type(root).__module__.startswith("ruamel")


@pytest.mark.parametrize(
    "text",
    ["lab: t\nnodes:\n  a: {? }\n", "lab: t\nnodes:\n  a: {?    , b: 1}\n", "lab: t\nnodes:\n  a:\n    ? \n    : 1\n"],
    ids=["flow", "flow-spaces", "block"],
)
def test_an_empty_key_is_reported_at_its_question_mark_by_both_composers(text: str) -> None:
    # libyaml marks an empty key where the next token starts, ruamel at the '?':
    # the user is shown the '?', whichever composer built the lab (found by the mutation test)
    q = next((n + 1, line.index("?") + 1) for n, line in enumerate(text.splitlines()) if "?" in line)
    for engine in (None, "ruamel"):
        issues = load._parse(text, "f", engine)[2]
        assert [(i.line, i.col, i.rule) for i in issues] == [(*q, "yaml-key")], (engine, issues)
