"""YAML text → Lab, with every problem located as ``LAB:LINE:COL``.

The loader composes the YAML and builds plain data itself, so that it can
record the position of every key and value, report duplicate keys at their
second occurrence, and bound what it accepts (size, depth, node count)
instead of crashing. Scalars are typed by YAML 1.2's core schema (only
``true``/``false`` are booleans); an explicit tag (``!!int``, ``!!bool``,
``!foo``) is refused, since a lab's types come from its fields.

Composing uses libyaml through PyYAML's C loader (an order of magnitude faster
than a pure-Python parser); when libyaml refuses the text, ruamel.yaml
(pure, YAML 1.2) composes it again, so a syntax error reads the same whatever
the parser, and a text only ruamel accepts still loads. Pydantic then
validates the data; its error locations are mapped back to positions.
Nothing here touches the system.
"""

from __future__ import annotations

import gc
import operator
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pydantic import ValidationError

from .check import check_loaded  # the cross-object rules (check never imports load)
from .errors import QUOTE_MAX, InputError, Issue, LabInvalid, printable, quote
from .model import KINDS, Lab
from .model.base import Frozen
from .positions import Loaded, Path_, Positions, Remapped

try:  # libyaml through PyYAML; without it, ruamel does all the composing
    import yaml as _pyyaml

    _CLoader: Any = _pyyaml.CSafeLoader
except (ImportError, AttributeError):  # pragma: no cover - PyYAML without libyaml
    _CLoader = None  # (and _pyyaml is read only where _CLoader is set)

MAX_BYTES = 64 << 20
#: YAML nodes built (aliases expanded): this many, plus one per two bytes of
#: text, as many as a plain file of that size can hold: an alias bomb fails.
MAX_NODES = 200_000
MAX_DEPTH = 64
#: A text libyaml refuses is composed again by ruamel for its message up to
#: this size (ruamel takes about a second per MiB); past it libyaml's stands.
RUAMEL_MAX = 2 << 20
#: "did you mean" hints: given for this many problems only, each one against
#: at most MAX_CANDIDATES names (difflib is quadratic).
MAX_HINTS = 20
MAX_CANDIDATES = 2000
#: An integer with more digits than this is refused (no field needs one, and
#: Python refuses to convert past 4300 digits).
MAX_DIGITS = 100


# Tags the composers give a node written without one (never a real tag).
_PLAIN = ""  # a plain scalar: typed by the core schema
_OTHER = " "  # a quoted or block scalar (a string), or a collection


if _CLoader is not None:

    class _Loader(_CLoader):
        """libyaml: the same, for PyYAML's C composer."""

        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            return _PLAIN if kind is _pyyaml.ScalarNode and implicit[0] else _OTHER

        # The composer calls these for path resolvers (none here) at every
        # node: C no-ops of the same arity save a Python call each.
        descend_resolver = operator.is_
        ascend_resolver = tuple


# The composers make exactly these classes (compared by identity: the builder's hot loop).
# Their nodes are Any: ruamel's and PyYAML's node classes share no base class.
# ruamel's are added by _ruamel(), before it composes anything.
_MAPPING_TYPES: frozenset[type[Any]] = frozenset([_pyyaml.MappingNode] if _CLoader is not None else [])
_SEQUENCE_TYPES: frozenset[type[Any]] = frozenset([_pyyaml.SequenceNode] if _CLoader is not None else [])
_SCALAR_TYPES: frozenset[type[Any]] = frozenset([_pyyaml.ScalarNode] if _CLoader is not None else [])
_RUAMEL: SimpleNamespace | None = None


def _ruamel() -> SimpleNamespace:
    """ruamel.yaml, imported on first use (it composes only what libyaml refuses, or
    everything under VNETLAB_YAML=ruamel): a valid lab loads without paying its import."""
    global _RUAMEL, _MAPPING_TYPES, _SEQUENCE_TYPES, _SCALAR_TYPES
    if _RUAMEL is not None:
        return _RUAMEL
    from ruamel.yaml import YAML
    from ruamel.yaml import nodes as rnodes
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.resolver import VersionedResolver
    from ruamel.yaml.tag import Tag

    class _Resolver(VersionedResolver):
        """ruamel: tell untagged nodes apart from tagged ones instead of resolving."""

        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            return Tag(suffix=_PLAIN if kind is rnodes.ScalarNode and implicit[0] else _OTHER)

    _MAPPING_TYPES = _MAPPING_TYPES | {rnodes.MappingNode}
    _SEQUENCE_TYPES = _SEQUENCE_TYPES | {rnodes.SequenceNode}
    _SCALAR_TYPES = _SCALAR_TYPES | {rnodes.ScalarNode}
    _RUAMEL = SimpleNamespace(
        YAML=YAML, nodes=rnodes, MarkedYAMLError=MarkedYAMLError, YAMLError=YAMLError, Resolver=_Resolver
    )
    return _RUAMEL


