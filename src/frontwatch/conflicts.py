"""Contradictions between reports about who controls a place: denials and different holders.

Both reports are kept; a Conflict links them. Computed on the fly from events, so a new report
can raise or settle a conflict without anything stored going stale.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from frontwatch.clusters import DEFAULT_RULES, MergeRules, date_interval
from frontwatch.model import Event, GazetteerEntry, Modality

log = logging.getLogger(__name__)

DENIAL = "denial"  # one report says it happened, another denies it
HOLDER = "holder"  # two reports give different holders for the same day


@dataclass(frozen=True, slots=True)
class Conflict:
    id: str
    kind: str  # DENIAL or HOLDER
    place: GazetteerEntry
    day: date | None  # the first day both reports cover
    event_ids: tuple[str, str]  # (the report, the report contradicting it)
    holders: tuple[str | None, str | None]
    detail: str


def is_control_event(event: Event) -> bool:
    """A report about who controls its place: it names the side taking control, or denies a change."""
    return event.place is not None and (event.control_to is not None or event.fw_type in _CONTROL_FW_HINTS)


# fw_type keys that are about control even when a denial names no side
_CONTROL_FW_HINTS = frozenset(
    {"capture", "retake", "liberation", "liberated", "occupied", "occupation", "withdrawal", "control_change"}
)


def conflict_id(kind: str, a: str, b: str) -> str:
    digest = hashlib.sha1("\x1f".join((kind, *sorted((a, b)))).encode()).hexdigest()
    return f"cf-{digest[:16]}"


def find_conflicts(events: Iterable[Event], *, rules: MergeRules = DEFAULT_RULES) -> list[Conflict]:
    """Every pair of control reports about the same place that contradict each other, sorted by
    place, day and id. Places are compared by gazetteer entry, as control changes are merged."""
    by_place: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        if is_control_event(e) and e.modality != Modality.HOPED:
            assert e.place is not None
            by_place[e.place.entry.id].append(e)
    found: list[Conflict] = []
    for place_id in sorted(by_place):
        reports = sorted(by_place[place_id], key=lambda e: e.id)
        found += _denials(reports, rules) + _different_holders(reports, rules)
    result = sorted({c.id: c for c in found}.values(), key=lambda c: (c.place.name, c.day or date.min, c.id))
    log.info("%d conflicts among control reports of %d places", len(result), len(by_place))
    return result


def _denials(reports: list[Event], rules: MergeRules) -> list[Conflict]:
    found = []
    stated = [e for e in reports if e.modality != Modality.DENIED]
    for denial in (e for e in reports if e.modality == Modality.DENIED):
        for other in stated:
            if denial.control_to is not None and other.control_to != denial.control_to:
                continue
            overlaps, day = _overlap(denial, other, rules)
            if not overlaps:
                continue
            assert other.place is not None
            found.append(
                Conflict(
                    id=conflict_id(DENIAL, other.id, denial.id),
                    kind=DENIAL,
                    place=other.place.entry,
                    day=day,
                    event_ids=(other.id, denial.id),
                    holders=(other.control_to, denial.control_to),
                    detail=f"{_who(other)} reports control to {other.control_to}; {_who(denial)} denies it",
                )
            )
    return found


def _different_holders(reports: list[Event], rules: MergeRules) -> list[Conflict]:
    found = []
    stated = [e for e in reports if e.modality != Modality.DENIED and e.control_to]
    for i, a in enumerate(stated):
        for b in stated[i + 1 :]:
            if a.control_to == b.control_to or a.article_id == b.article_id:
                continue
            span_a, span_b = date_interval(a, rules=rules), date_interval(b, rules=rules)
            # a capture then a retake are a sequence, not a contradiction: only the SAME day conflicts
            if span_a is None or span_a != span_b:
                continue
            assert a.place is not None
            found.append(
                Conflict(
                    id=conflict_id(HOLDER, a.id, b.id),
                    kind=HOLDER,
                    place=a.place.entry,
                    day=span_a[1],
                    event_ids=(a.id, b.id),
                    holders=(a.control_to, b.control_to),
                    detail=f"{_who(a)} says {a.control_to} took it; {_who(b)} says {b.control_to}",
                )
            )
    return found


def _overlap(a: Event, b: Event, rules: MergeRules) -> tuple[bool, date | None]:
    """Whether two reports can be about the same days, and the first such day when known."""
    sa, sb = date_interval(a, rules=rules), date_interval(b, rules=rules)
    if sa is not None:
        # a denial is dated when it is made and answers a claim from the days before
        sa = (sa[0] - timedelta(days=rules.open_window_days), sa[1])
    if sa is None or sb is None:
        # an undated denial still contradicts the claim it answers
        known = sa or sb
        return True, known[1] if known else None
    lo, hi = max(sa[0], sb[0]), min(sa[1], sb[1])
    return lo <= hi, lo if lo <= hi else None


def _who(event: Event) -> str:
    c = event.claimant
    if c is None:
        return "a report"
    name = c.name or c.outlet or "a report"
    return f"{name} ({c.outlet})" if c.name and c.outlet else name
