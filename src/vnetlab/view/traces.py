"""Traces packed for the page: the hops `vnetlab trace` shows, in a string table.

A 200-port flood makes one trace hundreds of hops long; the page keeps what
`vnetlab trace` prints without -v (copies that went nowhere are left out),
folds a run of identical hops at many devices (a flood) into one line that
lists them, and stores every string once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .data import safe

FOLD = 4  # a run of more identical hops than this becomes one line


class Packer:
    def __init__(self) -> None:
        self.strings: list[str] = []
        self._sid: dict[str, int] = {}
        self.devlists: list[list[int]] = []
        self._did: dict[tuple[int, ...], int] = {}

    def s(self, text: str | None) -> int:
        if text is None:
            return -1
        text = safe(text)
        i = self._sid.get(text)
        if i is None:
            i = self._sid[text] = len(self.strings)
            self.strings.append(text)
        return i

    def devs(self, names: Iterable[str]) -> int:
        """A list of devices, stored once as runs [first id, count, first id, count, ...]: a flood's
        devices got consecutive ids when first seen, so most lists are a run or two."""
        key = tuple(self.s(n) for n in names)
        i = self._did.get(key)
        if i is None:
            i = self._did[key] = len(self.devlists)
            runs: list[int] = []
            for x in key:
                if runs and runs[-2] + runs[-1] == x:
                    runs[-1] += 1
                else:
                    runs += [x, 1]
            self.devlists.append(runs)
        return i

    def pack(self, result: Any, owners: dict[str, list[str]]) -> dict[str, Any]:
        """One PingResult as {ok, l: lines, b: because}: the hops and the ranked causes `vnetlab
        trace` shows (verify.trace's own selection and ranking)."""
        from ..sim.trace import rank_causes
        from ..verify.trace import deciding, relevant

        ends = {result.src, *owners.get(result.dst, ())}
        shown = [h for h in result.hops if h.verdict != "ignore" and (h.verdict != "drop" or relevant(h, ends))]
        lines: list[list[int]] = []
        i = 0
        while i < len(shown):
            h = shown[i]
            j = i + 1
            sig = (h.direction, h.verdict, h.frame, h.rule, h.func)
            while (
                j < len(shown)
                and h.why is None
                and (shown[j].direction, shown[j].verdict, shown[j].frame, shown[j].rule, shown[j].func) == sig
                and shown[j].why is None
            ):
                j += 1
            group = shown[i:j] if j - i > FOLD else [h]
            lines.append(
                [
                    h.seq,
                    self.devs(x.device for x in group),
                    self.s(h.direction),
                    self.s(h.verdict),
                    self.s(h.frame),
                    self.s(h.why),
                    self.s(h.rule),
                    self.s(h.func),
                ]
            )
            i += len(group)
        because = []
        if not result.ok:
            dst_node = next(iter(owners.get(result.dst, ())), "")
            for h in rank_causes(deciding(result.hops, ends), result.src, dst_node, result.dst, result.hops):
                because.append([self.s(h.device), self.s(h.why), self.s(h.rule), self.s(h.func)])
        return {"ok": result.ok, "l": lines, "b": because}

    def absorb(self, strings: list[str], devlists: list[list[int]], traces: dict[str, Any]) -> dict[str, Any]:
        """Traces packed by another Packer (a worker process), re-indexed into this one's tables."""
        sm = [self.s(x) for x in strings]
        dm = [self.devs(strings[i] for i in expand(dl)) for dl in devlists]

        def s_(i: int) -> int:
            return -1 if i < 0 else sm[i]

        out = {}
        for key, t in traces.items():
            lines = [[ln[0], dm[ln[1]], *(s_(i) for i in ln[2:])] for ln in t["l"]]
            because = [[s_(i) for i in b] for b in t["b"]]
            out[key] = {**t, "l": lines, "b": because}
        return out


def expand(runs: list[int]) -> list[int]:
    """A stored device list's string ids."""
    return [x for i in range(0, len(runs), 2) for x in range(runs[i], runs[i] + runs[i + 1])]
