"""Fuzz the readers and the analysis with Hypothesis and print the count of failures.

The properties are those of tests/test_fuzz.py (tests/fuzz_cases.py), run on many more examples:
every failing example is counted (the run does not stop at the first), and the first few distinct
failures are printed with their input.

    .venv/bin/python bench/fuzz.py [--examples 10000] [--seed 1]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
import traceback
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from fuzz_cases import PROPERTIES  # a test helper module, shared with tests/test_fuzz.py

SHOWN = 5


def run(name: str, examples: int, rng_seed: int, store: object) -> tuple[int, int, list[str]]:
    """(examples run, failures, the first few failure reports) for one property."""
    strategy, check = PROPERTIES[name]
    tally = {"run": 0, "failed": 0}
    shown: list[str] = []

    @seed(rng_seed)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(value=strategy)
    def property_(value: object) -> None:
        tally["run"] += 1
        try:
            if name == "analyse":
                check(value, store)
            else:
                check(value)
        except Exception as exc:  # every failure is counted; the run goes on
            tally["failed"] += 1
            if len(shown) < SHOWN:
                where = traceback.extract_tb(exc.__traceback__)[-1]
                shown.append(
                    f"{type(exc).__name__}: {exc!s:.300} at {where.filename}:{where.lineno}; "
                    f"input {value!r:.300}"
                )

    property_()
    return tally["run"], tally["failed"], shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--examples", type=int, default=10_000, help="Examples in all, split over the properties"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # readers warn on every dropped URL and missing date
    from frontwatch.store import open_store

    each, extra = divmod(args.examples, len(PROPERTIES))  # the first `extra` properties run one more
    total_run = total_failed = 0
    with tempfile.TemporaryDirectory() as folder, open_store(str(Path(folder) / "fuzz.db")) as store:
        for number, name in enumerate(PROPERTIES):
            start = time.perf_counter()
            ran, failed, shown = run(name, max(1, each + (number < extra)), args.seed, store)
            total_run += ran
            total_failed += failed
            print(f"{name:<14} {ran:>6} examples  {failed:>4} failures  {time.perf_counter() - start:6.1f} s")
            for line in shown:
                print(f"    {line}")
    print(f"all            {total_run:>6} examples  {total_failed:>4} failures")
    sys.exit(1 if total_failed else 0)


if __name__ == "__main__":
    main()