# YAML 1.2 core schema, as ruamel.yaml resolves plain scalars.
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_NULLS = frozenset({"~", "null", "Null", "NULL"})
_FLOAT = re.compile(
    r"[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)"
    r"|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)"
    r"|\.(?:nan|NaN|NAN)"
)
_INT = re.compile(r"[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+")
_NUMERIC_START = frozenset("-+0123456789.")
#: first characters of plain scalars that may be something else than a string
_TYPED_START = frozenset("tTfF~nN") | _NUMERIC_START


def _tag_name(tag: str) -> str:
    return "!!" + tag[18:] if tag.startswith("tag:yaml.org,2002:") else tag


class _Builder:
    """Turns composed YAML nodes (libyaml's or ruamel's) into plain data while recording positions."""

    def __init__(self, pos: Positions, max_nodes: int = MAX_NODES, text: str = ""):
        self.pos = pos
        self.text = text
        self._lines: list[str] | None = None
        self.issues: list[Issue] = []
        #: positions of scalars the loader refused (a type error there is the same problem)
        self.refused: set[tuple[int, int]] = set()
        self.count = 0
        self.max_nodes = max_nodes

    def _issue(self, node: Any, rule: str, message: str) -> Issue:
        m = node.start_mark
        issue = Issue(self.pos.file, m.line + 1, m.column + 1, rule, message)
        self.issues.append(issue)
        return issue

    def _empty_key(self, knode: Any) -> None:
        """A null key. An empty one (``{? }``) has no text of its own: libyaml marks it
        where the next token starts, ruamel at its ``?``. Report the ``?`` (what the
        user wrote), whichever composer built it."""
        m = knode.start_mark
        line, col = m.line + 1, m.column + 1
        if not knode.value and self.text:
            if self._lines is None:
                self._lines = self.text.splitlines()
            row = self._lines[m.line] if m.line < len(self._lines) else ""
            before = row[: m.column].rstrip(" \t")
            if before.endswith("?"):
                col = len(before)
        self.issues.append(Issue(self.pos.file, line, col, "yaml-key", "a key must be a plain scalar"))

    def build(self, node: Any, path: Path_, depth: int = 0) -> Any:
        self.count += 1
        if self.count > self.max_nodes:
            raise _TooBig(f"the file has more than {self.max_nodes} YAML nodes (aliases expanded)")
        if depth > MAX_DEPTH:
            raise _TooBig(f"the file nests deeper than {MAX_DEPTH} levels")
        mark = node.start_mark
        values = self.pos.values
        values[path] = (mark.line + 1, mark.column + 1)
        cls = node.__class__
        if cls in _SCALAR_TYPES:
            return self.scalar(node)
        tag = node.tag
        if tag != _OTHER and tag != _PLAIN:
            self._tagged(node, tag)
        # The hot loop (a large lab is a million of these): scalars are built
        # inline, and plain strings that cannot be anything else skip scalar().
        leaf = depth < MAX_DEPTH
        if cls in _MAPPING_TYPES:
            out: dict[Any, Any] = {}
            keys = self.pos.keys
            for knode, vnode in node.value:
                if knode.__class__ not in _SCALAR_TYPES:
                    self._issue(knode, "yaml-key", "a key must be a plain scalar")
                    continue
                key = knode.value
                if knode.tag != _OTHER and (knode.tag != _PLAIN or not key or key[0] in _TYPED_START):
                    key = self.scalar(knode)
                    if key is None:
                        self._empty_key(knode)
                        continue
                kmark = knode.start_mark
                sub = (*path, key)
                if key in out:
                    self._issue(
                        knode,
                        "duplicate-key",
                        f"duplicate key {quote(key)} (first given on line {keys[sub][0]}); "
                        "a key given twice is an error, not an overwrite",
                    )
                    continue
                keys[sub] = (kmark.line + 1, kmark.column + 1)
                if leaf and vnode.__class__ in _SCALAR_TYPES:
                    self.count += 1
                    vmark = vnode.start_mark
                    values[sub] = (vmark.line + 1, vmark.column + 1)
                    v = vnode.value
                    if vnode.tag != _OTHER and (vnode.tag != _PLAIN or not v or v[0] in _TYPED_START):
                        v = self.scalar(vnode)
                    out[key] = v
                else:
                    out[key] = self.build(vnode, sub, depth + 1)
            if self.count > self.max_nodes:
                raise _TooBig(f"the file has more than {self.max_nodes} YAML nodes (aliases expanded)")
            return out
        if cls in _SEQUENCE_TYPES:
            items = []
            for i, n in enumerate(node.value):
                if leaf and n.__class__ in _SCALAR_TYPES:
                    self.count += 1
                    nmark = n.start_mark
                    values[(*path, i)] = (nmark.line + 1, nmark.column + 1)
                    v = n.value
                    if n.tag != _OTHER and (n.tag != _PLAIN or not v or v[0] in _TYPED_START):
                        v = self.scalar(n)
                    items.append(v)
                else:
                    items.append(self.build(n, (*path, i), depth + 1))
            if self.count > self.max_nodes:
                raise _TooBig(f"the file has more than {self.max_nodes} YAML nodes (aliases expanded)")
            return items
        raise _TooBig("unknown YAML node")  # pragma: no cover - composers make only these three

    def _tagged(self, node: Any, tag: str) -> None:
        self._issue(
            node,
            "yaml-tag",
            f"explicit YAML tag {quote(_tag_name(tag))} is not allowed: each field has one type "
            "(write the value plainly; quote it to make it a string)",
        )

    def scalar(self, node: Any) -> Any:
        text: str = node.value
        tag = node.tag
        if tag == _OTHER:
            return text
        if tag != _PLAIN:
            self._tagged(node, tag)
            m = node.start_mark
            self.refused.add((m.line + 1, m.column + 1))
            if node.style:  # quoted or block: a string, whatever the tag says
                return text
        if not text:
            return None
        c = text[0]
        if c in "tTfF":
            return _BOOLS.get(text, text)
        if c in _NUMERIC_START:
            if _FLOAT.fullmatch(text):
                try:
                    return float(text)
                except ValueError:
                    return text
            if _INT.fullmatch(text):
                return self._int(node, text)
            return text
        if c in "~nN" and text in _NULLS:
            return None
        return text

    def _int(self, node: Any, text: str) -> Any:
        t = text.replace("_", "")
        sign = -1 if t.startswith("-") else 1
        t = t.lstrip("+-")
        base = 10
        if t[:2] in ("0x", "0X"):
            base, t = 16, t[2:]
        elif t[:2] in ("0o", "0O"):
            base, t = 8, t[2:]
        elif t[:2] in ("0b", "0B"):
            base, t = 2, t[2:]
        if len(t.lstrip("0")) > MAX_DIGITS:
            m = node.start_mark
            self.refused.add((m.line + 1, m.column + 1))
            self._issue(node, "bad-value", f"a number of {len(t)} digits is too large (at most {MAX_DIGITS})")
            return text
        try:
            return sign * int(t, base)
        except ValueError:  # "_", "0o": the core schema's pattern, but no number
            return text


