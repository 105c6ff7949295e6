"""Sentences, paragraphs and quotations of an article, as character spans of Article.text."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from frontwatch.model import Span

# "maneuvering.Tthey": a full stop glued to the next sentence, which sentence splitters miss.
_GLUED = re.compile(r"(?<=[a-z]{3}[.!?])(?=[A-Z][a-z])")
_PARA = re.compile(r"\n\s*\n|\n(?=\s*[\"“«])")
_OPEN = '"“«'
_CLOSE = '"”»'
_SPECIAL = re.compile('["“«”»]|\n(?=\n)')  # quote marks, and a paragraph break


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str
    paragraph: int
    quote: int | None  # index of the quotation holding it, if any


@dataclass(frozen=True, slots=True)
class Quote:
    start: int  # the opening quote mark
    end: int  # just after the closing quote mark


def refine(text: str, sentences: Sequence[Span]) -> list[tuple[int, int]]:
    """The given sentence spans, split at glued full stops and at paragraph breaks."""
    spans: list[tuple[int, int]] = []
    for s in sentences or [Span(0, len(text), text)]:
        cuts = [s.start_char]
        body = text[s.start_char : s.end_char]
        for m in _GLUED.finditer(body):
            cuts.append(s.start_char + m.start())
        for m in re.finditer(r"\n\s*\n", body):
            cuts.append(s.start_char + m.end())
        cuts.append(s.end_char)
        for a, b in zip(sorted(set(cuts)), sorted(set(cuts))[1:], strict=False):
            # trim whitespace so that spans hold text only
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if b > a:
                spans.append((a, b))
    return spans


def paragraphs(text: str) -> list[int]:
    """Start offsets of paragraphs (blank-line separated)."""
    return [0] + [m.end() for m in re.finditer(r"\n\s*\n", text)]


def quotes(text: str) -> list[Quote]:
    """Quotations, including one running over several paragraphs (each reopened with a quote mark)."""
    found: list[Quote] = []
    start: int | None = None
    n = len(text)
    pos = 0
    while (m := _SPECIAL.search(text, pos)) is not None:  # jump from quote mark to quote mark
        i = m.start()
        c = text[i]
        pos = i + 1
        if start is None:
            if c in _OPEN and (i == 0 or not text[i - 1].isalnum()):
                start = i
        elif c in _CLOSE and (c != '"' or i + 1 == n or not text[i + 1].isalnum() or text[i - 1] in ".,!?"):
            found.append(Quote(start, i + 1))
            start = None
        elif c == "\n":
            # paragraph break inside an open quote: it goes on only if the next paragraph reopens it
            j = i
            while j < n and text[j].isspace():
                j += 1
            if j < n and text[j] in _OPEN:
                pos = j + 1
                continue
            found.append(Quote(start, i))
            start = None
    if start is not None:
        found.append(Quote(start, n))
    return found


def build(text: str, spans: Sequence[Span]) -> tuple[list[Sentence], list[Quote]]:
    refined = refine(text, spans)
    para_starts = paragraphs(text)
    qs = quotes(text)
    out: list[Sentence] = []
    p = 0
    for i, (a, b) in enumerate(refined):
        while p + 1 < len(para_starts) and para_starts[p + 1] <= a:
            p += 1
        # a sentence belongs to the quotation it starts in (its closing '," X said.' included)
        q = next((k for k, qq in enumerate(qs) if qq.start <= a < qq.end - 1), None)
        out.append(Sentence(i, a, b, text[a:b], p, q))
    return out, qs
