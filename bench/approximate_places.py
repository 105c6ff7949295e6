"""Print how often approximate name matching fires and how often it is wrong, on the tuning rows.

Approximate matching (resolve._approximate) takes a name a few edits from a known one only when a region
or raion is written right after it. This runs annotate + resolve over the UCDP GED rows dated before 2022
(where_prec 1-2) and the Bellingcat/CIR dev rows, and scores each approximate place against the row's gold
point: within 25 km counts as right. Run:
    FRONTWATCH_HOME=.cache/frontwatch-home .venv/bin/python bench/approximate_places.py [--until 2021-12-31]
"""

from __future__ import annotations

import argparse
from datetime import date

from frontwatch.evaluate import bellingcat, ucdp
from frontwatch.gazetteer import Gazetteer
from frontwatch.geometry import haversine_km
from frontwatch.nlp import annotate_many
from frontwatch.resolve import Work, resolve

RIGHT_KM = 25.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--until", type=date.fromisoformat, default=date(2021, 12, 31), help="UCDP rows dated up to this day"
    )
    parser.add_argument("--show", action="store_true", help="print every wrong approximate place")
    args = parser.parse_args()
    gaz = Gazetteer.open_default()
    u_rows = [r for r in ucdp.load_rows(until=args.until) if r.where_prec <= 2]
    b_rows = bellingcat.load_rows()
    rows = [(r.article(), (r.lat, r.lon)) for r in u_rows] + [(r.article(), (r.lat, r.lon)) for r in b_rows]
    fired = right = 0
    texts_with = 0
    for (article, gold), annotated in zip(rows, annotate_many(a for a, _ in rows), strict=True):
        work = Work()
        resolve(annotated, gazetteer=gaz, work=work)
        texts_with += bool(work.approximate)
        for _start, _end, surface, ids in work.approximate:
            fired += 1
            entry = gaz.entry(ids[0])
            ok = haversine_km(gold[0], gold[1], entry.lat, entry.lon) <= RIGHT_KM
            right += ok
            if args.show and not ok:
                print(f"wrong: {surface!r} -> {entry.name} ({entry.admin1}) in {article.origin}")
    wrong = fired - right
    print(f"rows: {len(rows)} ({len(u_rows)} UCDP until {args.until}, {len(b_rows)} Bellingcat/CIR dev)")
    print(f"approximate places: {fired} in {texts_with} rows; within {RIGHT_KM:g} km of the gold: {right}")
    if fired:
        print(f"false-positive rate (farther than {RIGHT_KM:g} km): {wrong / fired:.1%} ({wrong}/{fired})")
    print("note: the gold point is the event's; a right name placed at its hromada's centre, or a place")
    print("      that is not the event's, counts as wrong here: the rate is an upper bound")


if __name__ == "__main__":
    main()