class _TooBig(Exception):
    pass


def _all_field_names() -> set[str]:
    names: set[str] = set()
    stack: list[type[Frozen]] = [Lab]
    seen: set[type] = set()
    for k in KINDS.values():
        stack.append(k)
    while stack:
        cls = stack.pop()
        if cls in seen:
            continue
        seen.add(cls)
        for fname, f in cls.model_fields.items():
            names.add(f.alias or fname)
        for sub in Frozen.__subclasses__():
            stack.append(sub)
    return names


_FIELDS = _all_field_names()


class _Hints:
    """'did you mean' for the first MAX_HINTS problems only, against a capped candidate list."""

    def __init__(self) -> None:
        self.left = MAX_HINTS

    def close(self, word: str, options: Iterable[str], cutoff: float = 0.6) -> str | None:
        if self.left <= 0 or len(word) > 64:
            return None
        self.left -= 1
        cands = []
        for o in options:
            cands.append(o)
            if len(cands) >= MAX_CANDIDATES:
                break
        import difflib  # only for a lab with unresolved names

        m = difflib.get_close_matches(word, cands, n=1, cutoff=cutoff)
        return m[0] if m else None

    def hint(self, word: str, options: Iterable[str], cutoff: float = 0.6) -> str:
        m = self.close(word, options, cutoff)
        return f"; did you mean {quote(m)}?" if m is not None else ""


