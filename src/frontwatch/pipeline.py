"""The whole way through for one article (`analyse`) and for a batch of inputs into a store (`ingest`).

read → annotate → resolve → extract → store. The stage modules are imported when first used so
that importing the pipeline (the CLI, the API) does not load spaCy or the gazetteer.
With ``workers > 1`` the analysis runs in Dask worker processes (each opens the gazetteer and
spaCy once) while this process alone writes to the store, so SQLite sees a single writer.
"""

from __future__ import annotations

import copyreg
import dataclasses
import functools
import itertools
import logging
import multiprocessing
import pickle
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

from frontwatch.errors import FrontWatchError
from frontwatch.model import Article, ExtractedArticle, ReadError

if TYPE_CHECKING:
    from frontwatch.gazetteer import Gazetteer
    from frontwatch.store import Store

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (articles done, articles in the batch)
SCHEDULER_TIMEOUT = "10s"  # to connect to a dask.distributed scheduler (`ingest --scheduler`)
BATCH = 32  # articles per spaCy batch and per Dask partition: NER batching pays off, progress keeps moving


class PipelineError(FrontWatchError):
    """The batch cannot go on (a worker process died); articles stored before are kept."""


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input or article that was not stored, and why."""

    origin: str
    reason: str


@dataclass(frozen=True, slots=True)
class IngestSummary:
    read: int  # articles read from the inputs
    stored: int  # new articles written
    already_present: int  # articles the store already had (or that appeared twice in the batch)
    events: int  # events written with the new articles
    skipped: tuple[Skipped, ...] = ()  # unreadable inputs and articles whose analysis failed
    run_id: str | None = None
    article_ids: tuple[str, ...] = ()  # every article read, stored now or before, in input order

    @property
    def ok(self) -> bool:
        return not self.skipped


def analyse(article: Article, *, gazetteer: Gazetteer) -> ExtractedArticle:
    """annotate → resolve → extract for one article."""
    from frontwatch.events import extract
    from frontwatch.nlp import annotate
    from frontwatch.resolve import resolve

    return extract(resolve(annotate(article), gazetteer=gazetteer))


def ingest(
    paths: Iterable[str | PathLike[str]],
    *,
    store: Store,
    gazetteer: Gazetteer | None = None,
    published: date | None = None,
    fmt: str | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    merge: bool = True,
    max_article_bytes: int | None = None,
    scheduler: str | None = None,
) -> IngestSummary:
    """Read every input, analyse each new article and save it; bad inputs are skipped, not fatal.
    With `merge`, the new events join their clusters as they are stored (derive.cluster_stored).
    With `scheduler` (a dask.distributed address, tcp://HOST:8786), the analysis runs on that
    cluster's workers instead of `workers` local processes; this process still writes the store."""
    from frontwatch.ingest import read_paths
    from frontwatch.settings import MAX_ARTICLE_BYTES

    return ingest_items(
        read_paths(
            paths, published=published, fmt=fmt, max_article_bytes=max_article_bytes or MAX_ARTICLE_BYTES
        ),
        store=store,
        gazetteer=gazetteer,
        workers=workers,
        progress=progress,
        merge=merge,
        scheduler=scheduler,
    )


@dataclass
class _Tally:
    read: int = 0
    stored: int = 0
    already: int = 0
    events: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)


