"""`frontwatch evaluate`: score the pipeline against the gold sets in ../shared and print the figures."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from frontwatch.cli.app import main
from frontwatch.errors import FrontWatchError
from frontwatch.evaluate.metrics import micro
from frontwatch.evaluate.report import SetReport
from frontwatch.model import Article, ExtractedArticle

SETS = ("seed", "bellingcat", "ucdp", "news")
# Short column heads for the confusion table, so it fits an 80-column terminal.
SHORT = {
    "Battles": "BAT",
    "Explosions/Remote violence": "ERV",
    "Violence against civilians": "VAC",
    "Protests": "PRO",
    "Riots": "RIO",
    "Strategic developments": "SD",
    "(no event)": "none",
}


@main.command()
@click.option(
    "--set",
    "which",
    type=click.Choice([*SETS, "all"]),
    default="all",
    show_default=True,
    help="Which gold set to score.",
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=None, help="Score only the first N rows of each CSV set."
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Score only CSV rows dated on or after this day (YYYY-MM-DD; UCDP: date_start).",
)
@click.option(
    "--until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Score only CSV rows dated on or before this day (YYYY-MM-DD).",
)
@click.option("--errors", is_flag=True, help="Also list the misses with their text, gold and our answer.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the figures as JSON on stdout instead of tables."
)
def evaluate(
    which: str,
    limit: int | None,
    since: datetime | None,
    until: datetime | None,
    errors: bool,
    as_json: bool,
) -> None:
    """Score the pipeline against the seed gold, Bellingcat/CIR dev and UCDP GED (from ../shared/eval).

    Prints precision/recall/F1 per ACLED event type with macro-F1 and a confusion table, location
    accuracy within 10/25/161 km with the median error, and date (and for UCDP, side) accuracy.
    """
    out = Console(soft_wrap=True, highlight=False)
    err = Console(stderr=True)
    chosen = SETS if which == "all" else (which,)
    try:
        window = (since.date() if since else None, until.date() if until else None)
        reports = _run(chosen, limit=limit, window=window, err=err)
    except FrontWatchError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps([r.to_json(errors=errors) for r in reports], indent=2, ensure_ascii=False))
        return
    for report in reports:
        _print_report(out, report, errors=errors)


def _run(
    chosen: tuple[str, ...],
    *,
    limit: int | None,
    window: tuple[date | None, date | None] = (None, None),
    err: Console,
) -> list[SetReport]:
    from frontwatch.gazetteer import Gazetteer
    from frontwatch.pipeline import analyse as pipeline_analyse

    with err.status("opening the gazetteer"):
        gazetteer = Gazetteer.open_default()  # once for every set

    def analyse(article: Article) -> ExtractedArticle:
        return pipeline_analyse(article, gazetteer=gazetteer)

    reports: list[SetReport] = []
    for name in chosen:
        if name == "seed":
            from frontwatch.evaluate import seed

            gold = seed.load_gold()
            reports.append(seed.evaluate(analyse(seed.read_seed(gold)), gold))
        elif name == "bellingcat":
            from frontwatch.evaluate import bellingcat

            rows = bellingcat.load_rows(limit=limit, since=window[0], until=window[1])
            with _bar(err, "Bellingcat/CIR dev", len(rows)) as step:
                reports.append(
                    bellingcat.evaluate(
                        rows, analyse=analyse, aliases=bellingcat.gazetteer_aliases(gazetteer), progress=step
                    )
                )
        elif name == "news":
            from frontwatch.evaluate import news

            reports_n = news.load_reports(since=window[0], until=window[1])[:limit]
            with _bar(err, "news reports", len(reports_n)) as step:
                reports.append(news.evaluate(reports_n, analyse=analyse, progress=step))
        else:
            from frontwatch.evaluate import ucdp

            rows_u = ucdp.load_rows(limit=limit, since=window[0], until=window[1])
            with _bar(err, "UCDP GED", len(rows_u)) as step:
                reports.append(ucdp.evaluate(rows_u, analyse=analyse, progress=step))
    return reports


@contextmanager
def _bar(err: Console, label: str, total: int) -> Iterator[Callable[[int], None]]:
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=False) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n: progress.advance(task, n)


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _print_report(out: Console, report: SetReport, *, errors: bool) -> None:
    out.rule(f"[bold]{report.name}[/bold] ({report.rows} rows)")
    if report.name == "seed":
        out.print(
            "macro-F1 and per-type scores below count whole matched events (type, sub-type, place, date)"
        )
    if report.geo:
        table = Table(title="Location accuracy", title_justify="left")
        table.add_column("rows")
        table.add_column("n", justify="right")
        table.add_column("placed", justify="right")
        for threshold, _ in next(iter(report.geo.values())).within:
            table.add_column(f"≤{threshold:g} km", justify="right")
        table.add_column("median km", justify="right")
        for label, s in report.geo.items():
            median = "-" if s.median_km is None else f"{s.median_km:.1f}"
            table.add_row(
                escape(label), str(s.n), str(s.placed), *(_pct(s.share(t)) for t, _ in s.within), median
            )
        out.print(table)
    if report.type_scores:
        table = Table(title="Event types (ACLED event_type)", title_justify="left")
        for col in ("type", "precision", "recall", "F1", "support", "predicted"):
            table.add_column(col, justify="left" if col == "type" else "right")
        for label, t in report.type_scores.items():
            mark = "" if label in report.type_labels else " (not in gold)"
            table.add_row(
                label + mark,
                f"{t.precision:.3f}",
                f"{t.recall:.3f}",
                f"{t.f1:.3f}",
                str(t.support),
                str(t.tp + t.fp),
            )
        out.print(table)
        out.print(f"macro-F1 over {len(report.type_labels)} gold types: [bold]{report.macro_f1:.3f}[/bold]")
        if report.name == "news":
            pooled = micro(report.type_scores)
            out.print(
                f"all records: precision [bold]{pooled.precision:.3f}[/bold],"
                f" recall [bold]{pooled.recall:.3f}[/bold], F1 [bold]{pooled.f1:.3f}[/bold]"
                f" ({pooled.tp} matched, {pooled.fp} spurious, {pooled.fn} missed)"
            )
    if report.confusion and report.name not in ("seed", "news"):
        golds = sorted({g for g, _ in report.confusion})
        preds = sorted({p for _, p in report.confusion})
        table = Table(title="Confusion (rows: gold, columns: ours)", title_justify="left")
        table.add_column("gold \\ ours")
        for p in preds:
            table.add_column(SHORT.get(p, p), justify="right")
        for g in golds:
            table.add_row(g, *(str(report.confusion.get((g, p), 0)) for p in preds))
        out.print(table)
        out.print(", ".join(f"{SHORT[k]} = {k}" for k in sorted(set(preds) & SHORT.keys())))
    for label, ratio in report.ratios.items():
        out.print(f"{escape(label)}: [bold]{_pct(ratio.share)}[/bold] ({ratio.correct}/{ratio.n})")
    for label, count in sorted(report.counts.items()):
        out.print(f"{escape(label)}: {count}")
    if errors and report.misses:
        out.rule(f"{report.name}: {len(report.misses)} misses")
        for m in report.misses:
            where = ""
            if m.gold_point is not None:
                ours_pt = "-" if m.our_point is None else f"{m.our_point[0]:.4f},{m.our_point[1]:.4f}"
                dist = "-" if m.distance_km is None else f"{m.distance_km:.1f} km"
                where = f" gold@{m.gold_point[0]:.4f},{m.gold_point[1]:.4f} ours@{ours_pt} off {dist}"
            out.print(f"[{m.aspect}] {m.row_id}: gold {m.gold!r} | ours {m.ours!r}{where}", markup=False)
            out.print("    " + m.text.replace("\n", " ⏎ "), markup=False)