_SORTED_FIELDS = sorted(_FIELDS)


def _kind_hint(key: str, kind: str | None, hints: _Hints) -> str:
    owners = sorted(k for k, cls in KINDS.items() if key in cls.model_fields)
    if owners and kind:
        return f"; {quote(key)} is not a field of kind {kind}, only of {', '.join(owners)}"
    if key in _FIELDS:  # a key of the format, in the wrong place: naming it again would not help
        return f"; {quote(key)} is a key of the format, but not here"
    return hints.hint(key, _SORTED_FIELDS, cutoff=0.7)


def _describe(v: Any) -> str:
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, list):
        return "a list"
    if v is None:
        return "nothing (null)"
    return quote(v)


def _what(v: Any) -> str:
    """What a value is, without quoting it (for text that may not be a lab at all)."""
    if isinstance(v, str):
        return f"a string of {len(v)} characters"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (int, float)):
        return "a number"
    return _describe(v)


_MISSING = object()


def _child(data: Any, key: str | int) -> Any:
    """``data[key]`` where the data has it (a mapping's key, a list's index), else ``_MISSING``."""
    if isinstance(data, dict):
        return data.get(key, _MISSING)
    if isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
        return data[key]
    return _MISSING


def _data_path(data: Any, loc: Iterable[str | int]) -> tuple[Path_, str | None]:
    """Map a pydantic ``loc`` onto a path in the data.

    Elements that are not in the data (the discriminator tag of a union,
    ``[key]``) are skipped; the kind tag is returned for hints.
    """
    path: list[str | int] = []
    cur = data
    kind = None
    for el in loc:
        child = _child(cur, el)
        if child is not _MISSING:
            path.append(el)
            cur = child
        elif isinstance(el, str) and el in KINDS:
            kind = el
        elif el == "[key]":
            continue
        else:
            path.append(el)
            cur = None
    return tuple(path), kind


def _short(name: str) -> str:
    """A name used unquoted at the head of a message: escaped and cut."""
    return printable(name if len(name) <= QUOTE_MAX else name[:QUOTE_MAX] + "…")


def _pydantic_issues(data: Any, err: ValidationError, pos: Positions, hints: _Hints | None = None) -> list[Issue]:
    hints = hints or _Hints()
    issues = []
    for e in err.errors(include_url=False):
        loc = e["loc"]
        path, kind = _data_path(data, loc)
        typ = e["type"]
        name = _short(next((str(p) for p in reversed(path) if isinstance(p, str)), "lab"))
        got = e.get("input")
        is_key = "[key]" in loc
        if typ == "missing":
            parent = path[:-1]
            if not parent:
                what = "the file"
            elif isinstance(parent[-1], int):  # a list entry: "expect entry 2" (1-based, as people count)
                what = f"{_short(str(parent[-2])) if len(parent) > 1 else 'list'} entry {parent[-1] + 1}"
            else:
                what = quote(parent[-1])
            issues.append(pos.issue(parent, "missing-field", f"{what} needs {quote(path[-1])}", at_key=True))
        elif typ == "extra_forbidden":
            issues.append(
                pos.issue(
                    path,
                    "unknown-key",
                    f"unknown key {quote(path[-1])}{_kind_hint(str(path[-1]), kind, hints)}",
                    at_key=True,
                )
            )
        elif typ == "union_tag_invalid":
            tag = str(e.get("ctx", {}).get("tag"))
            hint = hints.hint(tag, list(KINDS))
            issues.append(
                pos.issue((*path, "kind"), "bad-kind", f"unknown kind {quote(tag)}; kinds are {', '.join(KINDS)}{hint}")
            )
        elif typ == "union_tag_not_found":
            issues.append(
                pos.issue(
                    path,
                    "missing-field",
                    f"interface {quote(name)} needs 'kind' (one of {', '.join(KINDS)})",
                    at_key=True,
                )
            )
        elif typ == "bool_type":
            issues.append(
                pos.issue(
                    path,
                    "bad-value",
                    f"{name}: expected true or false, got {_describe(got)} (YAML 1.2: only true/false are booleans)",
                )
            )
        elif typ in ("int_type", "int_parsing"):
            issues.append(pos.issue(path, "bad-value", f"{name}: expected an integer, got {_describe(got)}"))
        elif typ == "string_type":
            what = "key" if is_key else name
            issues.append(
                pos.issue(
                    path, "bad-value", f"{what}: expected a string, got {_describe(got)} (quote it)", at_key=is_key
                )
            )
        elif typ in ("model_type", "dict_type", "model_attributes_type"):
            issues.append(pos.issue(path, "bad-value", f"{name}: expected a mapping, got {_describe(got)}"))
        elif typ in ("tuple_type", "list_type"):
            issues.append(pos.issue(path, "bad-value", f"{name}: expected a list, got {_describe(got)}"))
        elif typ == "literal_error":
            expected = e.get("ctx", {}).get("expected", "")
            hint = hints.hint(str(got), [x.strip(" '") for x in str(expected).replace(" or ", ",").split(",")])
            issues.append(pos.issue(path, "bad-value", f"{name}: {quote(got)} is not one of {expected}{hint}"))
        elif typ == "too_short" and path == ("nodes",):
            issues.append(pos.issue(path, "bad-value", "a lab needs at least one node"))
        else:
            msg = e["msg"].removeprefix("Value error, ")
            if isinstance(got, str) and len(got) > QUOTE_MAX:
                msg = msg.replace(repr(got), quote(got))
            issues.append(pos.issue(path, "bad-value", f"{name}: {printable(msg)}", at_key=is_key))
    return issues


