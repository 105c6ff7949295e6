"""Counts in a sentence: fatalities, injured, forces ("20-25 battalion-tactical groups"), equipment."""

from __future__ import annotations

import re
from functools import cache

from frontwatch.events.vocab import Vocabulary, _lower, vocabulary
from frontwatch.model import Quantity


@cache
def _patterns() -> tuple[
    re.Pattern[str], re.Pattern[str], re.Pattern[str], list[tuple[str, str]], re.Pattern[str]
]:
    """Compiled once, for lower-cased text (case-insensitive `re` is several times slower)."""
    v = vocabulary()
    q = v.cues["quantities"]
    words = "|".join(sorted(v.numbers, key=len, reverse=True))
    num = rf"(?:\d[\d,]*(?:\.\d+)?|(?:{words}))"
    approx = "|".join(q["approximate"]["cues"])
    rng = (
        rf"(?<![\w-])(?P<approx>(?:{approx})\s+)?(?:at least\s+)?(?P<lo>{num})"
        rf"(?:\s*(?:-|–|to|or)\s*(?P<hi>{num}))?"
    )
    victims = "|".join(q["victims"]["nouns"])
    killed = "|".join(q["victims"]["killed"])
    injured = "|".join(q["victims"]["injured"])
    harm = rf"(?P<harm>{killed}|{injured})"
    rng2 = rng.replace("approx", "approx2").replace("lo", "lo2").replace("hi", "hi2")
    rng3 = rng.replace("approx", "approx3").replace("lo", "lo3").replace("hi", "hi3")
    # "killed 3 civilians", "3 civilians were killed", "two people died", "5 dead", "clashes kill four"
    casualty = _compile_lower(
        rf"\b(?:{harm}\s+{rng}\s+(?:\w+\s+)?(?:{victims})\b"
        rf"|{rng2}\s+(?:\w+\s+)?(?:{victims})?\s*"
        rf"(?:were\s+|was\s+|have\s+been\s+|had\s+been\s+|are\s+)?(?P<harm2>{killed}|{injured})\b"
        rf"|(?P<harm3>kill(?:s|ed|ing)?|death toll (?:rises|rose|reached|climbs|climbed) to)"
        rf"\s+{rng3}\b(?!\s*%))"
    )
    one = "|".join(q["victims"]["singular"])
    single = _compile_lower(
        rf"\b(?:(?:an?|one)\s+)?(?:[\w'’-]+\s+){{0,2}}?(?:{one})\s+"
        rf"(?:(?:was|has been|is|reportedly|reported)\s+)*(?:killed|died|dies|dead)\b"
        rf"|\bkill(?:s|ed|ing)?\s+(?:an?\s+|one\s+)?(?:[\w'’-]+\s+){{0,2}}?(?:{one})\b"
    )
    specs = [(pat, spec) for pat, spec in q["units"].items() if pat != "description"]
    groups = "|".join(f"(?P<u{i}>{_lower([pat])[0]})" for i, (pat, _) in enumerate(specs))
    unit_re = _compile_lower(rf"{rng}\s+(?:[\w-]+\s+){{0,2}}?(?:{groups})\b")
    killed_re = _compile_lower(rf"\b(?:{killed})\b")
    return casualty, killed_re, unit_re, [(spec[0], spec[1]) for _, spec in specs], single


def _compile_lower(pattern: str) -> re.Pattern[str]:
    return re.compile(_lower([pattern])[0])


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
    casualty, killed_re, unit_re, units, single = _patterns()
    low = text.lower() if len(text.lower()) == len(text) else text
    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for m in casualty.finditer(low):
        lo = _number(m.group("lo") or m.group("lo2") or m.group("lo3"), v)
        if lo is None or (m.group("harm3") and 1900 <= lo <= 2100):
            continue
        hi = _number(m.group("hi") or m.group("hi2") or m.group("hi3"), v) or lo
        harm = m.group("harm") or m.group("harm2") or "killed"
        kind = "fatalities" if killed_re.fullmatch(harm) else "injured"
        out.append(Quantity(low=lo, high=hi, unit=kind, surface=text[m.start() : m.end()].strip(), kind=kind))
        taken.append(m.span())
    if not any(q.kind == "fatalities" for q in out):
        one = single.search(low)
        if one is not None and not any(a < one.end() and one.start() < b for a, b in taken):
            surface = text[one.start() : one.end()].strip()
            out.append(Quantity(low=1.0, high=1.0, unit="fatalities", surface=surface, kind="fatalities"))
            taken.append(one.span())
    for m in unit_re.finditer(low):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        lo = _number(m.group("lo"), v)
        if lo is None or (lo >= 1900 and lo <= 2100 and "," not in m.group("lo")):
            continue  # a year, not a count
        hi = _number(m.group("hi"), v) or lo
        unit, kind = units[int((m.lastgroup or "u0")[1:])]
        out.append(Quantity(low=lo, high=hi, unit=unit, surface=text[m.start() : m.end()].strip(), kind=kind))
        taken.append(m.span())
    return tuple(out)
