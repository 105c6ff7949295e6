"""Fuzzing with Hypothesis, a short fixed profile for CI (bench/fuzz.py runs 10,000 examples).

Properties (tests/fuzz_cases.py): reading any generated text, JSON Lines, CSV, HTML, feed or bytes
never raises and keeps only http(s) URLs; analysing any generated text raises nothing but InputError,
and every offset of what is stored slices the article text to its evidence or surface.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from frontwatch.store import Store, open_store
from fuzz_cases import READER_CASES, check_analyse, check_read, report_text

CI = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)


@pytest.mark.parametrize("suffix", sorted(READER_CASES))
def test_readers_never_raise_and_keep_only_web_urls(suffix: str) -> None:
    @CI
    @given(content=READER_CASES[suffix])
    def run(content: str | bytes) -> None:
        check_read(content, suffix)

    run()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    with open_store(str(path)) as opened:
        yield opened


@CI
@given(text=report_text)
def test_analyse_raises_only_input_errors_and_offsets_slice_the_text(store: Store, text: str) -> None:
    check_analyse(text, store)
