"""YAML text → Lab, with every problem located as ``LAB:LINE:COL``.

The loader composes the YAML (ruamel.yaml, YAML 1.2: only ``true``/``false``
are booleans) and builds plain data itself, so that it can record the
position of every key and value, report duplicate keys at their second
occurrence, and bound what it accepts (size, depth, node count) instead of
crashing. Pydantic then validates the data; its error locations are mapped
back to positions. Nothing here touches the system.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import InputError, Issue, LabInvalid
from .model import KINDS, Lab
from .model.base import Frozen

MAX_BYTES = 1 << 20
MAX_NODES = 200_000
MAX_DEPTH = 64

Path_ = tuple[str | int, ...]


@dataclass
class Positions:
    """Where each part of the file is: path → (line, col), both 1-based."""

    file: str
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def key(self, path: Path_) -> tuple[int, int]:
        """Position of the key that names ``path`` (or the nearest enclosing one)."""
        while path:
            if path in self.keys:
                return self.keys[path]
            if isinstance(path[-1], int) and path in self.values:
                return self.values[path]  # a list item has no key: its start
            path = path[:-1]
        return self.values.get((), (1, 1))

    def value(self, path: Path_) -> tuple[int, int]:
        """Position of the value at ``path`` (or the nearest enclosing one)."""
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), (1, 1))

    def issue(self, path: Path_, rule: str, message: str, *, at_key: bool = False) -> Issue:
        line, col = self.key(path) if at_key else self.value(path)
        return Issue(self.file, line, col, rule, message)


@dataclass
class Loaded:
    """A validated lab together with where each of its parts was written."""

    lab: Lab
    positions: Positions


class _Builder:
    """Turns composed YAML nodes into plain data while recording positions."""

    def __init__(self, pos: Positions):
        self.pos = pos
        self.issues: list[Issue] = []
        self.count = 0

    def build(self, node: Node, path: Path_, depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(f"the file has more than {MAX_NODES} YAML nodes (aliases expanded)")
        if depth > MAX_DEPTH:
            raise _TooBig(f"the file nests deeper than {MAX_DEPTH} levels")
        self.pos.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, MappingNode):
            out: dict[Any, Any] = {}
            for knode, vnode in node.value:
                key = self.scalar(knode) if isinstance(knode, ScalarNode) else None
                if key is None or isinstance(key, (dict, list)):
                    line, col = knode.start_mark.line + 1, knode.start_mark.column + 1
                    self.issues.append(Issue(self.pos.file, line, col, "yaml-key", "a key must be a plain scalar"))
                    continue
                sub = (*path, key)
                if key in out:
                    line, col = knode.start_mark.line + 1, knode.start_mark.column + 1
                    first = self.pos.keys[sub][0]
                    self.issues.append(
                        Issue(
                            self.pos.file,
                            line,
                            col,
                            "duplicate-key",
                            f"duplicate key {key!r} (first given on line {first}); "
                            "a key given twice is an error, not an overwrite",
                        )
                    )
                    continue
                self.pos.keys[sub] = (knode.start_mark.line + 1, knode.start_mark.column + 1)
                out[key] = self.build(vnode, sub, depth + 1)
            return out
        if isinstance(node, SequenceNode):
            return [self.build(n, (*path, i), depth + 1) for i, n in enumerate(node.value)]
        return self.scalar(node)

    @staticmethod
    def scalar(node: ScalarNode) -> Any:
        tag = getattr(node.tag, "value", node.tag)
        text = node.value.replace("\a", "") if node.style == ">" else node.value  # ruamel marks folds with \a
        if tag == "tag:yaml.org,2002:bool":
            return text.lower() == "true"
        if tag == "tag:yaml.org,2002:int":
            t = text.replace("_", "")
            sign = -1 if t.startswith("-") else 1
            t = t.lstrip("+-")
            if t.startswith(("0x", "0X")):
                return sign * int(t, 16)
            if t.startswith(("0o", "0O")):
                return sign * int(t[2:], 8)
            return sign * int(t)
        if tag == "tag:yaml.org,2002:float":
            try:
                return float(text)
            except ValueError:
                return text
        if tag == "tag:yaml.org,2002:null":
            return None
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


def _kind_hint(key: str, kind: str | None) -> str:
    owners = sorted(k for k, cls in KINDS.items() if key in cls.model_fields)
    if owners and kind:
        return f"; {key!r} is not a field of kind {kind}, only of {', '.join(owners)}"
    close = difflib.get_close_matches(key, sorted(_FIELDS), n=1, cutoff=0.7)
    return f"; did you mean {close[0]!r}?" if close else ""


def _describe(v: Any) -> str:
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, list):
        return "a list"
    if v is None:
        return "nothing (null)"
    return repr(v)


def _data_path(data: Any, loc: Iterable[str | int]) -> tuple[Path_, str | None]:
    """Map a pydantic ``loc`` onto a path in the data.

    Elements that are not in the data (the discriminator tag of a union,
    ``[key]``) are skipped; the kind tag is returned for hints.
    """
    path: list[str | int] = []
    cur = data
    kind = None
    for el in loc:
        if (isinstance(cur, dict) and el in cur) or (
            isinstance(cur, list) and isinstance(el, int) and 0 <= el < len(cur)
        ):
            path.append(el)
            cur = cur[el]
        elif isinstance(el, str) and el in KINDS:
            kind = el
        elif el == "[key]":
            continue
        else:
            path.append(el)
            cur = None
    return tuple(path), kind


def _pydantic_issues(data: Any, err: ValidationError, pos: Positions) -> list[Issue]:
    issues = []
    for e in err.errors(include_url=False):
        loc = e["loc"]
        path, kind = _data_path(data, loc)
        typ = e["type"]
        name = next((str(p) for p in reversed(path) if isinstance(p, str)), "lab")
        got = e.get("input")
        is_key = "[key]" in loc
        if typ == "missing":
            parent = path[:-1]
            what = "the file" if not parent else repr(parent[-1])
            issues.append(pos.issue(parent, "missing-field", f"{what} needs {path[-1]!r}", at_key=True))
        elif typ == "extra_forbidden":
            issues.append(
                pos.issue(
                    path, "unknown-key", f"unknown key {path[-1]!r}{_kind_hint(str(path[-1]), kind)}", at_key=True
                )
            )
        elif typ == "union_tag_invalid":
            tag = e.get("ctx", {}).get("tag")
            close = difflib.get_close_matches(str(tag), list(KINDS), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            issues.append(
                pos.issue((*path, "kind"), "bad-kind", f"unknown kind {tag!r}; kinds are {', '.join(KINDS)}{hint}")
            )
        elif typ == "union_tag_not_found":
            issues.append(
                pos.issue(
                    path, "missing-field", f"interface {name!r} needs 'kind' (one of {', '.join(KINDS)})", at_key=True
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
            close = difflib.get_close_matches(
                str(got), [x.strip(" '") for x in str(expected).replace(" or ", ",").split(",")], n=1
            )
            hint = f"; did you mean {close[0]!r}?" if close else ""
            issues.append(pos.issue(path, "bad-value", f"{name}: {got!r} is not one of {expected}{hint}"))
        elif typ == "too_short" and path == ("nodes",):
            issues.append(pos.issue(path, "bad-value", "a lab needs at least one node"))
        else:
            msg = e["msg"].removeprefix("Value error, ")
            issues.append(pos.issue(path, "bad-value", f"{name}: {msg}", at_key=is_key))
    return issues


def parse(text: str | bytes, file: str = "<lab>") -> tuple[Any, Positions, list[Issue]]:
    """Compose YAML into plain data with positions; syntax problems become issues."""
    pos = Positions(file)
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            return (
                None,
                pos,
                [
                    Issue(
                        file,
                        1,
                        1,
                        "too-large",
                        f"the file is {len(text)} bytes; a lab file may be at most {MAX_BYTES} bytes",
                    )
                ],
            )
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            line = text[: e.start].count(b"\n") + 1
            col = e.start - (text.rfind(b"\n", 0, e.start) + 1) + 1
            return None, pos, [Issue(file, line, col, "not-text", "the file is not UTF-8 text (binary?)")]
    if len(text) > MAX_BYTES:
        return (
            None,
            pos,
            [
                Issue(
                    file,
                    1,
                    1,
                    "too-large",
                    f"the file is {len(text)} characters; a lab file may be at most {MAX_BYTES} bytes",
                )
            ],
        )
    if "\x00" in text:
        i = text.index("\x00")
        line = text.count("\n", 0, i) + 1
        return (
            None,
            pos,
            [Issue(file, line, i - text.rfind("\n", 0, i), "not-text", "the file contains a NUL byte (binary?)")],
        )
    yaml = YAML(typ="rt", pure=True)
    try:
        root = yaml.compose(text)
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = e.problem or e.context or "invalid YAML"
        lines = text.splitlines()
        if mark and mark.line < len(lines) and "\t" in lines[mark.line]:
            problem += " (YAML forbids tabs for indentation; use spaces)"
        return None, pos, [Issue(file, line, col, "yaml-syntax", f"YAML: {problem}")]
    except (YAMLError, RecursionError, ValueError) as e:
        return None, pos, [Issue(file, 1, 1, "yaml-syntax", f"YAML: {e}")]
    if root is None:
        return (
            None,
            pos,
            [Issue(file, 1, 1, "not-a-mapping", "the file is empty; a lab needs at least 'lab:' and 'nodes:'")],
        )
    b = _Builder(pos)
    try:
        data = b.build(root, ())
    except (_TooBig, RecursionError) as e:
        return None, pos, [Issue(file, 1, 1, "too-large", str(e) or "the file nests too deeply")]
    if not isinstance(data, dict):
        return (
            None,
            pos,
            [
                *b.issues,
                Issue(
                    file,
                    *pos.value(()),
                    "not-a-mapping",
                    f"a lab must be a YAML mapping with 'lab:' and 'nodes:', not {_describe(data)}",
                ),
            ],
        )
    return data, pos, b.issues


def load_text(text: str | bytes, file: str = "<lab>") -> Loaded:
    """Parse and validate a lab; raise LabInvalid with every problem found."""
    from .check import check_loaded  # the cross-object rules need a built model

    data, pos, issues = parse(text, file)
    if data is None:
        raise LabInvalid(issues)
    try:
        lab = Lab.model_validate(data)
    except ValidationError as err:
        issues += _pydantic_issues(data, err, pos)
        # Report every problem: prune what the schema refused and run the
        # cross-object rules on the rest, hiding references to pruned parts.
        pruned, removed = _prune(data, err)
        if pruned is not None:
            for extra in check_loaded(Loaded(pruned, pos)):
                if extra.rule == "unresolved-ref" and any(f"{r!r}" in extra.message for r in removed):
                    continue
                issues.append(extra)
        raise LabInvalid(sorted(set(issues))) from None
    loaded = Loaded(lab, pos)
    issues += check_loaded(loaded)
    if issues:
        raise LabInvalid(issues)
    return loaded


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


def _prune(data: dict[str, Any], err: ValidationError) -> tuple[Lab | None, set[str]]:
    import copy

    cur = copy.deepcopy(data)
    removed: set[str] = set()
    for _ in range(6):
        for e in err.errors(include_url=False):
            path, _kind = _data_path(cur, e["loc"])
            if path in ((), ("lab",)):
                cur["lab"] = "lab"
                continue
            if path == ("nodes",):
                return None, removed
            target = _entity(path) if e["type"] in ("missing", "union_tag_invalid", "union_tag_not_found") else path
            if len(target) < 2 or target[0] == "lab":
                target = _entity(path)
            parent: Any = cur
            for p in target[:-1]:
                parent = (
                    parent[p]
                    if (isinstance(parent, dict) and p in parent)
                    or (isinstance(parent, list) and isinstance(p, int) and p < len(parent))
                    else None
                )
                if parent is None:
                    break
            last = target[-1]
            if isinstance(parent, dict) and last in parent:
                if len(target) == len(_entity(path)):
                    removed.add(str(last))
                del parent[last]
            elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
                parent[last] = None
        for v in _walk_lists(cur):
            v[:] = [x for x in v if x is not None]
        try:
            return Lab.model_validate(cur), removed
        except ValidationError as again:
            err = again
    return None, removed


def _walk_lists(x: Any) -> list[list[Any]]:
    out: list[list[Any]] = []
    if isinstance(x, dict):
        for v in x.values():
            out += _walk_lists(v)
    elif isinstance(x, list):
        out.append(x)
        for v in x:
            out += _walk_lists(v)
    return out


def load_file(path: str | Path) -> Loaded:
    """Read a lab file; a missing or unreadable file is an InputError."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as e:
        raise InputError(f"{p}: cannot read the lab file: {e.strerror or e}") from None
    if len(raw) > MAX_BYTES:
        size = p.stat().st_size
        raise LabInvalid(
            [Issue(str(p), 1, 1, "too-large", f"the file is {size} bytes; a lab file may be at most {MAX_BYTES} bytes")]
        )
    return load_text(raw, str(p))


def load(path: str | Path) -> Lab:
    """Load and check a lab file; the public entry point."""
    return load_file(path).lab