def ingest_items(
    items: Iterable[Article | ReadError],
    *,
    store: Store,
    gazetteer: Gazetteer | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    merge: bool = True,
    scheduler: str | None = None,
) -> IngestSummary:
    """`ingest` for articles (and read errors) already in hand."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    then = None
    if merge:
        # Events stored without merging (an ingest with merge off, an older version) first, then
        # every batch's events in the transaction that stores them: a crash leaves none unclustered.
        from frontwatch.derive import cluster_stored, merge_pending

        merge_pending(store)
        then = cluster_stored
    tally = _Tally()
    todo: list[Article] = []
    seen: set[str] = set()
    for item in items:
        if isinstance(item, ReadError):
            tally.skipped.append(Skipped(item.origin, item.reason))
            continue
        tally.read += 1
        if item.id in seen:
            tally.already += 1
            continue
        seen.add(item.id)
        tally.ids.append(item.id)
        todo.append(item)
    # Articles the store already holds are not analysed again: re-ingesting is cheap and changes nothing.
    known = store.known_article_ids([a.id for a in todo])
    tally.already += len(known)
    todo = [a for a in todo if a.id not in known]
    total = len(todo)
    if progress:
        progress(0, total)
    if not todo:
        return _summary(tally, None)

    if scheduler is not None:
        results = _analyse_distributed(todo, scheduler=scheduler)
    elif workers == 1:
        gazetteer = gazetteer or _open_gazetteer()
        results = _analyse_serial(todo, gazetteer=gazetteer)
    else:
        # Workers open their own copy: the same index file as the one given, else the default.
        index = getattr(gazetteer, "path", None) if gazetteer is not None else _default_index()
        results = _analyse_parallel(todo, workers=workers, index=index)
    run_id = None
    done = 0
    for batch in _batched(results, BATCH):
        if run_id is None:  # started lazily: with workers, only they know the gazetteer's version
            run_id = store.start_run(
                gazetteer_version=batch[0].gazetteer_version, rules_version=_rules_version()
            )
        for result in batch:
            if result.extracted is None:
                origin = result.article.origin or result.article.id
                tally.skipped.append(Skipped(origin, f"analysis failed: {result.failure}"))
        analysed = [r.extracted for r in batch if r.extracted is not None]
        # One transaction per batch: one commit instead of one per article (SQLite commits dominate).
        for extracted, new in zip(analysed, store.save_many(analysed, run_id=run_id, then=then), strict=True):
            if new:
                tally.stored += 1
                tally.events += len(extracted.events)
            else:
                tally.already += 1
        done += len(batch)
        if progress:
            progress(done, total)
    return _summary(tally, run_id)


def _batched(items: Iterable[_Outcome], size: int) -> Iterator[list[_Outcome]]:
    batch: list[_Outcome] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _summary(tally: _Tally, run_id: str | None) -> IngestSummary:
    return IngestSummary(
        read=tally.read,
        stored=tally.stored,
        already_present=tally.already,
        events=tally.events,
        skipped=tuple(tally.skipped),
        run_id=run_id,
        article_ids=tuple(tally.ids),
    )


@dataclass(frozen=True, slots=True)
class _Outcome:
    article: Article
    extracted: ExtractedArticle | None
    failure: str | None  # why the analysis failed, when it did
    gazetteer_version: str | None


def _analyse_batch(articles: Sequence[Article], gazetteer: Gazetteer) -> list[_Outcome]:
    """analyse() for a batch, with spaCy's NER batched across the articles (much faster than one by one)."""
    from frontwatch.events import extract
    from frontwatch.nlp import annotate_many
    from frontwatch.resolve import resolve

    version = _gazetteer_version(gazetteer)
    try:
        annotated = list(annotate_many(articles))
    except Exception:  # one bad article must not sink its batch: redo them one by one to find it
        log.warning("batched annotation failed; analysing the %d articles one by one", len(articles))
        return [_analyse_one(a, gazetteer, version) for a in articles]
    out = []
    for article, ann in zip(articles, annotated, strict=True):
        try:
            out.append(_Outcome(article, extract(resolve(ann, gazetteer=gazetteer)), None, version))
        except Exception as exc:  # one bad article must not stop the batch: reported as skipped
            out.append(_failed(article, exc, version))
    return out


def _analyse_one(article: Article, gazetteer: Gazetteer, version: str | None) -> _Outcome:
    try:
        return _Outcome(article, analyse(article, gazetteer=gazetteer), None, version)
    except Exception as exc:  # one bad article must not stop the batch: reported as skipped
        return _failed(article, exc, version)


def _failed(article: Article, exc: Exception, version: str | None) -> _Outcome:
    log.warning("analysis of %s failed", article.origin or article.id, exc_info=True)
    return _Outcome(article, None, f"{type(exc).__name__}: {exc}", version)


def _analyse_serial(articles: Sequence[Article], *, gazetteer: Gazetteer) -> Iterator[_Outcome]:
    for start in range(0, len(articles), BATCH):
        yield from _analyse_batch(articles[start : start + BATCH], gazetteer)


# --- Dask worker side: one gazetteer (and, through nlp, one spaCy pipeline) per worker process.
_WORKER_GAZETTEER: Gazetteer | None = None


def _analyse_partition(articles: Sequence[Article], index: Path | None) -> bytes:
    """One partition's outcomes, pickled here once: Dask then moves opaque bytes (cheap to copy)
    instead of re-pickling every record each time it hands a result on (e.g. to its finalize task)."""
    global _WORKER_GAZETTEER
    _fast_pickling()
    if _WORKER_GAZETTEER is None:
        _WORKER_GAZETTEER = _open_gazetteer(index)
    return pickle.dumps(_analyse_batch(list(articles), _WORKER_GAZETTEER), protocol=pickle.HIGHEST_PROTOCOL)