def parse(text: str | bytes, file: str = "<lab>") -> tuple[Any, Positions, list[Issue]]:
    """Compose YAML into plain data with positions; syntax problems become issues."""
    data, pos, issues, _refused = _parse(text, file)
    return data, pos, issues


def _located(file: str, text: str, i: int, rule: str, message: str) -> Issue:
    line = text.count("\n", 0, i) + 1
    return Issue(file, line, i - text.rfind("\n", 0, i), rule, message)


#: Where libyaml (YAML 1.1) and ruamel (1.2) read the same text differently:
#: NEL, LS and PS are line breaks in 1.1 only, libyaml takes tabs as
#: separation where ruamel refuses them, counts a BOM inside the text as a
#: column, and lets an anchor or alias name hold a colon (``&h:``). A text
#: with one of them goes to ruamel alone, up to RUAMEL_MAX (found by
#: tests/unit/test_load_engines.py).
_ANCHOR_COLON = re.compile("[&*][^\\s,\\[\\]{}]*:")


def _yaml11_only(text: str) -> bool:
    if any(c in text for c in "\t\x85\u2028\u2029") or "\ufeff" in text[1:]:
        return True  # a substring test each: a regex over 4 MB costs 0.1 s
    return ("&" in text or "*" in text) and _ANCHOR_COLON.search(text) is not None


def _compose(text: str, file: str, engine: str | None = None) -> tuple[Any, Issue | None]:
    """The root node (None for an empty file), or the syntax problem.

    ``engine`` "ruamel" (or VNETLAB_YAML=ruamel) skips libyaml: the benchmark's
    comparison, and the tests that both composers build the same lab."""
    if (
        _CLoader is not None
        and (engine or os.environ.get("VNETLAB_YAML", "libyaml")) != "ruamel"
        and (len(text) > RUAMEL_MAX or not _yaml11_only(text))  # past it ruamel is too slow to be the judge
    ):
        try:
            return _pyyaml.compose(text, Loader=_Loader), None
        except _pyyaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            if "maximum nesting depth" in str(e.problem):
                return None, Issue(file, line, col, "too-large", f"the file nests deeper than {MAX_DEPTH} levels")
            if len(text) > RUAMEL_MAX:
                return None, _syntax_issue(file, text, mark, e.problem or e.context or "invalid YAML")
        except _pyyaml.YAMLError as e:  # pragma: no cover - libyaml's errors are all marked
            if len(text) > RUAMEL_MAX:
                return None, Issue(file, 1, 1, "yaml-syntax", f"YAML: {printable(str(e))[:200]}")
    # libyaml refused it (or is missing): ruamel says why, in its own words.
    ru = _ruamel()
    yaml = ru.YAML(typ="rt", pure=True)
    yaml.Resolver = ru.Resolver
    try:
        return _unfold(yaml.compose(text)), None
    except ru.MarkedYAMLError as e:
        return None, _syntax_issue(
            file, text, e.problem_mark or e.context_mark, e.problem or e.context or "invalid YAML"
        )
    except RecursionError:
        return None, Issue(file, 1, 1, "too-large", f"the file nests deeper than {MAX_DEPTH} levels")
    except (ru.YAMLError, ValueError) as e:
        return None, Issue(file, 1, 1, "yaml-syntax", f"YAML: {printable(str(e))[:200]}")


