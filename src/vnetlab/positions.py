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
class Loaded:
    """A validated lab together with where each of its parts was written."""

    lab: Lab
    positions: Positions
