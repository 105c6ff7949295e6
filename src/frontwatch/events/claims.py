"""Who says it: claimants of sentences from attributions, quotations and back-references."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from frontwatch.events.text import Quote, Sentence
from frontwatch.events.vocab import Vocabulary, vocabulary
from frontwatch.model import Claimant

_NAME = re.compile(r"^(?:[A-Z][\w'’.-]+)(?:\s+[A-Z][\w'’.-]+){0,3}$")
_OUTLET = re.compile(
    r"\s*,?\s*\b(?:on the air of|in an interview with|in a comment to|speaking to|told"
    r"|on (?:his|her|its|their|the) "
    r"|in (?:his|her|its|their|a|the) (?:statement|post|message|address) on |on )\s*"
    r"(?P<outlet>[A-Z][\w.'’-]*(?:\s+[A-Z0-9][\w.'’-]*)*)",
)
_WHEN = re.compile(
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|August"
    r"|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b"
)
# A headline's source after a dash or colon: "... in Donbas - JFO HQ", "... in east Ukraine: governor"
_HEADLINE = re.compile(r"(?:\s[-–—]\s*|:\s*)(?P<who>[A-Za-z][\w.'’ -]{1,50})$")
_LIST_COMMAS = 2  # "the head of X, Oleh Synehubov, said" has one comma; a list of names before "said" more
_PRONOUNS = frozenset({"he", "she", "they", "him", "her", "them", "it", "we", "i"})
_LEAD = re.compile(
    r"^\s*(?:(?:Earlier|Previously|Later|Meanwhile|Also|In addition|However|Today|Yesterday)\s*,?\s*)", re.I
)


def _is_list(who: str) -> bool:
    """ "A, B and C, the General Staff": names listed before the claimant, not the claimant."""
    parts = who.rstrip(", ").split(",")
    return len(parts) > _LIST_COMMAS or (len(parts) > 1 and re.search(r"\band\b", parts[0]) is not None)


@dataclass(frozen=True, slots=True)
class Attribution:
    claimant: Claimant
    start: int  # the claimant's words in the text, kept out of places and actors
    end: int
    carries: bool  # "X reported that ..." goes on to the next sentences of its paragraph


@dataclass(slots=True)
class _Parser:
    vocab: Vocabulary
    known: list[Claimant]

    def parse(self, who: str) -> Claimant | None:
        who = who.strip().strip(",").strip()
        outlet = None
        m = _OUTLET.search(who)
        if m and m.start() > 0:
            if not _WHEN.match(m.group("outlet")):  # "said on Sunday" names a day, not an outlet
                outlet = m.group("outlet").strip()
            who = who[: m.start()].strip().strip(",")
        name = role = None
        for part in (p.strip() for p in who.split(",") if p.strip()):
            bare = re.sub(r"^the\s+", "", part, flags=re.I)
            if self.vocab.role_word_re.match(part):
                tail = re.search(r"(?:\s+[A-Z][\w'’-]+){2,3}$", bare)  # "Mayor Ihor Terekhov"
                if (
                    tail
                    and not re.search(r"\b(?:of|the|for|in|at|to)\s*$", bare[: tail.start()], re.I)
                    and not self.vocab.org_noun_re.search(tail.group())
                ):
                    name = name or tail.group().strip()
                    bare = bare[: tail.start()]
                role = role or re.sub(r"^an?\s+", "", bare.strip(), flags=re.I)
            elif org := next((r for rx, r in self.vocab.org_roles if rx.search(bare)), None):
                name, role = name or bare, role or org
            elif _NAME.match(bare) and name is None and bare.lower() not in _PRONOUNS:
                name = bare
        if name is None and role is None:
            return self._pronoun(who)
        return self._refer(Claimant(name=name, role=role, outlet=outlet))

    def _pronoun(self, who: str) -> Claimant | None:
        """ "He added", "According to him", "the command said": the last claimant that fits."""
        w = who.lower().strip()
        if not self.known:
            return None
        if w in ("he", "she", "him", "her", "they", "them"):
            return self.known[-1]
        noun = re.sub(r"^(?:the|this)\s+", "", w)
        if noun != w and noun:
            return next(
                (c for c in reversed(self.known) if noun in " ".join(filter(None, (c.name, c.role))).lower()),
                None,
            )
        return None

    def _refer(self, c: Claimant) -> Claimant:
        """A surname alone or a bare role ("The deputy") refers back to the claimant named in full."""
        for prev in reversed(self.known):
            if c.name and prev.name and " " not in c.name and prev.name.lower().endswith(c.name.lower()):
                return prev
            if c.name is None and c.role and prev.role and c.role.lower().split()[0] in prev.role.lower():
                return prev
        self.known.append(c)
        return c


@functools.cache
def _patterns(version: str) -> tuple[re.Pattern[str], ...]:
    """Attribution patterns, compiled once (the version keys the cache)."""
    vocab = vocabulary()
    verb = vocab.attribution_verb
    role_words = vocab.role_words
    after_quote = re.compile(rf"^\s*,?\s*(?P<who>[^.\n\"“”]{{1,120}}?)\s+(?:{verb})\b", re.I)
    verb_first = re.compile(rf"^\s*,?\s*(?:{verb})\s+(?P<who>[^.\n\"“”]{{2,160}})", re.I)
    before_quote = re.compile(rf"(?P<who>[^.\n\"“”]{{2,120}}?)\s+(?:{verb})(?:\s+\w+)?\s*[:,]?\s*$", re.I)
    # ", the head of the ... Administration, Oleh Synehubov, said on Telegram."
    who_said = re.compile(
        rf",\s+(?P<who>(?:the\s+|an?\s+)?"
        rf"(?:[A-Z]|(?i:{role_words})|(?i:(?:local |regional |city )?authorities))"
        rf"[^\"“”]{{0,160}}?)\s+(?:{verb})\b"
        rf"(?P<tail>[^\"“”.]{{0,80}})[.!]?$"
    )
    at_end = re.compile(rf",\s*(?:{verb})\s+(?P<who>[^\"“”]{{2,200}}?)[.!]?$", re.I)
    at_start = re.compile(
        rf"^(?P<who>[^\"“”]{{2,140}}?)\s+(?:{verb})"
        rf"(?P<tail>\s+(?:on|in|to)\s+(?!have\b)[^,\"“”]{{1,60}}?)?"
        rf"(?P<that>\s+that\b|\s*:|\s*,|\s+to have\b|\s+(?=\w))",
        re.I,
    )
    according = re.compile(r"\baccording to (?P<who>[^,.;\"“”]{2,120})", re.I)
    return after_quote, verb_first, before_quote, who_said, at_end, at_start, according


def attributions(
    text: str, sentences: list[Sentence], qs: list[Quote], vocab: Vocabulary
) -> list[Attribution | None]:
    """The attribution of each sentence (None: the outlet itself asserts it)."""
    after_quote, verb_first, before_quote, who_said, at_end, at_start, according = _patterns(vocab.version)
    parser = _Parser(vocab, [])

    def claim(
        m: re.Match[str] | None, offset: int, *, carries: bool = False, tail: str = ""
    ) -> Attribution | None:
        if m is None:
            return None
        who = m.group("who")
        if len(who.split()) > 16:
            return None
        tail = "" if _WHEN.match(tail.strip()) else tail  # "reported Wednesday": a day, not part of the name
        c = parser.parse(who + (" " + tail.strip() if tail.strip() else ""))
        return Attribution(c, offset + m.start("who"), offset + m.end("who"), carries) if c else None

    def quote_claim(q: Quote) -> Attribution | None:
        """A quotation's claimant is named just after ('..." Strelnik said.') or just before it."""
        tail_end = text.find("\n", q.end)
        tail = text[q.end : tail_end if tail_end >= 0 else len(text)]
        tail = re.split(r"(?<=[.!?])\s", tail, maxsplit=1)[0]
        a = claim(after_quote.match(tail), q.end) or claim(verb_first.match(tail), q.end)
        if a is None:
            head_start = max(text.rfind("\n", 0, q.start), text.rfind(".", 0, q.start)) + 1
            a = claim(before_quote.search(text[head_start : q.start]), head_start)
        return a

    # parsed in text order, so that "Strelnik said" after a quote refers back to "Maxim Strelnik"
    quote_claims: dict[int, Attribution | None] = {}

    out: list[Attribution | None] = []
    carried: Attribution | None = None
    last: Attribution | None = None
    headline: Attribution | None = None  # "... Last Day - General Staff": the source of the whole report
    para = -1
    for s in sentences:
        if s.paragraph != para:
            para, carried = s.paragraph, None
        if s.quote is not None:
            if s.quote not in quote_claims:
                quote_claims[s.quote] = quote_claim(qs[s.quote])
            a = quote_claims[s.quote] or last  # an unattributed quote: the last speaker goes on
            out.append(a)
            last = a or last
            continue
        lead = _LEAD.match(s.text)
        body_off = lead.end() if lead else 0
        body = s.text[body_off:]
        source = _HEADLINE.search(body) if s.index == 0 else None
        if source and vocab.trigger_re.search(source.group("who").lower()):
            source = None  # "Image 4: Destroyed store": what follows the colon is the report, not its source
        a = claim(source, s.start + body_off)
        if a is not None and source is not None:
            headline = a
        if a is None:
            a = claim(at_end.search(body), s.start + body_off)
        if a is None:
            m = who_said.search(body)
            while m is not None and _is_list(m.group("who")):
                # "liberated A, B, C and D, Operational Command South said": the list is no claimant
                m = who_said.search(body, m.start("who"))
            a = claim(m, s.start + body_off, tail=m.group("tail") if m else "")
        if a is None:
            m = at_start.match(body)
            a = claim(
                m,
                s.start + body_off,
                carries=bool(m and m.group("that").strip() == "that"),
                tail=(m.group("tail") or "") if m else "",
            )
        if a is None:
            a = claim(according.search(body), s.start + body_off)
        if a is not None:
            last = a
            if a.carries:
                carried = a
            out.append(a)
        else:
            out.append(carried or headline)
    return out
