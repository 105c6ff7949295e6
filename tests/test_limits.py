"""Hostile input at the readers: script URLs dropped (article kept), size limits named with the size."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from frontwatch.cli import main
from frontwatch.ingest import read_paths
from frontwatch.model import Article, ReadError

SCRIPT_URLS = [
    "javascript:alert(document.domain)",
    "data:text/html,<script>alert(1)</script>",
    "JaVaScRiPt:x",
]
TEXT = "Russian forces shelled Kupiansk on 9 May, the General Staff said."


@pytest.mark.parametrize("url", SCRIPT_URLS)
def test_jsonl_script_url_is_dropped_and_the_article_kept(tmp_path: Path, url: str) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"title": "Shelling", "text": TEXT, "url": url}) + "\n", encoding="utf-8")
    (article,) = read_paths([path])
    assert isinstance(article, Article)
    assert (article.url, article.text) == (None, "Shelling\n\n" + TEXT)


@pytest.mark.parametrize("url", SCRIPT_URLS)
def test_feed_script_link_is_dropped_and_the_entry_kept(tmp_path: Path, url: str) -> None:
    path = tmp_path / "feed.xml"
    path.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
        f"<item><title>Shelling</title><link>{url.replace('<', '&lt;')}</link>"
        f"<description>{TEXT}</description></item>"
        "<item><title>Strike</title><link>https://wire.example.org/2</link>"
        f"<description>{TEXT}</description></item></channel></rss>",
        encoding="utf-8",
    )
    first, second = read_paths([path])
    assert isinstance(first, Article) and first.url is None and first.title == "Shelling"
    assert isinstance(second, Article) and second.url == "https://wire.example.org/2"


def test_an_oversized_text_file_is_refused_from_its_size_alone(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # 50 MB, sparse: refused before a byte of it is read
        handle.truncate(50 * 1024 * 1024)
    (result,) = read_paths([path])
    assert result == ReadError(
        str(path),
        "article too large: 52,428,800 bytes, over the limit of 4,194,304 bytes (--max-article-bytes)",
    )


def test_jsonl_streams_and_skips_only_the_oversized_line(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    lines = [
        json.dumps({"title": "One", "text": TEXT}),
        json.dumps({"title": "Big", "text": "Kharkiv. " * 300}),
        json.dumps({"title": "Three", "text": TEXT}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    first, big, third = read_paths([path], max_article_bytes=1000)
    assert isinstance(first, Article) and isinstance(third, Article)
    assert big == ReadError(
        f"{path}:2",
        f"article too large: {len(lines[1]):,} bytes, over the limit of 1,000 bytes (--max-article-bytes)",
    )


def test_a_csv_row_over_the_limit_is_named(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(f'title,content\nSmall,"{TEXT}"\nLarge,"{"Kharkiv. " * 200}"\n', encoding="utf-8")
    small, large = read_paths([path], max_article_bytes=500)
    assert isinstance(small, Article)
    assert isinstance(large, ReadError) and large.origin == f"{path}:3"
    assert large.reason.startswith("article too large: 1,806 bytes, over the limit of 500 bytes")


def test_ingest_max_article_bytes_option(tmp_path: Path, seed_path: Path) -> None:
    db = tmp_path / "limits.db"
    result = CliRunner().invoke(
        main, ["--db", str(db), "ingest", str(seed_path), "--max-article-bytes", "1000"]
    )
    assert result.exit_code == 1, result.output
    size = seed_path.stat().st_size
    assert (
        f"skipped {seed_path}: article too large: {size:,} bytes, over the limit of 1,000 bytes"
        in result.stderr
    )
    assert "0 articles read, 0 stored (0 events), 0 already present, 1 skipped" in result.stderr
