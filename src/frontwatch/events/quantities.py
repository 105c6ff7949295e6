"""Counts in a sentence: fatalities, injured, forces ("20-25 battalion-tactical groups"), equipment."""

from __future__ import annotations

import re
from functools import cache

from frontwatch.events.vocab import Vocabulary, vocabulary
from frontwatch.model import Quantity


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], list[tuple[re.Pattern[str], str, str]]]:
    v = vocabulary()
    q = v.cues["quantities"]
    words = "|".join(sorted(v.numbers, key=len, reverse=True))
    num = rf"(?:\d[\d,]*(?:\.\d+)?|(?:{words}))"
    rng = rf"(?<![\w-])(?P<approx>(?:{'|'.join(q['approximate']['cues'])})\s+)?(?:at least\s+)?(?P<lo>{num})(?:\s*(?:-|–|to|or)\s*(?P<hi>{num}))?"
    victims = "|".join(q["victims"]["nouns"])
    killed = "|".join(q["victims"]["killed"])
    injured = "|".join(q["victims"]["injured"])
    harm = rf"(?P<harm>{killed}|{injured})"
    # "killed 3 civilians", "3 civilians were killed", "two people died", "5 dead"
    casualty = re.compile(
        rf"\b(?:{harm}\s+{rng}\s+(?:\w+\s+)?(?:{victims})\b"
        rf"|{rng.replace('approx', 'approx2').replace('lo', 'lo2').replace('hi', 'hi2')}\s+(?:\w+\s+)?(?:{victims})?\s*"
        rf"(?:were\s+|was\s+|have\s+been\s+|had\s+been\s+|are\s+)?(?P<harm2>{killed}|{injured})\b)",
        re.I,
    )
    units = [
        (re.compile(rf"{rng}\s+(?:[\w-]+\s+){{0,2}}?(?:{pat})\b", re.I), spec[0], spec[1])
        for pat, spec in q["units"].items()
        if pat != "description"
    ]
    return casualty, re.compile(rf"\b(?:{killed})\b", re.I), re.compile(rf"\b(?:{injured})\b", re.I), units


def _number(s: str | None, v: Vocabulary) -> float | None:
    if s is None:
        return None
    s = s.lower().replace(",", "")
    if s in v.numbers:
        return float(v.numbers[s])
    try:
        return float(s)
    except ValueError:
        return None


def quantities(text: str) -> tuple[Quantity, ...]:
    """Every count the sentence states, casualties before units so "3 soldiers killed" is not a force."""
    v = vocabulary()
    casualty, killed_re, _injured_re, units = _patterns()
    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for m in casualty.finditer(text):
        lo = _number(m.group("lo") or m.group("lo2"), v)
        if lo is None:
            continue
        hi = _number(m.group("hi") or m.group("hi2"), v) or lo
        harm = m.group("harm") or m.group("harm2")
        kind = "fatalities" if killed_re.fullmatch(harm) else "injured"
        out.append(Quantity(low=lo, high=hi, unit=kind, surface=m.group().strip(), kind=kind))
        taken.append(m.span())
    for rx, unit, kind in units:
        for m in rx.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            lo = _number(m.group("lo"), v)
            if lo is None or (lo >= 1900 and lo <= 2100 and "," not in m.group("lo")):
                continue  # a year, not a count
            hi = _number(m.group("hi"), v) or lo
            out.append(Quantity(low=lo, high=hi, unit=unit, surface=m.group().strip(), kind=kind))
            taken.append(m.span())
    return tuple(out)


def approximate(q: Quantity) -> bool:
    return q.low != q.high or bool(re.match(r"(?i)(about|approximately|around|up to|some|roughly|nearly|almost|estimated|more than|over)\b", q.surface))
