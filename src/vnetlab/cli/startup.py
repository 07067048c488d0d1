"""The cyclic garbage collector, kept out of the command's imports.

Importing click, then pydantic building the model's schemas and the simulator,
makes a few hundred thousand objects that live as long as the process, and
next to no garbage; the collector would walk them again and again (about 70
collections: a tenth of `vnetlab validate`'s CPU time). So in the `vnetlab`
process it is paused while a command imports, and what is alive then is
frozen (moved to the permanent generation, gc.freeze) so that no later
collection walks it either. A command's own work runs with the collector on.

A program that calls the entry point in its own process (a test suite) keeps
its collector untouched: freezing its heap would keep its garbage forever.
"""

from __future__ import annotations

import gc
import os
import sys


def is_command(argv: list[str]) -> bool:
    """``argv`` (the interpreter's, ``sys.orig_argv``) runs the `vnetlab` command: its
    console script or ``python -m vnetlab``, after any interpreter options."""
    i = 1
    while i < len(argv):
        a = argv[i]
        if a == "-m":
            return argv[i + 1 : i + 2] == ["vnetlab"]
        if a.startswith(("-m", "-c")) or a == "-":
            return a == "-mvnetlab"
        if a in ("-X", "-W"):  # an option with its value as the next word
            i += 2
            continue
        if not a.startswith("-"):
            return os.path.basename(a) == "vnetlab"
        i += 1
    return False


_COMMAND = is_command(list(getattr(sys, "orig_argv", [])))


class importing:
    """``with importing(): from ..x import y``: no collection during those imports, none of them after
    (in the `vnetlab` process; elsewhere it does nothing)."""

    def __enter__(self) -> None:
        self.was = _COMMAND and gc.isenabled()
        if self.was:
            gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.was:
            gc.freeze()
            gc.enable()
