"""Everything the CLI prints: issue lines, JSON documents, rich tables."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console

from ..errors import Issue

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def issues(items: list[Issue], *, to_stderr: bool = False) -> None:
    stream = sys.stderr if to_stderr else sys.stdout
    for i in items:
        print(str(i), file=stream)


def issues_json(file: str, items: list[Issue]) -> None:
    doc = {
        "file": file,
        "valid": not items,
        "issues": [{"line": i.line, "col": i.col, "rule": i.rule, "message": i.message} for i in items],
    }
    json_doc(doc)


def json_doc(doc: Any) -> None:
    sys.stdout.write(json.dumps(doc, indent=2) + "\n")


def error(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}", markup=True) if sys.stderr.isatty() else print(
        f"error: {message}", file=sys.stderr
    )
