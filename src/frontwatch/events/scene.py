"""Scene and place: where an incident happens, from its sentence, its paragraph or the article."""

from __future__ import annotations

from frontwatch.events import places as pl
from frontwatch.events.context import Report
from frontwatch.events.text import Sentence
from frontwatch.events.vocab import EventType
from frontwatch.model import Place, PlaceKind

DIRECTION_KM = 120.0  # a settlement this close to a "direction" city can be where the push is
_COARSE = (PlaceKind.COUNTRY, PlaceKind.ADMIN1)


def place(r: Report, s: Sentence, t: EventType) -> tuple[Place | None, list[Place]]:
    """The main place of an incident of type t told in sentence s, and its related places."""
    main, related = r.chosen[s.index]
    if main is None:
        ctx = context_place(r, s)
        if ctx is not None and (ctx.entry.kind in _COARSE or pl.is_direction(ctx)):
            return _refine(r, s, ctx) or ctx, []
        return ctx, []
    related = list(related)
    if main.entry.kind in _COARSE or pl.is_direction(main):
        finer = _refine(r, s, main)
        if finer is not None:
            related.insert(0, main)
            main = finer
    # deployed "from the Belgorod region": the origin; where they went is the context's place
    if t.sub_event_type == "Change to group/activity" and pl.FROM.search(
        r.text[s.start : main.mention.start_char]
    ):
        for j in range(s.index - 1, -1, -1):
            if r.sents[j].paragraph != s.paragraph:
                break
            m, rel = r.chosen[j]
            if m is not None:
                related += [m, *rel]
                break
    return main, pl.unique([p for p in related if p.entry.id != main.entry.id])


def objects(r: Report, s: Sentence, a: int, b: int) -> tuple[list[Place], int]:
    """What a control change acts on, following "some settlements ... Among them are X and Y"."""
    own = r.places[s.index]
    objs = pl.objects(r.text, own, a, b)
    if objs:
        return [o for o in objs if o.entry.kind in pl.SETTLEMENTS] or objs[:1], s.end
    rest = r.text[b : s.end]
    if pl.GENERIC_OBJECT.match(rest):
        cue = pl.LIST_CUE.search(rest)
        if cue:
            after = b + cue.end()
            listed = [p for p in own if p.mention.start_char >= after and p.entry.kind in pl.SETTLEMENTS]
            # the list the cue opens, not a place named later in the sentence
            return (pl.enumeration(r.text, own, listed[0]) if listed else []), s.end
        nxt = s.index + 1
        if nxt < len(r.sents) and pl.NEXT_LIST.match(r.sents[nxt].text):
            return [p for p in r.places[nxt] if p.entry.kind in pl.SETTLEMENTS], r.sents[nxt].end
        return [], s.end
    if pl.ANAPHORIC_OBJECT.match(rest):
        ctx = context_place(r, s)
        return ([ctx] if ctx else []), s.end
    return [], s.end


def context_place(r: Report, s: Sentence) -> Place | None:
    """Main place of the nearest earlier sentence in its paragraph or quotation, else the article's."""
    for j in range(s.index - 1, -1, -1):
        o = r.sents[j]
        if o.paragraph != s.paragraph and (s.quote is None or o.quote != s.quote):
            break
        if r.chosen[j][0] is not None:
            return r.chosen[j][0]
    return r.article_main


def _refine(r: Report, s: Sentence, coarse: Place) -> Place | None:
    """A settlement inside a region or country the sentence names only coarsely, from what follows in
    its paragraph ("shelled the Kherson region ... village of Antonivka") or on the next line (a
    dateline, a "where" line); for a headline, also the article's main place. A "direction" is
    refined only from the next line: within its paragraph, the next places are where the push goes."""
    pool: list[Place] = []
    j = s.index + 1
    while j < len(r.sents) and r.sents[j].paragraph == s.paragraph:
        pool += r.places[j]
        j += 1
    next_line = r.places[j] if j < len(r.sents) else []
    pool += next_line
    if r.article_main is not None and s.index == 0:  # a headline is told in full by its body
        pool.append(r.article_main)
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
