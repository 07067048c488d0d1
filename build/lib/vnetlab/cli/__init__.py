"""The command line: thin, prints only here, maps errors to exit codes."""

from .main import main

__all__ = ["main"]
