"""Fast matching of many regex phrases: find candidate positions by literal heads, then match there.

One big alternation tried at every character is slow in Python's `re` (milliseconds per article);
most phrases start with a literal word ("shell", "Russian", "2S4"), so a cheap scan for those heads
finds the few positions where the full alternation needs trying.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

_HEAD = re.compile(r"^[A-Za-z0-9]+")
_WORD = re.compile(r"(?<![\w-])[A-Za-z0-9][\w-]*")


def _head(fragment: str) -> str | None:
    m = _HEAD.match(fragment)
    if m is None:
        return None
    head = m.group()
    if fragment[m.end() : m.end() + 1] in ("?", "*", "{"):
        head = head[:-1]  # "T-?72": the "-" is optional, "s?" too
    return head.lower() if head else None


class Lexicon:
    """Phrases tagged with keys; `find` yields (key, start, end), leftmost, earlier keys first at a tie."""

    def __init__(self, entries: Sequence[tuple[str, Sequence[str]]], *, flags: int = re.IGNORECASE) -> None:
        groups = []
        heads: set[str] = set()
        rest: list[str] = []
        for i, (key, fragments) in enumerate(entries):
            ordered = sorted(fragments, key=len, reverse=True)
            groups.append(f"(?P<g{i}>{'|'.join(f'(?:{f})' for f in ordered)})")
            for f in ordered:
                h = _head(f)
                if h is None:
                    rest.append(f)
                else:
                    heads.add(h)
        self.keys = [key for key, _ in entries]
        self.matcher = re.compile(rf"(?:{'|'.join(groups)})(?![\w-])", flags)
        self.heads = heads
        self.lengths = sorted({len(h) for h in heads})
        self.rest = re.compile(rf"(?<![\w-])(?:{'|'.join(f'(?:{f})' for f in rest)})", flags) if rest else None

    def find(self, text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[str, int, int, str]]:
        end = len(text) if end is None else end
        starts = [w.start() for w in _WORD.finditer(text, start, end) if self._headed(w.group())]
        if self.rest is not None:
            starts = sorted({*starts, *(m.start() for m in self.rest.finditer(text, start, end))})
        pos = start
        for s in starts:
            if s < pos:
                continue
            m = self.matcher.match(text, s, end)
            if m is not None:
                yield self.keys[int((m.lastgroup or "g0")[1:])], m.start(), m.end(), m.group()
                pos = m.end()

    def _headed(self, word: str) -> bool:
        low = word.lower()
        heads = self.heads
        return any(low[:n] in heads for n in self.lengths if n <= len(low))
