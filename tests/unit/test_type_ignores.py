"""Every `# type: ignore` in src/ names its error code and says why on its own line.

(mypy itself reports an ignore without a code and one that no longer silences
anything; the reason is this test's.) Modules that pyproject.toml exempts from
mypy for now (``ignore_errors``) are exempt here too, and only while they are.
"""

from __future__ import annotations

import io
import re
import tokenize
import tomllib
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
#: `# type: ignore[code, ...]` then, in the same comment, `# why`
IGNORE = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[^\]]*\])?(?P<rest>.*)$")
REASON = re.compile(r"^\s*#\s*\S.{4,}")


def _exempt_patterns() -> list[str]:
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text())
    out: list[str] = []
    for o in conf["tool"]["mypy"].get("overrides", []):
        if o.get("ignore_errors"):
            mods = o["module"]
            out.extend([mods] if isinstance(mods, str) else mods)
    return out


def _module(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _bad_ignores(text: str) -> list[tuple[int, str]]:
    bad = []
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type != tokenize.COMMENT:
            continue
        m = IGNORE.search(tok.string)
        if m and (not m.group("codes") or not REASON.match(m.group("rest"))):
            bad.append((tok.start[0], tok.string))
    return bad


def test_the_checker_finds_a_bare_ignore() -> None:
    assert _bad_ignores("x = f()  # type: ignore\n")
    assert _bad_ignores("x = f()  # type: ignore[attr-defined]\n")
    assert not _bad_ignores("x = f()  # type: ignore[attr-defined]  # pyroute2 has no stubs\n")
    assert not _bad_ignores('s = "# type: ignore"\n')  # in a string, not a comment


def test_every_type_ignore_has_a_code_and_a_reason() -> None:
    exempt = _exempt_patterns()
    found = []
    for path in sorted(SRC.rglob("*.py")):
        mod = _module(path)
        if any(mod == p or fnmatch(mod, p) for p in exempt):
            continue
        found += [f"{path.relative_to(ROOT)}:{n}: {c}" for n, c in _bad_ignores(path.read_text())]
    assert not found, "a type: ignore needs [its-code] and '  # why' after it:\n" + "\n".join(found)
