"""Dates of events, resolved against the publication date."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from datetime import date, timedelta

from frontwatch.model import DatePrecision

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
_MON = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY = r"(?P<d{n}>\d{{1,2}})(?:st|nd|rd|th)?"
_MD = rf"(?:(?P<m{{n}}>{_MON})\.?\s+{_DAY}|{_DAY.replace('{n}', '{n}x')}\s+(?:of\s+)?(?P<m{{n}}x>{_MON}))"
_ONE = _MD.format(n=1)
_EXPLICIT = re.compile(
    rf"\b(?P<prep>since|after|from|before|by|until|between|on|in the night of|the night of)?\s*{_ONE}\b"
    rf"(?:,?\s+(?P<y>(?:19|20)\d\d))?(?:\s*(?:-|–|to|and|until)\s*(?:(?P<m2>{_MON})\.?\s+)?(?P<d2>\d{{1,2}})\b)?",
    re.I,
)
# "between 1 and 5 March", "from 1 to 5 March 2022": two days before one month
_DAY_RANGE = re.compile(
    rf"(?:\bbetween\s+(?=\d+(?:st|nd|rd|th)?\s*(?:and|-|–)\s)|\bfrom\s+|(?<![\w,.])(?=\d+(?:st|nd|rd|th)?\s*(?:-|–|to|until)\s*\d))"
    rf"(?P<a>\d{{1,2}})(?:st|nd|rd|th)?\s*(?:-|–|to|and|until)\s*(?P<b>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"\s+(?:of\s+)?(?P<m>{_MON})\b\.?(?:,?\s+(?P<y>(?:19|20)\d\d))?",
    re.I,
)
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_RELATIVE = re.compile(
    r"\b(?P<w>yesterday|today|tonight|this morning|this afternoon|this evening|last night|overnight"
    r"|last week|"
    r"(?:over |in |during )?(?:the )?(?:past|last) (?:day|24 hours|week)"
    r"|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b",
)


@dataclass(frozen=True, slots=True)
class When:
    date: dt.date | None
    precision: DatePrecision
    end: dt.date | None = None
    explicit: bool = False  # the text gave this date (not the publication default)


def _year_for(month: int, day: int, published: date) -> date | None:
    """The day in the publication's year, or the year before if that would be after publication."""
    try:
        d = date(published.year, month, day)
        return d if d <= published else date(published.year - 1, month, day)
    except ValueError:
        return None


def explicit(text: str, published: date | None) -> When | None:
    """A date the sentence states ("on April 1", "since March 26", "between 1 and 5 March")."""
    r = _DAY_RANGE.search(text)
    if r is not None:
        ranged = _day_range(r, published)
        if ranged is not None:
            return ranged
    m = _EXPLICIT.search(text)
    if m is None:
        return None
    month = MONTHS[(m.group("m1") or m.group("m1x")).lower()]
    day = int(m.group("d1") or m.group("d1x"))
    if m.group("y"):
        try:
            d: date | None = date(int(m.group("y")), month, day)
        except ValueError:
            return None
    elif published is not None:
        d = _year_for(month, day, published)
    else:
        return None
    if d is None:
        return None
    prep = (m.group("prep") or "").lower()
    if m.group("d2"):
        month2 = MONTHS[m.group("m2").lower()] if m.group("m2") else month
        try:
            end = date(d.year, month2, int(m.group("d2")))
        except ValueError:
            end = None
        if end is not None and end > d:
            return When(d, DatePrecision.RANGE, end, True)
    if prep in ("since", "after"):
        return When(d, DatePrecision.ON_OR_AFTER, None, True)
    if prep in ("before", "by", "until"):
        return When(d, DatePrecision.ON_OR_BEFORE, None, True)
    return When(d, DatePrecision.DAY, None, True)


def _day_range(m: re.Match[str], published: date | None) -> When | None:
    month, a, b = MONTHS[m.group("m").lower()], int(m.group("a")), int(m.group("b"))
    if b <= a:
        return None
    if m.group("y"):
        year = int(m.group("y"))
    elif published is not None:
        first = _year_for(month, a, published)
        if first is None:
            return None
        year = first.year
    else:
        return None
    try:
        return When(date(year, month, a), DatePrecision.RANGE, date(year, month, b), True)
    except ValueError:
        return None


_MONTH_NAMES = "|".join(n.capitalize() for n in MONTHS if len(n) > 3 or n == "may")
# "in May last year", "in November 2022", "in early March": a month, no day (capitalised: not "may")
_IN_MONTH = re.compile(
    rf"\bin\s+(?:(?:early|late|mid)[\s-]+)?(?P<m>{_MONTH_NAMES})\b(?!\.?\s*\d{{1,2}}\b)"
    r"(?:,?\s+(?P<y>(?:19|20)\d\d)\b|\s+(?P<rel>last|this)\s+year\b)?"
)


def month(text: str, published: date | None) -> When | None:
    """The month a sentence names without a day ("in May last year", "in November 2022")."""
    m = _IN_MONTH.search(text)
    if m is None or (published is None and m.group("y") is None):
        return None
    n = MONTHS[m.group("m").lower()]
    if m.group("y"):
        year = int(m.group("y"))
    else:
        assert published is not None
        year = published.year - (m.group("rel") == "last" or (m.group("rel") is None and n > published.month))
    return When(date(year, n, 1), DatePrecision.MONTH, None, True)


# "Russia Today (RT)", "USA Today", "Kyiv Post Today": an outlet's name, not the day
_OUTLET_NAME = re.compile(r"\b(?:russia|usa|kyiv|moscow|ukraine|europe)\s+$")


def relative(text: str, published: date | None) -> When | None:
    """Yesterday, today, last night, last week, on Monday: relative to publication (text lower-cased)."""
    if published is None:
        return None
    m = next((m for m in _RELATIVE.finditer(text) if not _OUTLET_NAME.search(text, 0, m.start())), None)
    if m is None:
        return None
    w = m.group("w").lower()
    if w in ("yesterday", "last night", "overnight"):
        return When(published - timedelta(days=1), DatePrecision.DAY, None, True)
    if w.startswith(("today", "tonight", "this ")):
        return When(published, DatePrecision.DAY, None, True)
    if w == "last week":
        monday = published - timedelta(days=published.weekday() + 7)
        return When(monday, DatePrecision.RANGE, monday + timedelta(days=6), True)
    if w.startswith("on "):
        wd = WEEKDAYS.index(w.split()[-1])
        return When(published - timedelta(days=(published.weekday() - wd) % 7), DatePrecision.DAY, None, True)
    if "week" in w:
        return When(published - timedelta(days=7), DatePrecision.RANGE, published, True)
    return When(published - timedelta(days=1), DatePrecision.RANGE, published, True)
