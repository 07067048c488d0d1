"""A node's nftables ruleset: checked by nft itself, applied and read back with nft.

vnetlab never parses nft syntax by hand. ``validate`` runs nft's own parser
and the kernel's checks in check mode (``nft -c -f -``) inside a throw-away
user and network namespace (``unshare -rn``: no root needed, and as root the
machine's own ruleset is never reached — the namespace is new and empty and
``-c`` commits nothing). The ruleset travels on stdin, never through a shell.

Before nft sees a ruleset, the two things that would reach past it are
refused: ``include`` (nft would read a file of the machine, and echo its
lines in its errors) and a ruleset over ``MAX_BYTES``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .resolve import Resolved

#: The most a node's ruleset may be (the lab file itself is capped too).
MAX_BYTES = 64 * 1024

#: How long nft may take to check or apply one ruleset.
TIMEOUT = 30.0

# ``include "FILE"`` anywhere (a word, outside nothing: a comment or string that
# says "include" is refused too — conservative, since the check runs before nft)
_INCLUDE = re.compile(r"(?<![\w-])include(?![\w-])")
# nft's error location: /dev/stdin:LINE:COL-COL: Error: ...
_ERROR = re.compile(r"^(?:/dev/stdin|-):(\d+):(\d+)(?:-\d+)?: Error: (.*)$")


@dataclass(frozen=True)
class Problem:
    """One problem of a ruleset, at (line, col) inside the ruleset text (1-based)."""

    line: int
    col: int
    rule: str
    message: str


# shutil and subprocess are imported where they run: a lab without rulesets (validate, trace) never runs nft


def nft_path() -> str | None:
    import shutil

    return shutil.which("nft")


def unsafe(text: str) -> list[Problem]:
    """What vnetlab refuses before nft reads the ruleset: size, include."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        return [
            Problem(1, 1, "nftables-size", f"the ruleset is {size} bytes; a node's ruleset may be at most {MAX_BYTES}")
        ]
    out = []
    for n, line in enumerate(text.split("\n"), 1):
        m = _INCLUDE.search(line)
        if m:
            out.append(
                Problem(
                    n,
                    m.start() + 1,
                    "nftables-include",
                    "a ruleset may not 'include' files (it would read a file of this machine); "
                    "write the rules into the ruleset itself",
                )
            )
    return out


# Run in the throw-away namespace: make each of the node's interfaces first (a bridge: only the
# name matters), since nft resolves ``iif``/``oif`` names when it loads a rule, as the kernel
# backend does after building the node's interfaces. The names arrive as arguments ("$@"),
# never inside the script; the script's own text is a constant.
# Each gets an ifindex far above what a namespace's own devices get (lo is 1, then 2, 3, ...),
# so that a rule naming a device by number (``iif 2``) stays a number, which the simulator
# refuses, instead of being listed back as whichever name got that index here; ``name``, so
# that a device called like an ``ip link`` keyword (``up``, ``a``, ``mtu``...) is made too.
_MAKE_IFACES = (
    'i=1000000; for n in "$@"; do i=$((i+1)); ip link add name "$n" index "$i" type bridge 2>/dev/null; done; '
)


def in_throwaway_ns(script: str, ifnames: tuple[str, ...]) -> list[str] | None:
    """argv running the constant ``script`` (sh) in a new user+network namespace that has
    the interfaces ``ifnames`` (None: unshare, sh, ip or nft missing)."""
    import shutil

    unshare, sh = shutil.which("unshare"), shutil.which("sh")
    if unshare is None or sh is None or nft_path() is None or (ifnames and shutil.which("ip") is None):
        return None
    names = [n for n in ifnames if n != "lo"]
    return [unshare, "--user", "--map-root-user", "--net", sh, "-c", _MAKE_IFACES + script, "sh", *names]


def node_ifnames(r: Resolved, node: str) -> tuple[str, ...]:
    """The interfaces a node's ruleset may name: every device the kernel backend has made in
    the node when it loads the ruleset (the lab's, and a veth end only its peer declares)."""
    return tuple(sorted(ifname for n, ifname in r.ifaces if n == node))


class NftUnavailable(Exception):
    """nft or unshare is missing, or user namespaces are off: the ruleset was not checked."""


@lru_cache(maxsize=256)
def check_syntax(text: str, ifnames: tuple[str, ...] = ()) -> tuple[Problem, ...]:
    """nft's own verdict on ``text`` (check mode, in a throw-away user+network namespace
    that has the node's interfaces ``ifnames``)."""
    argv = in_throwaway_ns("exec nft -c -f -", ifnames)
    if argv is None:
        raise NftUnavailable("nft (nftables), ip (iproute2) and unshare (util-linux) are needed to check a ruleset")
    import subprocess

    try:
        p = subprocess.run(
            argv,
            input=text.encode(),
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return (Problem(1, 1, "nftables-syntax", f"nft took more than {TIMEOUT:.0f} s to check the ruleset"),)
    if p.returncode == 0:
        return ()
    err = p.stderr.decode("utf-8", "replace")
    if "unshare:" in err and "nft" not in err.split("unshare:", 1)[0]:
        raise NftUnavailable(f"could not make a sandbox to check the ruleset: {err.strip()[:200]}")
    out: list[Problem] = []
    for line in err.splitlines():
        m = _ERROR.match(line)
        if m:
            out.append(Problem(int(m.group(1)), int(m.group(2)), "nftables-syntax", f"nft: {m.group(3)}"))
        elif line.startswith("Error: ") and not out:
            out.append(Problem(1, 1, "nftables-syntax", f"nft: {line[7:]}"))
    if not out:
        out.append(Problem(1, 1, "nftables-syntax", f"nft refused the ruleset (exit {p.returncode})"))
    return tuple(out)


def problems(text: str, ifnames: tuple[str, ...] = ()) -> list[Problem]:
    """Every problem of a ruleset: vnetlab's refusals first; nft is asked only if there are none
    (``ifnames``: the node's interfaces, which its rules may name)."""
    found = unsafe(text)
    if found:
        return found
    return list(check_syntax(text, ifnames))


def apply(text: str) -> None:
    """Load ``text`` with ``nft -f -`` in the calling thread's network namespace
    (the caller is inside the node's namespace: a child inherits it)."""
    nft = nft_path()
    if nft is None:
        raise FileNotFoundError("nft (nftables) is not installed")
    if unsafe(text):  # validation refuses these; checked again in case it was bypassed
        raise ValueError("refusing a ruleset that includes files or is too large")
    import subprocess

    p = subprocess.run([nft, "-f", "-"], input=text.encode(), capture_output=True, timeout=TIMEOUT, check=False)
    if p.returncode != 0:
        raise OSError(f"nft -f refused the ruleset: {p.stderr.decode('utf-8', 'replace').strip()[:500]}")


def list_ruleset() -> str:
    """``nft list ruleset`` in the calling thread's network namespace ('' when empty)."""
    nft = nft_path()
    if nft is None:
        raise FileNotFoundError("nft (nftables) is not installed")
    import subprocess

    p = subprocess.run([nft, "list", "ruleset"], capture_output=True, timeout=TIMEOUT, check=True)
    return p.stdout.decode("utf-8", "replace")
