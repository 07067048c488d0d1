"""The command line: thin, prints only here, maps errors to exit codes."""

from .startup import importing

with importing():  # click and every command's options
    from .main import main

__all__ = ["main"]
