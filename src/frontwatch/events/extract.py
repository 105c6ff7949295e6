"""extract(resolved) → events: rules over sentences, resolved places and the vocabularies.

Per sentence: triggers (event_types.toml) give typed candidates; each gets its modality from cue
words before it, its place from the sentence (or its context), its actors, date, weapons, counts
and the claimant of the sentence (claims.py). No parser: regexes over a few sentences keep this
well under a millisecond per article.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import itertools
import logging
import re
from dataclasses import dataclass
from datetime import date

from frontwatch.events import places as pl
from frontwatch.events.assemble import assemble
from frontwatch.events.claims import Attribution, attributions
from frontwatch.events.dates import When, explicit, month, relative
from frontwatch.events.quantities import quantities
from frontwatch.events.text import Sentence, build
from frontwatch.events.vocab import EventType, Vocabulary, actor_key, trigger_key, vocabulary, weapon_key
from frontwatch.model import (
    Actor,
    DatePrecision,
    Event,
    ExtractedArticle,
    Modality,
    Place,
    PlaceKind,
    Quantity,
    ResolvedArticle,
    Span,
    Weapon,
)

log = logging.getLogger(__name__)

_ANAPHORIC = re.compile(r"\b(?:this|that|these|those|the same|such|further|a further|future|next)\s+$")
# "the attack", "its strikes": an incident the report has already told (a control change keeps its object;
# "this", "that" are _ANAPHORIC's)
# ("Saturday's attack", "last night's strike": a day's possessive names it as already told too)
_DEFINITE = re.compile(
    r"(?:\b(?:the|its|their)"
    r"|\b(?:(?:mon|tues|wednes|thurs|fri|satur|sun|yester|to)day|last night|tonight)['’]s)"
    r"\s+(?:(?:same|latest|recent|previous|overnight|massive)\s+)?$"
)
# "occupied Feodosiia", "the liberated Kherson": a state the place is in, not its capture
_ADJECTIVE = re.compile(
    r"\b(?:in|of|the|from|near|into|on|at|to|temporarily|russian-|newly|recently|currently|still)\s+$"
)
_INSTRUMENT = re.compile(r"\b(?:with|using|by|from)\s+(?:[\w-]+\s+){0,4}$")
_PERFECT = re.compile(r"\b(?:has|have|had)\s+(?:been\s+|already\s+)?\w+(?:ed|en|wn|ght|ck)\b", re.I)
_CLAUSE_BREAK = re.compile(r";|,\s*(?:but|however|while|and)\b|\bbut\b|\bhowever\b")  # on lower-cased text
_STRONG_DENIAL = re.compile(r"\b(?:denied|denies|deny|refuted|rejected|dismissed)\b")
_PREP_BEFORE = re.compile(
    r"\b(?:in|to|from|of|into|across|over|with|against|for|on|at|near|inside|throughout|and|towards|toward)\s+$",
    re.I,
)
_UNIT = re.compile(
    r"\b\d+(?:st|nd|rd|th)\s+(?:Separate\s+|Guards\s+|Independent\s+)?(?:[A-Z][\w-]+\s+){0,3}"
    r"(?:Brigade|Regiment|Division|Battalion|Army|Corps|Detachment)\b"
)
_COUNTABLE = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|dozens?)\b"
    r"|\b(?:kill|died|dies|dead)"  # "shelling kills a militiaman": one, though no number is written
)
_DIGIT = re.compile(r"\d")
# "Kiev forces shell Donetsk", "Donetsk militia": the place names the side (metonymy), not the scene
_ARMED_NOUN = re.compile(
    r"^(?:'s|’s)?\s+(?:armed\s+|security\s+|government\s+)?(?:forces|troops|army|military|regime|militia|militiam[ae]n"
    r"|punishers|soldiers|servicem[ae]n|fighters|units)\b",
    re.I,
)
_POSSESSIVE = re.compile(
    r"^(?:'s|’s)\s|^-(?:led|backed|occupation|occupying|controlled|supported|held|installed)\b"
)
DIRECTION_KM = 120.0  # a settlement this close to a "direction" city can be where the push is
OPPONENT = {"Russia": "Ukraine", "Ukraine": "Russia"}
_COARSE = (PlaceKind.COUNTRY, PlaceKind.ADMIN1)
_HAS_TARGET = frozenset({"Explosions/Remote violence", "Violence against civilians"})
COMBATANT = {"Russia": "russian_forces", "Ukraine": "ukrainian_forces"}


@dataclass(frozen=True, slots=True)
class _Hit:
    """One actor mention."""

    key: str
    start: int
    end: int
    surface: str


@dataclass(frozen=True, slots=True)
class _Cues:
    breaks: list[int]  # ends of clause breaks
    strong_denial: list[int]
    denied: list[int]  # ends of negation cues
    hoped: list[int]
    claimed: list[int]
    unnamed: bool
    background: bool  # "almost daily since June", "has been ongoing for more than a year"
    aggregate: bool  # "64 settlements were shelled", "17 clashes took place"; or aid, talks, sanctions


@dataclass(slots=True)
class _Candidate:
    t: EventType
    start: int  # trigger
    end: int
    place: Place | None
    related: list[Place]
    modality: Modality
    evidence_end: int


def extract(resolved: ResolvedArticle) -> ExtractedArticle:
    """The events of a resolved article (pure; the vocabularies are loaded once per process)."""
    v = vocabulary()
    article = resolved.annotated.article
    title_end = len(article.title) if article.title and article.text.startswith(article.title) else 0
    events = assemble(
        _Extractor(resolved, v).run(),
        published=article.published,
        title_end=title_end,
        priority=lambda key: v.types[key].priority,
        toll=lambda key: v.types[key].toll or v.types[key].consequence,
        yields_to=lambda key: v.types[key].yields_to,
    )
    return ExtractedArticle(resolved=resolved, events=tuple(events))


class _Extractor:
    def __init__(self, resolved: ResolvedArticle, v: Vocabulary) -> None:
        self.v = v
        self.article = resolved.annotated.article
        self.text = self.article.text
        self.low = _lower(self.text)
        self._hits: dict[tuple[int, int], list[_Hit]] = {}
        self._dates: dict[int, When | None] = {}
        self._cue_cache: dict[int, _Cues] = {}
        self._counts: dict[tuple[int, int], tuple[Quantity, ...]] = {}
        self.published: date | None = self.article.published
        self.sents, quotes = build(self.text, resolved.annotated.sentences)
        self.atts = attributions(self.text, self.sents, quotes, v)
        self.excluded = sorted({(a.start, a.end) for a in self.atts if a is not None})
        # for _excluded: the starts, and the furthest end of any span starting at or before each
        self._ex_starts = [x for x, _ in self.excluded]
        self._ex_reach = list(itertools.accumulate((y for _, y in self.excluded), max))
        kept = [
            p
            for p in resolved.places
            if not self._excluded(p.mention.start_char, p.mention.end_char) and not self._names_actor(p)
        ]
        self.places: list[list[Place]] = [[] for _ in self.sents]
        starts = [s.start for s in self.sents]
        for p in kept:
            i = _index(starts, p.mention.start_char)
            if i is not None and p.mention.start_char < self.sents[i].end:
                self.places[i].append(p)
        self.chosen = [pl.choose(self.text, ps) for ps in self.places]
        self.article_main = pl.main_of_article(kept, text=self.text)

    def _when(self, i: int) -> When | None:
        """The date sentence i states, if any (cached: the consequence rule looks back)."""
        if i not in self._dates:
            s = self.sents[i]
            when = explicit(s.text, self.published) if _DIGIT.search(s.text) else None
            self._dates[i] = (
                when or relative(self.low[s.start : s.end], self.published) or month(s.text, self.published)
            )
        return self._dates[i]

    def _same_paragraph(self, s: Sentence, step: int) -> bool:
        j = s.index + step
        return 0 <= j < len(self.sents) and self.sents[j].paragraph == s.paragraph

    def _names_actor(self, p: Place) -> bool:
        """ "Kiev forces", "Russia's war", "Russia-led forces": a place name naming a side, not a scene."""
        after = self.text[p.mention.end_char : p.mention.end_char + 40]
        if _ARMED_NOUN.match(after):
            return True
        if p.entry.kind != PlaceKind.COUNTRY:
            return False
        # a country is a scene after "in", "near", "across" ...; without one it is a party
        # ("Russia has killed", "Ukraine says", "Russia's war", "Russia-led forces")
        before = self.text[max(0, p.mention.start_char - 12) : p.mention.start_char]
        return _POSSESSIVE.match(after) is not None or not _PREP_BEFORE.search(before)

    def _caption(self, s: Sentence) -> bool:
        """A title or a one-sentence paragraph: the caption of footage, a headline."""
        return s.index == 0 or not (self._same_paragraph(s, -1) or self._same_paragraph(s, 1))

    def _excluded(self, a: int, b: int) -> bool:
        """Is text[a:b] inside a claimant's words? (Some span starts at or before a and reaches b.)"""
        i = bisect.bisect_right(self._ex_starts, a) - 1
        return i >= 0 and self._ex_reach[i] >= b

    # -- per sentence --------------------------------------------------------------------------
    def run(self) -> list[Event]:
        events: list[Event] = []
        para_earlier: set[int] = set()
        for s in self.sents:
            if self.v.earlier_re.match(self.low, s.start):
                para_earlier.add(s.paragraph)  # "Earlier, X reported that ...": the whole paragraph
            candidates = self._candidates(s)
            if not candidates:
                continue
            when = self._when(s.index)
            if when is None and self.v.consequence_re.match(s.text):
                # "Because of this, ...": on or after the date the paragraph gave before
                for j in range(s.index - 1, -1, -1):
                    if self.sents[j].paragraph != s.paragraph:
                        break
                    before = self._when(j)
                    if before is not None and before.date is not None:
                        when = When(before.date, DatePrecision.ON_OR_AFTER, None, True)
                        break
            earlier = s.paragraph in para_earlier or bool(self.v.earlier_re.search(self.low, s.start, s.end))
            # events of the two sentences before whose evidence reaches this one (evidence reaches at most
            # one sentence further than its own)
            floor = self.sents[max(0, s.index - 2)].start
            told: list[int] = []
            for i in range(len(events) - 1, -1, -1):
                e = events[i]
                if e.evidence.start_char < floor:
                    break
                if e.evidence.end_char >= s.start - 2 and e.evidence.start_char < s.start:
                    told.insert(0, i)
            previous = {events[i].event_type for i in told}
            if told and all(c.t.toll for c in candidates) and self._same_paragraph(s, -1):
                # "Russian troops shelled Kharkiv. Two civilians were killed.": the toll of the event told
                events[told[-1]] = self._with_toll(events[told[-1]], s)
                continue
            for c in candidates:
                if c.t.consequence and c.t.event_type in previous and self._same_paragraph(s, -1):
                    continue
                events.append(self._event(s, c, when, earlier))
        return _dedupe_ids(events)

    def _triggers(self, s: Sentence) -> list[re.Match[str]]:
        """Trigger matches of the sentence; in a caption also the caption-only ones that overlap none."""
        found = list(self.v.plain_re.finditer(self.low, s.start, s.end))
        if self._caption(s):
            spans = [m.span() for m in found]
            found += [
                m
                for m in self.v.caption_re.finditer(self.low, s.start, s.end)
                if not any(a < m.end() and m.start() < b for a, b in spans)
            ]
            found.sort(key=lambda m: m.start())
        return found

    def _candidates(self, s: Sentence) -> list[_Candidate]:
        out: list[_Candidate] = []
        fired: set[str] = set()  # every type a trigger spoke for, kept or not (hoped, no object place)
        for m in self._triggers(s):
            a, b = m.start(), m.end()
            if self._excluded(a, b) or any(
                p.mention.start_char <= a < p.mention.end_char for p in self.places[s.index]
            ):
                continue
            if " " not in m.group() and _ANAPHORIC.search(self.low, max(s.start, a - 14), a):
                continue  # "this offensive": a reference to an event already told ("that air defence shot
                # down ...": a clause, not a reference)
            key = trigger_key(self.v, m.group())
            if key is None:
                continue
            t = self._by_means(s, self.v.types[key], a, b)
            fired |= {t.key, t.event_type}
            cues = self._cues(s)
            if t.control is None and (cues.aggregate or (cues.background and not self._dated(s))):
                continue  # background or an aggregate: no one incident (a control change keeps its day)
            if self._needs_side(t, m.group()) and not self._caption(s) and not self._armed_side_named(s):
                continue  # "firefighters battled the blaze": no fight without a side's forces
            if (
                t.control is not None
                and m.group().endswith("ed")
                and _ADJECTIVE.search(self.low, max(s.start, a - 24), a)
            ):
                continue  # "in occupied Crimea": a state, not a capture
            if (
                t.control is None
                and not self._caption(s)
                and _DEFINITE.search(self.low, max(s.start, a - 24), a)
                and not self._dated(s)
            ):
                continue  # "the attack", "its strikes": an incident the report has told already
            if t.max_words and s.text.count(" ") >= t.max_words:
                continue  # a caption-style trigger ("Russian forces in X") in a long sentence is background
            modality = self._modality(s, a - s.start, t)
            if modality == Modality.HOPED and t.control is None:
                continue  # hopes and plans are kept only where they concern control of a place
            if t.needs_object_place:
                objs, ev_end = self._objects(s, a, b)
                for o in objs:
                    related = [p for p in self.places[s.index] if p.entry.id != o.entry.id and p not in objs]
                    out.append(_Candidate(t, a, b, o, pl.unique(related), modality, ev_end))
                continue
            if t.needs_own_place and self.chosen[s.index][0] is None and not self._caption(s):
                continue  # "forces are moving fast in the south": a movement with no scene is no incident
            place, related = self._place(s, t)
            listed = pl.enumeration(self.text, self.places[s.index], place) if place is not None else [place]
            for p in listed:  # "attacks were repulsed near A, B and C": one event per place
                others = [o for o in (place, *related) if o is not None and o is not p]
                out.append(_Candidate(t, a, b, p, pl.unique(others), modality, s.end))
        # "bodies of civilians near destroyed cars": the dead are the news, not the damage
        overridden = {k for c in out for k in c.t.overrides}
        out = [c for c in out if c.t.key not in overridden]
        # one event per ACLED event type and place in a sentence: the most specific type wins
        best: dict[tuple[str, str | None, bool], _Candidate] = {}
        for c in out:
            slot = (c.t.event_type, c.place.entry.id if c.place else None, c.t.control is not None)
            if slot not in best or c.t.priority > best[slot].t.priority:
                best[slot] = c
        present = {c.t.event_type for c in best.values()} | {c.t.key for c in out}
        # a caption's bare nouns say nothing when another type spoke, even one not kept
        # ("Ukrainian forces liberated X", X unresolved; "we hope to liberate X")
        kept = [c for c in best.values() if not set(c.t.yields_to) & (fired if c.t.caption_only else present)]
        return sorted(kept, key=lambda c: (c.start, c.place.mention.start_char if c.place else 0))

    def _needs_side(self, t: EventType, trigger: str) -> bool:
        return t.needs_armed_actor or (t.weak_re is not None and t.weak_re.fullmatch(trigger) is not None)

    def _armed_side_named(self, s: Sentence) -> bool:
        """Is an armed side (not civilians) named in the sentence or the one before it in its paragraph?"""
        spans = [(s.start, s.end)]
        if self._same_paragraph(s, -1):
            prev = self.sents[s.index - 1]
            spans.append((prev.start, prev.end))
        return any(
            self.v.actors[h.key].side not in (None, "civilians")
            for a, b in spans
            for h in self._actor_hits(a, b)
        )

    def _dated(self, s: Sentence) -> bool:
        """Does the sentence state its own day ("on December 30")?"""
        when = self._when(s.index)
        return when is not None and when.precision == DatePrecision.DAY and bool(_DIGIT.search(s.text))

    def _by_means(self, s: Sentence, t: EventType, a: int, b: int) -> EventType:
        """A generic attack or strike whose sentence names its means is the strike of that kind. A fight
        becomes a strike only by the means it is made with: its subject ("drones attacked X") or "with",
        "using", "by" after it ("attacked X with guided bombs"), not any artillery the sentence names."""
        if not t.by_means:
            return t
        for k, rx in self.v.means:
            if k not in t.by_means:
                continue
            for m in rx.finditer(self.low, s.start, s.end):
                if t.event_type != "Battles":
                    return self.v.types[k]
                if m.end() <= a or _INSTRUMENT.search(self.low, b, m.start()):
                    return self.v.types[k]
        return t

    def _objects(self, s: Sentence, a: int, b: int) -> tuple[list[Place], int]:
        """What a control change acts on, following "some settlements ... Among them are X and Y"."""
        objs = pl.objects(self.text, self.places[s.index], a, b)
        if objs:
            return [o for o in objs if o.entry.kind in pl.SETTLEMENTS] or objs[:1], s.end
        rest = self.text[b : s.end]
        if pl.GENERIC_OBJECT.match(rest):
            cue = pl.LIST_CUE.search(rest)
            if cue:
                after = b + cue.end()
                listed = [
                    p
                    for p in self.places[s.index]
                    if p.mention.start_char >= after and p.entry.kind in pl.SETTLEMENTS
                ]
                # the list the cue opens, not a place named later in the sentence
                return (pl.enumeration(self.text, self.places[s.index], listed[0]) if listed else []), s.end
            nxt = s.index + 1
            if nxt < len(self.sents) and pl.NEXT_LIST.match(self.sents[nxt].text):
                return [p for p in self.places[nxt] if p.entry.kind in pl.SETTLEMENTS], self.sents[nxt].end
            return [], s.end
        if pl.ANAPHORIC_OBJECT.match(rest):
            ctx = self._context_place(s)
            return ([ctx] if ctx else []), s.end
        return [], s.end

    def _context_place(self, s: Sentence) -> Place | None:
        """Main place of the nearest earlier sentence in its paragraph or quotation, else the article's."""
        for j in range(s.index - 1, -1, -1):
            o = self.sents[j]
            if o.paragraph != s.paragraph and (s.quote is None or o.quote != s.quote):
                break
            if self.chosen[j][0] is not None:
                return self.chosen[j][0]
        return self.article_main

    def _refine(self, s: Sentence, coarse: Place) -> Place | None:
        """A settlement inside a region or country the sentence names only coarsely, from what follows in
        its paragraph ("shelled the Kherson region ... village of Antonivka") or on the next line (a
        dateline, a "where" line); for a headline, also the article's main place. A "direction" is
        refined only from the next line: within its paragraph, the next places are where the push goes."""
        pool: list[Place] = []
        j = s.index + 1
        while j < len(self.sents) and self.sents[j].paragraph == s.paragraph:
            pool += self.places[j]
            j += 1
        next_line = self.places[j] if j < len(self.sents) else []
        pool += next_line
        if self.article_main is not None and s.index == 0:  # a headline is told in full by its body
            pool.append(self.article_main)
        for p in pool:
            if p.entry.kind not in pl.SETTLEMENTS or pl.is_direction(p):
                continue
            if pl.is_direction(coarse):
                if p in next_line and pl.km(p, coarse) <= DIRECTION_KM:
                    return p
                continue
            if coarse.entry.kind == PlaceKind.COUNTRY and p.entry.country == coarse.entry.country:
                return p
            if coarse.entry.kind == PlaceKind.ADMIN1 and p.entry.admin1 == (
                coarse.entry.admin1 or coarse.entry.name
            ):
                return p
        return None

    def _place(self, s: Sentence, t: EventType) -> tuple[Place | None, list[Place]]:
        main, related = self.chosen[s.index]
        if main is None:
            ctx = self._context_place(s)
            if ctx is not None and (ctx.entry.kind in _COARSE or pl.is_direction(ctx)):
                return self._refine(s, ctx) or ctx, []
            return ctx, []
        related = list(related)
        if main.entry.kind in _COARSE or pl.is_direction(main):
            finer = self._refine(s, main)
            if finer is not None:
                related.insert(0, main)
                main = finer
        # deployed "from the Belgorod region": the origin; where they went is the context's place
        if t.sub_event_type == "Change to group/activity" and pl.FROM.search(
            self.text[s.start : main.mention.start_char]
        ):
            for j in range(s.index - 1, -1, -1):
                if self.sents[j].paragraph != s.paragraph:
                    break
                m, r = self.chosen[j]
                if m is not None:
                    related += [m, *r]
                    break
        return main, pl.unique([p for p in related if p.entry.id != main.entry.id])

    def _cues(self, s: Sentence) -> _Cues:
        """Where the sentence's modality cues are, found once per sentence."""
        cues = self._cue_cache.get(s.index)
        if cues is None:
            low = self.low
            cues = _Cues(
                breaks=[m.end() for m in _CLAUSE_BREAK.finditer(low, s.start, s.end)],
                strong_denial=[m.start() for m in _STRONG_DENIAL.finditer(low, s.start, s.end)],
                denied=[m.end() for m in self.v.denied_re.finditer(low, s.start, s.end)],
                hoped=[m.start() for m in self.v.hoped_re.finditer(low, s.start, s.end)],
                claimed=[m.start() for m in self.v.claimed_re.finditer(low, s.start, s.end)],
                unnamed=self.v.unnamed_re.search(low, s.start, s.end) is not None,
                background=self.v.background_re.search(low, s.start, s.end) is not None,
                # "over several Russian territories, namely Bryansk, Belgorod ...": the list names them
                aggregate=self.v.aggregate_re.search(low, s.start, s.end) is not None
                and pl.LIST_CUE.search(self.text, s.start, s.end) is None,
            )
            self._cue_cache[s.index] = cues
        return cues

    def _modality(self, s: Sentence, rel: int, t: EventType) -> Modality:
        at = s.start + rel
        c = self._cues(s)
        clause = max((b for b in c.breaks if b <= at), default=s.start)
        if any(p < at for p in c.strong_denial) or any(max(clause, at - 40) < e <= at for e in c.denied):
            return Modality.DENIED
        if any(clause <= p < at for p in c.hoped):
            return Modality.HOPED
        if c.unnamed:
            return Modality.UNNAMED_SOURCE
        if any(clause <= p < at for p in c.claimed):
            return Modality.CLAIMED
        if t.modality:
            return Modality(t.modality)
        return Modality.ASSERTED

    # -- actors ---------------------------------------------------------------------------------
    def _actor_hits(self, a: int, b: int) -> list[_Hit]:
        cached = self._hits.get((a, b))
        if cached is not None:
            return cached
        hits = []
        for m in self.v.actor_re.finditer(self.low, a, b):
            if self._excluded(m.start(), m.end()):
                continue
            surface = self.text[m.start() : m.end()]
            if m.group() in ("ukraine", "russia") and _PREP_BEFORE.search(
                self.text[max(a, m.start() - 12) : m.start()]
            ):
                continue  # "in Ukraine": a place, not an actor
            key = actor_key(self.v, m.group())
            if key is not None:
                hits.append(_Hit(key, m.start(), m.end(), surface))
        self._hits[(a, b)] = hits
        return hits

    def _actors(self, s: Sentence, c: _Candidate) -> tuple[tuple[Actor, ...], str | None]:
        hits = self._actor_hits(s.start, c.evidence_end)
        battle = c.t.event_type == "Battles"
        if not battle:
            agents = self._agents(s, c, hits)
            if c.t.event_type in _HAS_TARGET:
                # the shelled, the killed: the other party of a strike or attack comes after its doer
                agents = agents + [h for h in hits if h not in agents]
            hits = agents
        actors: dict[str, Actor] = {}
        for h in hits:
            e = self.v.actors[h.key]
            actors.setdefault(e.name, Actor(name=e.name, side=e.side, surface=h.surface))
        unit = _UNIT.search(self.text, s.start, c.evidence_end)
        if unit and actors:
            first = next(iter(actors))
            actors[first] = Actor(actors[first].name, actors[first].side, actors[first].surface, unit.group())
        control_to = None
        if c.t.control == "leaver":
            # "Russia withdrew from Lyman": the place goes to the other side
            # (the withdrawing side unnamed: a side speaks of its own withdrawal)
            leaver = self._agent_side(s, c, hits) or self._claimant_side(self.atts[s.index])
            control_to = OPPONENT.get(leaver or "", c.t.default_control_to)
        elif c.t.control:
            control_to = self._agent_side(s, c, hits) or c.t.default_control_to
        if battle and c.t.both_sides:
            sides = {a.side for a in actors.values() if a.side in OPPONENT}
            if not sides:
                sides = {control_to if control_to in OPPONENT else "Ukraine"}
                e = self.v.actors[COMBATANT[next(iter(sides))]]
                actors[e.name] = Actor(e.name, e.side)
            for side in sorted(sides):
                e = self.v.actors[COMBATANT[OPPONENT[side]]]
                actors.setdefault(e.name, Actor(e.name, e.side))
        return tuple(actors.values()), control_to

    def _agents(self, s: Sentence, c: _Candidate, hits: list[_Hit]) -> list[_Hit]:
        """Who does a non-battle event: named before its trigger, or "by ...", or in the sentence before."""
        before = [h for h in hits if h.start < c.start]
        if before:
            return before
        by = re.match(r"\s*(?:\w+\s+){0,4}?by\s+", self.text[c.end : c.evidence_end])
        if by:
            after = [h for h in hits if h.start >= c.end + by.end()]
            if after:
                return after[:1]
        for j in range(s.index - 1, -1, -1):
            o = self.sents[j]
            if o.paragraph != s.paragraph:
                break
            prev = [h for h in self._actor_hits(o.start, o.end) if self.v.actors[h.key].side != "civilians"]
            if prev:
                return prev
        return hits

    def _agent_side(self, s: Sentence, c: _Candidate, hits: list[_Hit]) -> str | None:
        """Who takes the place: "captured by Russian troops", or the subject before the trigger."""
        by = re.match(r"\s*(?:\w+\s+){0,3}?by\s+", self.text[c.end : c.evidence_end])
        ordered = [h for h in hits if h.start >= c.end + (by.end() if by else 10**6)][:1]
        ordered += [h for h in hits if h.start < c.start]  # the subject comes first
        for h in ordered:
            side = self.v.actors[h.key].side
            if side in self.v.control_change:
                return side
        return None

    # -- the event ------------------------------------------------------------------------------
    def _event(self, s: Sentence, c: _Candidate, when: When | None, earlier: bool) -> Event:
        actors, control_to = self._actors(s, c)
        t = c.t
        sub = t.sub_event_type
        if t.control:
            sub = self.v.control_change.get(control_to or "", self.v.control_change["default"])
        att: Attribution | None = self.atts[s.index]
        claimant = att.claimant if att else None
        modality = c.modality
        if modality == Modality.ASSERTED and t.control and claimant is not None:
            # a party's word about its own side's gain is a claim; conceding a loss is not
            side = self._claimant_side(att)
            if side is None or side == control_to:
                modality = Modality.CLAIMED
        elif (
            modality == Modality.ASSERTED
            and t.party_report
            and self._is_party(att)
            and self._own_success(s, att, actors)
        ):
            # a side's command or ministry telling of its own success ("attacks were repulsed", "destroyed
            # 23 drones", "our troops advanced"): a claim; telling of the enemy's attacks is not
            modality = Modality.CLAIMED
        d, precision, end = self._date(s, c, when, earlier)
        # "Russia has deployed": the country named as the doer is an actor, not a place of the event
        hits = self._actor_hits(s.start, c.evidence_end)
        related = tuple(
            p
            for p in c.related
            if not (
                p.entry.kind == PlaceKind.COUNTRY
                and any(h.start <= p.mention.start_char < h.end for h in hits)
            )
        )
        ev = Span(s.start, c.evidence_end, self.text[s.start : c.evidence_end])
        place_id = c.place.entry.id if c.place else ""
        digest = hashlib.sha1(
            f"{self.article.id}|{t.key}|{ev.start_char}|{ev.end_char}|{place_id}|{self.v.version}".encode()
        ).hexdigest()[:20]
        return Event(
            id=f"ev:{digest}",
            article_id=self.article.id,
            event_type=t.event_type,
            sub_event_type=sub,
            fw_type=t.key,
            actors=actors,
            place=c.place,
            related_places=related,
            date=d,
            date_precision=precision,
            modality=modality,
            evidence=ev,
            date_end=end,
            claimant=claimant,
            weapons=self._weapons(s.start, c.evidence_end),
            quantities=self._quantities(s.start, c.evidence_end),
            control_to=control_to if t.control else None,
            rules_version=self.v.version,
        )

    def _with_toll(self, e: Event, s: Sentence) -> Event:
        """The event with the dead and wounded counted in sentence s, and s added to its evidence."""
        toll = tuple(q for q in self._quantities(s.start, s.end) if q.kind in ("fatalities", "injured"))
        start = e.evidence.start_char
        return dataclasses.replace(
            e, quantities=e.quantities + toll, evidence=Span(start, s.end, self.text[start : s.end])
        )

    def _quantities(self, a: int, b: int) -> tuple[Quantity, ...]:
        if (a, b) not in self._counts:
            self._counts[(a, b)] = quantities(self.text[a:b]) if _COUNTABLE.search(self.low, a, b) else ()
        return self._counts[(a, b)]

    def _own_success(self, s: Sentence, att: Attribution | None, actors: tuple[Actor, ...]) -> bool:
        if self.v.own_success_re.search(self.low, s.start, s.end):
            return True
        side = self._claimant_side(att)
        doer = next((a.side for a in actors if a.side in OPPONENT), None)
        return side is None or doer is None or side == doer

    def _is_party(self, att: Attribution | None) -> bool:
        """Is the claimant a warring side: its military or ministry, or someone a side's name marks?"""
        if att is None:
            return False
        return att.claimant.role in self.v.party_roles or self._claimant_side(att) in OPPONENT

    def _claimant_side(self, att: Attribution | None) -> str | None:
        if att is None:
            return None
        words = " ".join(x for x in (att.claimant.name, att.claimant.role) if x)
        m = self.v.actor_re.search(words.lower())
        key = actor_key(self.v, m.group()) if m else None
        return self.v.actors[key].side if key else None

    def _date(
        self, s: Sentence, c: _Candidate, when: When | None, earlier: bool
    ) -> tuple[date | None, DatePrecision, date | None]:
        if when is not None:
            return when.date, when.precision, when.end
        if self.published is None:
            return None, DatePrecision.UNKNOWN, None
        if earlier or c.t.aspect == "completed" or _PERFECT.search(s.text[: c.start - s.start]):
            return self.published, DatePrecision.ON_OR_BEFORE, None
        return self.published, DatePrecision.DAY, None

    def _weapons(self, a: int, b: int) -> tuple[Weapon, ...]:
        found: dict[str, Weapon] = {}
        for m in self.v.weapon_re.finditer(self.low, a, b):
            key = weapon_key(self.v, m.group())
            if key is None:
                continue
            e = self.v.weapons[key]
            surface = self.text[m.start() : m.end()]
            found.setdefault(e.key, Weapon(e.key, e.canonical, e.weapon_class, surface, e.calibre_mm))
        if any(not self.v.weapons[k].generic for k in found):
            found = {k: w for k, w in found.items() if not self.v.weapons[k].generic}
        return tuple(found.values())


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


def _dedupe_ids(events: list[Event]) -> list[Event]:
    seen: set[str] = set()
    out = []
    for e in events:
        if e.id not in seen:
            seen.add(e.id)
            out.append(e)
    return out
