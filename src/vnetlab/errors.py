"""The whole exception tree of vnetlab, and the exit code of each branch.

The type of an error says whose problem it is, so the CLI can map it to an
exit code without looking at messages::

    VnetlabError
    ├── CheckFailed          (1) a probe or expectation failed, backends disagree
    ├── InputError           (2) the user's file or command line is wrong
    │   └── LabInvalid           one or more located problems in a lab file
    ├── EnvironmentProblem   (3) this machine cannot do it (not root, kernel lacks a kind)
    │   └── KernelLacksKind      names the missing CONFIG_ option
    └── NotImplementedYet    (2) a command that is registered but not built
"""

from __future__ import annotations

from dataclasses import dataclass

#: Longest key or value a message quotes; the rest is cut (a lab file is
#: untrusted input, and a file that is not a lab must not be echoed).
QUOTE_MAX = 40


def printable(text: str) -> str:
    """``text`` with every control or non-printable character escaped (never a raw ESC)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def quote(value: object, limit: int = QUOTE_MAX) -> str:
    """A key or value for a message: ``repr``-quoted, escaped, at most ``limit`` characters."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}… ({len(value)} characters)"
    text = repr(value)
    if len(text) > limit:
        return f"{printable(text[:limit])}… ({len(text)} characters)"
    return printable(text)


@dataclass(frozen=True, order=True)
class Issue:
    """One located problem in a lab file.

    Kept as plain data (not an exception) so `check` can return all of them at
    once and the CLI can print them in file order.
    """

    file: str
    line: int  # 1-based
    col: int  # 1-based
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {printable(self.message)} [{self.rule}]"


class VnetlabError(Exception):
    """Root of every error vnetlab raises on purpose."""

    exit_code = 1


class CheckFailed(VnetlabError):
    """A reachability check or an expectation did not hold."""

    exit_code = 1


class InputError(VnetlabError):
    """The user's input is wrong; nothing was touched."""

    exit_code = 2


class LabInvalid(InputError):
    """A lab file has problems; `issues` holds every one of them."""

    def __init__(self, issues: list[Issue]):
        self.issues = sorted(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


class NotImplementedYet(InputError):
    """A command of the CLI contract that is registered but not built yet."""

    exit_code = 2


class EnvironmentProblem(VnetlabError):
    """The machine cannot do what was asked (privileges, kernel features)."""

    exit_code = 3


class KernelLacksKind(EnvironmentProblem):
    """The running kernel has no support for a device kind the lab uses."""

    def __init__(self, kind: str, option: str):
        self.kind = kind
        self.option = option
        super().__init__(f"this kernel has no {kind} support ({option})")
