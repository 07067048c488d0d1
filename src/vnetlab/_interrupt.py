"""Ctrl-C in the command line: one line on stderr, exit code 130, never a traceback.

While Python imports vnetlab (a few hundred milliseconds: pydantic, yaml,
rich) and while it exits, nothing is half-made, so SIGINT ends the process
at once. While a command runs, it raises KeyboardInterrupt as usual, so what
the command was making is undone on the way out (`up` removes a half-built
lab), and the entry point turns it into the same line and exit code.

The package imports this module first, which installs the handler, but only in
the `vnetlab` command itself (the console script or `python -m vnetlab`): a
program that imports vnetlab keeps its own Ctrl-C. This module imports
nothing the interpreter has not loaded already (``_signal`` is the built-in
half of ``signal``, which would import enum first), so the handler is in
place within a millisecond of vnetlab's first line. Before that line, the
interpreter itself is starting (a few milliseconds) and reports a SIGINT its
own way.
"""

from __future__ import annotations

import _thread
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # typeshed types only the public half; its names and signatures are the same
    import signal as _signal
    from collections.abc import Callable
    from types import FrameType
else:
    import _signal

MESSAGE = "vnetlab: interrupted"
EXIT_CODE = 130  # 128 + SIGINT, what a shell reports for a process Ctrl-C ended


def _leave(signum: int, frame: FrameType | None) -> None:
    try:  # noqa: SIM105 - contextlib is one import too many this early
        os.write(2, f"\n{MESSAGE}\n".encode())
    except OSError:
        pass
    os._exit(EXIT_CODE)


_seen = False  # a SIGINT came while a command ran (a library may have wrapped its KeyboardInterrupt)


def _unwind(signum: int, frame: FrameType | None) -> None:
    global _seen
    _seen = True
    raise KeyboardInterrupt


def _unraisable(u: Any) -> None:
    """sys.unraisablehook while a command runs. An interrupt that lands in a weakref callback
    or a ``__del__`` (importlib's module-lock callback, during a lazy import) is an exception
    Python cannot raise: it prints "Exception ignored in ..." with a traceback and goes on, and
    the interrupt would be lost. Deliver it again instead: a new SIGINT, sent by another
    thread once this hook has returned, which the handler raises in the main thread outside
    the callback. (Not ``signal.raise_signal`` nor ``_thread.interrupt_main``: both run the
    handler at once, inside this hook, where the exception is lost again.)"""
    if u.exc_type is KeyboardInterrupt and _seen:
        _thread.start_new_thread(os.kill, (os.getpid(), _signal.SIGINT))
        return
    sys.__unraisablehook__(u)


def was_interrupted() -> bool:
    """A SIGINT came while the command ran: whatever error it ended in is that interrupt.

    Some libraries catch the KeyboardInterrupt and raise their own error instead (pydantic-core
    building a model's schema during a lazy import reports a SchemaError that names it)."""
    return _seen


def is_cli() -> bool:
    """This process is the `vnetlab` command (console script or `python -m vnetlab`)."""
    if sys.argv and os.path.basename(sys.argv[0]) == "vnetlab":
        return True
    argv = list(getattr(sys, "orig_argv", []))
    return "-mvnetlab" in argv or any(argv[i] == "-m" and argv[i + 1] == "vnetlab" for i in range(len(argv) - 1))


def _set(handler: Callable[[int, FrameType | None], object]) -> None:
    try:  # noqa: SIM105
        _signal.signal(_signal.SIGINT, handler)
    except ValueError:  # not the main thread: signals are the main thread's
        pass


def leave_on_interrupt() -> None:
    """From now on Ctrl-C ends the command at once (imports, exit): only in the command itself."""
    if is_cli():
        _set(_leave)


def unwind_on_interrupt() -> None:
    """From now on Ctrl-C raises KeyboardInterrupt, so a running command undoes its work."""
    if _signal.getsignal(_signal.SIGINT) is _leave:
        _set(_unwind)
        sys.unraisablehook = _unraisable


def interrupted() -> None:
    """A command was interrupted (and has unwound): say so once and exit 130."""
    leave_on_interrupt()  # a second Ctrl-C while leaving ends it at once
    print(MESSAGE, file=sys.stderr)
    # at once: an interrupt that a C extension noted during an import (commands import
    # what they need when they run) must not come back as a KeyboardInterrupt on the way out
    for f in (sys.stdout, sys.stderr):
        try:  # noqa: SIM105
            f.flush()
        except (OSError, ValueError):
            pass
    os._exit(EXIT_CODE)


leave_on_interrupt()  # on import: vnetlab/__init__ imports this module first