def _unfold(root: Any) -> Any:
    """ruamel's round-trip composer marks the line folds of a ``>`` scalar with
    BEL (\\a, for dumping it back): drop them, as libyaml has none."""
    rnodes = _ruamel().nodes
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, rnodes.ScalarNode):
            if node.style == ">" and "\a" in node.value:
                node.value = node.value.replace("\a", "")
        elif isinstance(node, rnodes.MappingNode):
            for k, v in node.value:
                stack += (k, v)
        else:
            stack += node.value
    return root


def _syntax_issue(file: str, text: str, mark: Any, problem: str) -> Issue:
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = printable(problem)
    if len(problem) > 200:
        problem = problem[:200] + "…"
    if mark:
        start = 0
        for _ in range(mark.line):  # the mark's line, without splitting a large text into lines
            start = text.find("\n", start) + 1
            if start == 0:
                break
        else:
            end = text.find("\n", start)
            if "\t" in text[start : end if end >= 0 else len(text)]:
                problem += " (YAML forbids tabs for indentation; use spaces)"
    return Issue(file, line, col, "yaml-syntax", f"YAML: {problem}")


def _parse(
    text: str | bytes, file: str, engine: str | None = None
) -> tuple[Any, Positions, list[Issue], set[tuple[int, int]]]:
    pos = Positions(file)
    none: set[tuple[int, int]] = set()
    if len(text) > MAX_BYTES:
        unit = "bytes" if isinstance(text, bytes) else "characters"
        return (
            None,
            pos,
            [
                Issue(
                    file,
                    1,
                    1,
                    "too-large",
                    f"the file is {len(text)} {unit}; a lab file may be at most {MAX_BYTES} bytes",
                )
            ],
            none,
        )
    if isinstance(text, bytes):
        raw = text
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            line = raw[: e.start].count(b"\n") + 1
            col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
            return None, pos, [Issue(file, line, col, "not-text", "the file is not UTF-8 text (binary?)")], none
    if "\x00" in text:
        return (
            None,
            pos,
            [_located(file, text, text.index("\x00"), "not-text", "the file contains a NUL byte (binary?)")],
            none,
        )
    root, problem = _compose(text, file, engine)
    if problem is not None:
        return None, pos, [problem], none
    if root is None:
        return (
            None,
            pos,
            [Issue(file, 1, 1, "not-a-mapping", "the file is empty; a lab needs at least 'lab:' and 'nodes:'")],
            none,
        )
    b = _Builder(pos, MAX_NODES + len(text) // 2, text)
    try:
        data = b.build(root, ())
    except (_TooBig, RecursionError) as e:
        return None, pos, [Issue(file, 1, 1, "too-large", str(e) or "the file nests too deeply")], none
    if not isinstance(data, dict):
        # Not a mapping: maybe not a lab at all, so say what it is, never what it says.
        return (
            None,
            pos,
            [
                Issue(
                    file,
                    *pos.value(()),
                    "not-a-mapping",
                    f"a lab must be a YAML mapping with 'lab:' and 'nodes:', not {_what(data)}",
                ),
            ],
            none,
        )
    if "lab" not in data and "nodes" not in data:
        # A mapping without a single key of a lab: some other file (a config,
        # /etc/shadow through a symlink...). Its keys are its content: quote none.
        return (
            None,
            pos,
            [
                Issue(
                    file,
                    *pos.value(()),
                    "not-a-lab",
                    f"this is not a lab file: a lab is a YAML mapping with 'lab:' and 'nodes:', "
                    f"and this one has {len(data)} other key{'s' if len(data) != 1 else ''} (not shown)",
                )
            ],
            none,
        )
    _note_blocks(root, text, pos)
    return data, pos, b.issues, b.refused


def _note_blocks(root: Any, text: str, pos: Positions) -> None:
    """Record where each node's ``nftables: |`` block's content starts (line of the
    first content line, its indentation), so nft's LINE:COL maps into the file."""
    nodes = next((v for k, v in root.value if k.value == "nodes"), None) if root.__class__ in _MAPPING_TYPES else None
    if nodes is None or nodes.__class__ not in _MAPPING_TYPES:
        return
    lines: list[str] | None = None
    for name, node in nodes.value:
        if node.__class__ not in _MAPPING_TYPES:
            continue
        for k, v in node.value:
            if k.value == "nftables" and v.__class__ in _SCALAR_TYPES and v.style == "|":
                if lines is None:
                    lines = text.split("\n")
                first = v.start_mark.line + 1  # 0-based index of the first content line
                indent = next((len(ln) - len(ln.lstrip(" ")) for ln in lines[first:] if ln.strip()), 0)
                pos.blocks[("nodes", name.value, "nftables")] = (first + 1, indent + 1)


#: A text this long makes objects enough (a million for 4 MB) to be frozen after loading.
FREEZE_BYTES = 1 << 20


@contextmanager
def _no_gc(big: bool) -> Iterator[None]:
    """Loading makes a million objects and no garbage: the cyclic collector would
    walk them all again and again (5x the time of composing a 25,000-node lab).
    After a big lab, what is alive is frozen (gc.freeze): the lab lives as long
    as the command, and the collector would otherwise walk it three more times
    as it ages (0.4 s of 3.5 for 25,000 nodes)."""
    enabled = gc.isenabled()
    if big and enabled:
        gc.collect()  # what is garbage now is collected now, not frozen with the lab
    gc.disable()
    try:
        yield
    finally:
        if big:
            gc.freeze()
        if enabled:
            gc.enable()


def load_text(text: str | bytes, file: str = "<lab>") -> Loaded:
    """Parse and validate a lab; raise LabInvalid with every problem found."""
    with _no_gc(len(text) > FREEZE_BYTES):
        return _load_text(text, file)


def _load_text(text: str | bytes, file: str) -> Loaded:
    from .steps import check_steps

    data, pos, issues, refused = _parse(text, file)
    if data is None:
        raise LabInvalid(issues)
    try:
        lab = Lab.model_validate(data)
    except ValidationError as err:
        # A value the loader refused (a tag, a huge number) is one problem, not two.
        issues += [i for i in _pydantic_issues(data, err, pos) if (i.line, i.col) not in refused]
        # Report every problem: prune what the schema refused and run the
        # cross-object rules on the rest, hiding references to pruned parts.
        pruned, removed, kept = _prune(data, err)
        if pruned is not None:
            hidden = {repr(r) for r in removed}
            # a dropped list entry shifts the ones after it: report them where they are written
            at = Remapped(pos.file, pos.keys, pos.values, pos.blocks, kept) if kept else pos
            for extra in check_loaded(Loaded(pruned, at)):
                if extra.rule == "unresolved-ref" and hidden and _mentions(extra.message, hidden):
                    continue
                issues.append(extra)
        issues += check_steps(data, pos, None)
        raise LabInvalid(sorted(set(issues))) from None
    loaded = Loaded(lab, pos)
    issues += check_loaded(loaded)
    issues += check_steps(data, pos, None if issues else lab)
    if issues:
        raise LabInvalid(issues)
    return loaded


_QUOTED = re.compile(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*\"""")


def _mentions(message: str, quoted: set[str]) -> bool:
    """Whether ``message`` quotes one of ``quoted`` (reprs): a set lookup per quoted word."""
    return any(m.group(0) in quoted for m in _QUOTED.finditer(message))


_ENTITY_DEPTH = {"interfaces": 4, "routes": 4, "neighbors": 4, "sysctl": 3}


def _entity(path: Path_) -> Path_:
    """The smallest whole object containing ``path`` that can be dropped."""
    if not path:
        return path
    if path[0] in ("switches", "expect"):
        return path[:2]
    if path[0] == "nodes" and len(path) >= 3:
        return path[: _ENTITY_DEPTH.get(str(path[2]), 2)]
    return path[:2]


#: fields that give their siblings a meaning: pruned alone, they would fall back to
#: the default and the rules would judge the siblings by it (an invalid proto made
#: a port look like "an echo request has no port"). Their whole entry goes.
#: Keyed by the path's even elements: ("expect", "proto") for ("expect", 3, "proto").
_MEANING = {("expect", "proto")}


def _prune(data: dict[str, Any], err: ValidationError) -> tuple[Lab | None, set[str], dict[Path_, list[int]]]:
    """The lab without what the schema refused, the names of the whole objects
    dropped, and for each list that lost entries, the file index of each kept one."""
    import copy

    cur = copy.deepcopy(data)
    removed: set[str] = set()
    kept: dict[Path_, list[int]] = {}
    for _ in range(6):
        for e in err.errors(include_url=False):
            path, _kind = _data_path(cur, e["loc"])
            if path in ((), ("lab",)):
                cur["lab"] = "lab"
                continue
            if path == ("nodes",):
                return None, removed, kept
            whole = e["type"] in ("missing", "union_tag_invalid", "union_tag_not_found") or path[::2] in _MEANING
            target = _entity(path) if whole else path
            if len(target) < 2 or target[0] == "lab":
                target = _entity(path)
            parent: Any = cur
            for p in target[:-1]:
                parent = _child(parent, p)
                if parent is _MISSING:
                    parent = None
                if parent is None:
                    break
            last = target[-1]
            if isinstance(parent, dict) and last in parent:
                if len(target) == len(_entity(path)):
                    removed.add(str(last))
                del parent[last]
            elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
                parent[last] = None
        for lp, v in _walk_lists(cur, ()):
            if any(x is None for x in v):
                idx = [i for i, x in enumerate(v) if x is not None]
                kept[lp] = [kept[lp][i] for i in idx] if lp in kept else idx
                v[:] = [x for x in v if x is not None]
        try:
            return Lab.model_validate(cur), removed, kept
        except ValidationError as again:
            err = again
    return None, removed, kept


def _walk_lists(x: Any, at: Path_) -> list[tuple[Path_, list[Any]]]:
    out: list[tuple[Path_, list[Any]]] = []
    if isinstance(x, dict):
        for k, v in x.items():
            out += _walk_lists(v, (*at, k))
    elif isinstance(x, list):
        out.append((at, x))
        for i, v in enumerate(x):
            out += _walk_lists(v, (*at, i))
    return out


_FILE_TYPES = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)


def _not_regular(p: Path, mode: int) -> InputError:
    what = next((name for test, name in _FILE_TYPES if test(mode)), "not a regular file")
    return InputError(
        f"{p}: this is {what}, not a regular file; a lab is read from a file (or from standard input as -)"
    )


def _read(p: Path) -> tuple[bytes, int]:
    """At most MAX_BYTES + 1 bytes of a regular file (never a device or a FIFO: /dev/zero
    never ends, a FIFO without a writer never answers)."""
    try:
        st = os.stat(p)  # before opening: opening some devices does things
        if not stat.S_ISREG(st.st_mode):
            raise _not_regular(p, st.st_mode)
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as e:
        raise InputError(f"{p}: cannot read the lab file: {e.strerror or e}") from None
    try:
        st = os.fstat(fd)  # what was opened, if it changed since
        if not stat.S_ISREG(st.st_mode):
            raise _not_regular(p, st.st_mode)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(MAX_BYTES + 1), st.st_size
    except OSError as e:
        raise InputError(f"{p}: cannot read the lab file: {e.strerror or e}") from None
    finally:
        os.close(fd)


def load_file(path: str | Path) -> Loaded:
    """Read a lab file (``-``: standard input); a missing, unreadable or non-regular file is an InputError."""
    if str(path) == "-":
        raw = sys.stdin.buffer.read(MAX_BYTES + 1)
        name, size = "<stdin>", "more than"
    else:
        p = Path(path)
        raw, st_size = _read(p)
        name, size = str(p), str(max(st_size, len(raw)))
    if len(raw) > MAX_BYTES:
        raise LabInvalid(
            [Issue(name, 1, 1, "too-large", f"the file is {size} bytes; a lab file may be at most {MAX_BYTES} bytes")]
        )
    return load_text(raw, name)


def load(path: str | Path) -> Lab:
    """Load and check a lab file; the public entry point."""
    return load_file(path).lab
