"""Where each part of a lab file is, and a validated lab together with it.

Its own module so that the loader and the checker both use it without
importing each other (load → check is the only direction).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import Issue
from .model import Lab

Path_ = tuple[str | int, ...]


@dataclass
class Positions:
    """Where each part of the file is: path → (line, col), both 1-based."""

    file: str
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    #: where the first content line of a literal block scalar (``|``) is, for the
    #: values whose lines are reported one by one (a node's ``nftables:``)
    blocks: dict[Path_, tuple[int, int]] = field(default_factory=dict)

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
class Remapped(Positions):
    """Positions for a lab from which list entries were dropped (the loader's
    pruning of what the schema refused): ``kept[list path]`` is the file index
    of each remaining entry, so a rule's path is translated back to the file."""

    kept: dict[Path_, list[int]] = field(default_factory=dict)

    def _in_file(self, path: Path_) -> Path_:
        out = list(path)
        for n, part in enumerate(path):
            if isinstance(part, int):
                idx = self.kept.get(path[:n])
                if idx is not None and 0 <= part < len(idx):
                    out[n] = idx[part]
        return tuple(out)

    def key(self, path: Path_) -> tuple[int, int]:
        return super().key(self._in_file(path))

    def value(self, path: Path_) -> tuple[int, int]:
        return super().value(self._in_file(path))


@dataclass
class Loaded:
    """A validated lab together with where each of its parts was written."""

    lab: Lab
    positions: Positions
