"""The per-report context every extraction step reads: text, sentences, attributions, places by sentence.

Built once per article (`report`), frozen; the few look-ups asked for repeatedly (a sentence's date, its
cues, actor hits and counts over a span) are remembered in its caches, which only ever grow.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from frontwatch.events import places as pl
from frontwatch.events.claims import Attribution, attributions
from frontwatch.events.dates import When, explicit, month, relative
from frontwatch.events.text import Sentence, build
from frontwatch.events.vocab import Vocabulary
from frontwatch.events.words import alternation, words
from frontwatch.model import Article, DatePrecision, Place, PlaceKind, Quantity, ResolvedArticle

if TYPE_CHECKING:
    from frontwatch.events.actors import Hit
    from frontwatch.events.modality import Cues

_W = words()
DIGIT = re.compile(r"\d")
# "in Ukraine", "across Russia": a place before it, not an actor
PREP_BEFORE = re.compile(rf"\b(?:{alternation(_W.place_preposition)})\s+$", re.I)
# "Kiev forces shell Donetsk", "Donetsk militia": the place names the side (metonymy), not the scene
_ARMED_NOUN = re.compile(
    rf"^(?:'s|’s)?\s+(?:armed\s+|security\s+|government\s+)?(?:{alternation(_W.armed_noun)})\b", re.I
)
_POSSESSIVE = re.compile(rf"^(?:'s|’s)\s|^-(?:{alternation(_W.side_compound)})\b")


@dataclass(frozen=True, slots=True)
class Report:
    """One article as the extraction steps see it."""

    v: Vocabulary
    article: Article
    text: str
    low: str  # lower-cased, same offsets
    published: date | None
    sents: list[Sentence]
    atts: list[Attribution | None]  # the claimant of each sentence
    ex_starts: list[int]  # claimants' words: the starts of their spans (sorted)
    ex_reach: list[int]  # and the furthest end of any span starting at or before each
    places: list[list[Place]]  # kept places by sentence
    chosen: list[tuple[Place | None, list[Place]]]  # main and related place by sentence
    article_main: Place | None
    dates: dict[int, When | None] = field(default_factory=dict)
    cues: dict[int, Cues] = field(default_factory=dict)
    hits: dict[tuple[int, int], list[Hit]] = field(default_factory=dict)
    counts: dict[tuple[int, int], tuple[Quantity, ...]] = field(default_factory=dict)


def report(resolved: ResolvedArticle, v: Vocabulary) -> Report:
    """The context of one resolved article: places inside claimants' words or naming a side dropped."""
    article = resolved.annotated.article
    text = article.text
    sents, quotes = build(text, resolved.annotated.sentences)
    atts = attributions(text, sents, quotes, v)
    spans = sorted({(a.start, a.end) for a in atts if a is not None})
    ex_starts = [x for x, _ in spans]
    ex_reach = list(itertools.accumulate((y for _, y in spans), max))
    kept = [
        p
        for p in resolved.places
        if not _inside(ex_starts, ex_reach, p.mention.start_char, p.mention.end_char)
        and not _names_actor(text, p)
    ]
    places: list[list[Place]] = [[] for _ in sents]
    starts = [s.start for s in sents]
    for p in kept:
        i = _index(starts, p.mention.start_char)
        if i is not None and p.mention.start_char < sents[i].end:
            places[i].append(p)
    return Report(
        v=v,
        article=article,
        text=text,
        low=_lower(text),
        published=article.published,
        sents=sents,
        atts=atts,
        ex_starts=ex_starts,
        ex_reach=ex_reach,
        places=places,
        chosen=[pl.choose(text, ps) for ps in places],
        article_main=pl.main_of_article(kept, text=text),
    )


def excluded(r: Report, a: int, b: int) -> bool:
    """Is text[a:b] inside a claimant's words?"""
    return _inside(r.ex_starts, r.ex_reach, a, b)


def _inside(starts: list[int], reach: list[int], a: int, b: int) -> bool:
    """Some span starts at or before a and reaches b."""
    i = bisect.bisect_right(starts, a) - 1
    return i >= 0 and reach[i] >= b


def when(r: Report, i: int) -> When | None:
    """The date sentence i states, if any (cached: the consequence rule looks back)."""
    if i not in r.dates:
        s = r.sents[i]
        found = explicit(s.text, r.published) if DIGIT.search(s.text) else None
        r.dates[i] = found or relative(r.low[s.start : s.end], r.published) or month(s.text, r.published)
    return r.dates[i]


def dated(r: Report, s: Sentence) -> bool:
    """Does the sentence state its own day ("on December 30")?"""
    found = when(r, s.index)
    return found is not None and found.precision == DatePrecision.DAY and bool(DIGIT.search(s.text))


def same_paragraph(r: Report, s: Sentence, step: int) -> bool:
    j = s.index + step
    return 0 <= j < len(r.sents) and r.sents[j].paragraph == s.paragraph


def caption(r: Report, s: Sentence) -> bool:
    """A title or a one-sentence paragraph: the caption of footage, a headline."""
    return s.index == 0 or not (same_paragraph(r, s, -1) or same_paragraph(r, s, 1))


def _names_actor(text: str, p: Place) -> bool:
    """ "Kiev forces", "Russia's war", "Russia-led forces": a place name naming a side, not a scene."""
    after = text[p.mention.end_char : p.mention.end_char + 40]
    if _ARMED_NOUN.match(after):
        return True
    if p.entry.kind != PlaceKind.COUNTRY:
        return False
    # a country is a scene after "in", "near", "across" ...; without one it is a party
    # ("Russia has killed", "Ukraine says", "Russia's war", "Russia-led forces")
    before = text[max(0, p.mention.start_char - 12) : p.mention.start_char]
    return _POSSESSIVE.match(after) is not None or not PREP_BEFORE.search(before)


def _lower(text: str) -> str:
    """Lower-cased text with the same offsets (a few characters grow when lower-cased; they stay)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _index(starts: list[int], pos: int) -> int | None:
    """The sentence whose span starts at or before pos (binary search)."""
    lo, hi = 0, len(starts) - 1
    if hi < 0 or pos < starts[0]:
        return None
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= pos:
            lo = mid
        else:
            hi = mid - 1
    return lo