def _analyse_parallel(articles: Sequence[Article], *, workers: int, index: Path | None) -> Iterator[_Outcome]:
    """Analyse in `workers` processes with dask.bag; yields outcomes chunk by chunk, in input order.

    The next chunk is computed (in a helper thread driving the Dask scheduler) while the caller
    stores the current one, so the workers never wait for the store.
    """
    import dask
    import dask.bag as db

    _fast_pickling()
    chunk = workers * BATCH * 2
    parts = [list(articles[start : start + chunk]) for start in range(0, len(articles), chunk)]
    context = multiprocessing.get_context("spawn")  # fork after threads (SQLite, rich's refresh) is unsafe
    # One pool for the whole batch, so each worker loads spaCy and the gazetteer once, not per chunk.
    with (
        ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool,
        ThreadPoolExecutor(1) as driver,
    ):

        def compute(part: list[Article]) -> list[_Outcome]:
            bag = db.from_sequence(
                part, npartitions=max(1, min(len(part), max(workers, len(part) // BATCH), workers * 4))
            )
            # Partitions as delayed results: bag.compute() would ship every result to one worker to
            # be concatenated and back (two extra pickle round trips of every analysed article).
            partitions = bag.map_partitions(_analyse_partition, index).to_delayed()
            # chunksize=1: Dask otherwise hands ready tasks out 6 at a time, i.e. all to one worker.
            with dask.config.set(pool=pool):
                results: tuple[bytes, ...] = dask.compute(
                    *partitions, scheduler="processes", num_workers=workers, chunksize=1
                )
            # Our own worker processes wrote these bytes: trusted input for pickle.
            return [outcome for partition in results for outcome in pickle.loads(partition)]

        pending: Future[list[_Outcome]] | None = driver.submit(compute, parts[0]) if parts else None
        for i in range(len(parts)):
            assert pending is not None
            try:
                outcomes = pending.result()
            except BrokenProcessPool as exc:  # a worker was killed (out of memory, signal): stop cleanly
                raise PipelineError(
                    f"an analysis worker process died: {exc}; what was stored is kept"
                ) from exc
            pending = driver.submit(compute, parts[i + 1]) if i + 1 < len(parts) else None
            yield from outcomes


def _analyse_distributed(articles: Sequence[Article], *, scheduler: str) -> Iterator[_Outcome]:
    """Analyse on a dask.distributed cluster (`dask scheduler` and `dask worker` processes, on any
    machines): partitions of BATCH articles go out as tasks, two per worker in flight so that the
    workers never wait and memory stays bounded, and come back in input order. Each worker opens
    its own default gazetteer index and spaCy once (module globals of its process)."""
    from distributed import Client

    _fast_pickling()
    try:
        client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise PipelineError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    with client:
        parts = (list(articles[i : i + BATCH]) for i in range(0, len(articles), BATCH))
        in_flight = 2 * max(1, len(client.scheduler_info().get("workers", {})))
        first = itertools.islice(parts, in_flight)
        pending = deque(client.submit(_analyse_partition, part, None, pure=False) for part in first)
        while pending:
            try:
                data = pending.popleft().result()
            except Exception as exc:  # a lost worker, a task that failed there: stop cleanly
                raise PipelineError(
                    f"analysis on the Dask cluster failed: {exc}; what was stored is kept"
                ) from exc
            if (part := next(parts, None)) is not None:
                pending.append(client.submit(_analyse_partition, part, None, pure=False))
            # Our own code on the cluster's workers wrote these bytes: trusted input for pickle.
            yield from pickle.loads(data)


def _reduce_dataclass(obj: object, names: tuple[str, ...]) -> tuple[type, tuple[object, ...]]:
    return type(obj), tuple(getattr(obj, name) for name in names)


@functools.cache
def _fast_pickling() -> None:
    """Pickle the pipeline's slotted dataclasses as constructor calls (same objects back).

    Python 3.11's default pickling of slotted dataclasses calls fields() for every object; moving
    analysed articles between processes cost ~2.6 ms each that way, ~0.7 ms like this.
    """
    from frontwatch import model

    for cls in (*vars(model).values(), _Outcome):
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
            continue
        fields = dataclasses.fields(cls)
        if all(f.init and not f.kw_only for f in fields):  # else the positional call would not fit
            names = tuple(f.name for f in fields)
            copyreg.pickle(cls, functools.partial(_reduce_dataclass, names=names))


def _open_gazetteer(index: Path | None = None) -> Gazetteer:
    from frontwatch.gazetteer import Gazetteer

    return Gazetteer.open(index) if index is not None else Gazetteer.open_default()


def _default_index() -> Path:
    """The default index file, built here first if missing so that workers never race to build it."""
    from frontwatch.gazetteer.index import default_path

    path = default_path()
    if not path.exists():
        _open_gazetteer()
    return path


def _gazetteer_version(gazetteer: Gazetteer) -> str | None:
    version = getattr(gazetteer, "version", None)
    return str(version) if version is not None else None


def _rules_version() -> str | None:
    from frontwatch import events

    return getattr(events, "RULES_VERSION", None)
