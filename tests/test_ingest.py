"""Readers → Article: each format with real and broken inputs, stable ids, batches that go on."""

from __future__ import annotations

import csv
import html
import http.server
import io
import json
import logging
import shutil
import sys
import threading
from datetime import date
from pathlib import Path

import pytest

from frontwatch.errors import InputError
from frontwatch.ingest import read_paths, read_text
from frontwatch.ingest.plaintext import split_tags
from frontwatch.ingest.records import article_id
from frontwatch.model import Article, ReadError

DATA = Path(__file__).parent / "data" / "ingest"
SEED_TAGS = ("War in Ukraine", "Izyum", "Russia")


def one(paths, **kwargs) -> Article | ReadError:
    results = list(read_paths(paths, **kwargs))
    assert len(results) == 1, results
    return results[0]


def articles(results) -> list[Article]:
    return [r for r in results if isinstance(r, Article)]


def errors(results) -> list[ReadError]:
    return [r for r in results if isinstance(r, ReadError)]


@pytest.fixture(scope="module")
def ukrinform_rows(shared: Path) -> list[dict[str, str]]:
    with (shared / "eval" / "ukrinform-sample" / "ukrinform.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def html_page(row: dict[str, str]) -> str:
    """A news page around a Ukrinform row: menu, article paragraphs, footer, metadata in <head>."""
    body = "".join(f"<p>{html.escape(p.strip())}.</p>" for p in row["content"].split(". ") if p.strip())
    title = html.escape(row["title"])
    return f"""<!DOCTYPE html><html lang="en"><head><title>{title} | Ukrinform</title>
<meta property="og:title" content="{title}"><meta property="og:site_name" content="Ukrinform">
<meta property="article:published_time" content="2022-10-10T08:20:00+03:00">
<meta name="keywords" content="war crimes, Ukraine"><link rel="canonical" href="{html.escape(row["url"])}">
</head><body><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/video">Video</a></nav>
<main><article><h1>{title}</h1>{body}</article></main>
<footer><p>All rights reserved. Reproduction only with a link to the source.</p></footer></body></html>"""


def rss_feed(rows: list[dict[str, str]]) -> str:
    items = "".join(
        f"""<item><title>{html.escape(r["title"])}</title><link>{html.escape(r["url"])}</link>
<pubDate>Mon, 10 Oct 2022 08:20:00 +0300</pubDate><category>Ukraine</category>
<description>{html.escape("<p>" + html.escape(r["content"]) + "</p>")}</description></item>"""
        for r in rows
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>
<title>Ukrinform: Ukrainian National News Agency</title><link>https://www.ukrinform.net/</link>
<description>News</description>{items}</channel></rss>"""


# --- plain text: the seed -------------------------------------------------------------------------


def test_seed_title_body_and_tags(seed_path: Path) -> None:
    result = one([seed_path], published=date(2022, 5, 10))
    assert isinstance(result, Article)
    raw = seed_path.read_text(encoding="utf-8")
    expected_title = "Ukrainian Forces counterattack Russian troops near Izyum"
    assert result.title == expected_title
    assert result.tags == SEED_TAGS
    assert result.published == date(2022, 5, 10)
    assert result.published_from == "option"
    assert result.origin == str(seed_path)
    assert result.text.startswith(expected_title + "\n\n")
    assert "War in Ukraine" not in result.text and "\u00a0" not in result.text
    assert result.text.endswith("to support this offensive.")
    # Paragraphs are kept exactly, so offsets in the text mean something.
    for paragraph in raw.split("\n\n")[1:-1]:
        assert paragraph in result.text
    assert "maneuvering.Tthey" in result.text


def test_seed_without_date_is_unknown_and_warned(seed_path: Path, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="frontwatch.ingest"):
        result = one([seed_path])
    assert isinstance(result, Article)
    assert (result.published, result.published_from) == (None, "unknown")
    assert any("no publication date" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("\u00a0 War in Ukraine, Izyum, Russia", SEED_TAGS),
        ("\u00a0\u00a0Donbas", ("Donbas",)),
        ("War in Ukraine, Izyum, Russia", SEED_TAGS),
        ("Izyum was retaken, officials said, and the roads reopened.", None),
        ("Donbas", None),
        ("   ", None),
    ],
)
def test_tags_line_detection(line: str, expected: tuple[str, ...] | None) -> None:
    assert split_tags(line) == expected


def test_tags_line_with_nbsp_is_removed_from_text() -> None:
    text = "Title here\n\nFirst paragraph, with a comma.\n\nSecond one.\n\u00a0\u00a0Kharkiv, Shelling\n"
    result = read_text(text, origin="t.txt")
    assert result.tags == ("Kharkiv", "Shelling")
    assert result.text == "Title here\n\nFirst paragraph, with a comma.\n\nSecond one."


def test_last_paragraph_that_is_a_sentence_stays_in_text() -> None:
    text = "Title here\n\nFirst paragraph.\n\nThe mayor, quoted by local media, confirmed it."
    result = read_text(text, origin="t.txt")
    assert result.tags == ()
    assert result.text.endswith("confirmed it.")


def test_stable_id_same_text_other_path_or_whitespace(seed_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "nested" / "again.txt"
    copy.parent.mkdir()
    shutil.copy(seed_path, copy)
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(b"\xef\xbb\xbf" + seed_path.read_bytes().replace(b"\n", b"\r\n"))
    first, second, third = articles(read_paths([seed_path, copy, crlf]))
    from_string = read_text(seed_path.read_text(encoding="utf-8"), origin="mem")
    assert len({first.id, second.id, third.id, from_string.id}) == 1
    assert len(first.id) == 16
    assert (first.origin, second.origin) == (str(seed_path), str(copy))
    assert article_id("a  b\n c") == article_id("a b c")
    assert article_id("Izyum captured") != article_id("Izyum recaptured")


# --- broken inputs ---------------------------------------------------------------------------------


def test_undecodable_bytes(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"Title\n\nCaf" + b"\xff" + b" body text.\n")
    result = one([path])
    assert result == ReadError(str(path), "not UTF-8 text (byte 0xff at offset 10)")


@pytest.mark.parametrize("content", [b"", b"  \n\n \n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    assert one([path]) == ReadError(str(path), "empty file")


def test_one_line_report_is_its_own_text(tmp_path: Path) -> None:
    path = tmp_path / "flash.txt"
    path.write_text("Russian forces shelled Kupiansk on 9 May.\n\n", encoding="utf-8")
    result = one([path])
    expected = ("Russian forces shelled Kupiansk on 9 May.", "Russian forces shelled Kupiansk on 9 May.")
    assert (result.title, result.text) == expected
    tagged = tmp_path / "title-tags.txt"
    tagged.write_text("Only a headline\n\n\u00a0War, Izyum\n", encoding="utf-8")
    result = one([tagged])
    assert (result.text, result.tags) == ("Only a headline", ("War", "Izyum"))


def test_missing_path_and_unknown_extension(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    odd = tmp_path / "report.pdf"
    odd.write_bytes(b"%PDF-1.4")
    first, second = read_paths([missing, odd])
    assert first == ReadError(str(missing), "no such file or directory")
    assert isinstance(second, ReadError) and second.reason.startswith("unknown extension '.pdf'")


def test_no_extension_sniffs_the_format(seed_path: Path, tmp_path: Path) -> None:
    plain = tmp_path / "REPORT"
    shutil.copy(seed_path, plain)
    lines = tmp_path / "export"
    lines.write_text(json.dumps({"title": "T", "text": "Body, officials said."}) + "\n", encoding="utf-8")
    first, second = read_paths([plain, lines])
    assert first.tags == SEED_TAGS
    assert second.text == "T\n\nBody, officials said."


def test_read_text_raises_input_error() -> None:
    with pytest.raises(InputError, match="empty file"):
        read_text("  \n", origin="mem")
    assert read_text("Headline only", origin="mem").text == "Headline only"


def test_bad_file_in_the_middle_of_a_batch(seed_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    (folder / "b").mkdir(parents=True)
    shutil.copy(seed_path, folder / "a.txt")
    (folder / "b" / "broken.txt").write_bytes(b"\xfe\xfa not text")
    (folder / "c.jsonl").write_text(
        json.dumps({"title": "Later report", "text": "Shelling went on, the governor said."}) + "\n",
        encoding="utf-8",
    )
    (folder / "notes.md").write_text("ignored: unknown extension inside a directory", encoding="utf-8")
    (folder / ".hidden.txt").write_text("Hidden\n\nIgnored too.", encoding="utf-8")
    results = list(read_paths([folder], published=date(2022, 5, 10)))
    assert [type(r).__name__ for r in results] == ["Article", "ReadError", "Article"]
    assert results[0].origin == str(folder / "a.txt")
    assert results[1].origin == str(folder / "b" / "broken.txt")
    assert results[1].reason.startswith("not UTF-8 text")
    assert results[2].title == "Later report"


def test_stdin(monkeypatch, seed_path: Path) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(seed_path.read_bytes()), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    result = one(["-"], published=date(2022, 5, 10))
    assert isinstance(result, Article)
    assert (result.origin, result.tags) == ("<stdin>", SEED_TAGS)


# --- JSON Lines and CSV ----------------------------------------------------------------------------


def test_jsonl_good_and_bad_lines(caplog) -> None:
    path = DATA / "articles.jsonl"
    with caplog.at_level(logging.WARNING, logger="frontwatch.ingest"):
        results = list(read_paths([path], published=date(2022, 8, 1)))
    first, broken, no_text, undated = results
    assert isinstance(first, Article)
    assert first.url == "https://News.example.org/a/1?id=7&utm_source=x#top"  # kept exactly as given
    assert (first.published, first.published_from) == (date(2022, 7, 3), "input")
    assert (first.source, first.tags) == ("Example News", ("drones", "fuel"))
    assert first.text == (
        "Drone strike on a fuel depot\n\nA drone hit a fuel depot near the border overnight, "
        "the regional governor said.\n\nFirefighters put out the blaze by morning."
    )
    assert broken.origin == f"{path}:2" and broken.reason.startswith("invalid JSON")
    assert no_text == ReadError(f"{path}:4", "no 'text'")
    assert isinstance(undated, Article)
    assert (undated.published, undated.published_from) == (date(2022, 8, 1), "option")
    assert undated.tags == ("evacuation", "villages")
    assert any("sometime last spring" in r.getMessage() for r in caplog.records)


def test_ukrinform_csv(shared: Path, ukrinform_rows) -> None:
    path = shared / "eval" / "ukrinform-sample" / "ukrinform.csv"
    results = list(read_paths([path]))
    assert len(articles(results)) == len(ukrinform_rows) == 4
    for article, row in zip(results, ukrinform_rows, strict=True):
        assert article.title == " ".join(row["title"].split())  # a title's line break is only layout
        assert article.url == row["url"]
        assert (article.published, article.published_from) == (date(2022, 10, 10), "input")
        assert article.source == "ukrinform.net"
        assert " ".join(row["content"].split()) in " ".join(article.text.split())


# --- HTML ------------------------------------------------------------------------------------------


def test_html_page(tmp_path: Path, ukrinform_rows) -> None:
    row = ukrinform_rows[1]
    path = tmp_path / "page.html"
    path.write_text(html_page(row), encoding="utf-8")
    result = one([path])
    assert isinstance(result, Article)
    assert result.title == row["title"]
    assert (result.published, result.published_from) == (date(2022, 10, 10), "input")
    assert result.source == "Ukrinform"
    assert result.url == row["url"]
    assert "Ukraine" in result.tags
    assert "Iryna Venediktova said this in an interview" in result.text
    assert "Home" not in result.text and "All rights reserved" not in result.text
    assert "\n\n" in result.text.partition("\n\n")[2]  # paragraphs kept apart


def test_html_without_article_text() -> None:
    path = DATA / "nav-only.html"
    assert one([path]) == ReadError(str(path), "HTML with no article text")


# --- feeds -----------------------------------------------------------------------------------------


def test_rss_feed_from_file(tmp_path: Path, ukrinform_rows) -> None:
    path = tmp_path / "feed.rss"
    path.write_text(rss_feed(ukrinform_rows), encoding="utf-8")
    results = list(read_paths([path]))
    assert len(articles(results)) == 4
    first = results[0]
    assert first.title == " ".join(ukrinform_rows[0]["title"].split())
    assert first.source == "Ukrinform: Ukrainian National News Agency"
    assert first.url == ukrinform_rows[0]["url"]
    assert (first.published, first.published_from) == (date(2022, 10, 10), "input")
    assert first.tags == ("Ukraine",)
    assert "<p>" not in first.text and "Maria Mezentseva" in first.text
    assert first.origin == f"{path}#1"


def test_atom_feed() -> None:
    path = DATA / "atom.xml"
    first, second = read_paths([path])
    assert first.title == "Shelling reported near Kupiansk"
    assert first.text == (
        "Shelling reported near Kupiansk\n\nThe regional administration said that artillery hit the "
        "outskirts of Kupiansk overnight.\n\nNo casualties were reported, officials & rescuers said."
    )
    assert (first.source, first.published, first.tags) == (
        "Frontline Test Wire",
        date(2022, 6, 1),
        ("Kharkiv region", "shelling"),
    )
    assert first.url == "https://wire.example.org/2022/06/kupiansk-shelling?ref=feed"
    assert second.published == date(2022, 6, 2)  # only <updated>


def test_broken_feed() -> None:
    path = DATA / "broken-feed.xml"
    result = one([path])
    assert isinstance(result, ReadError) and result.origin == str(path)
    assert result.reason.startswith("broken feed")


def test_feed_from_url(ukrinform_rows) -> None:
    body = rss_feed(ukrinform_rows[:2]).encode("utf-8")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != "/feed":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        results = list(read_paths([f"{base}/feed", f"{base}/missing"]))
    finally:
        server.shutdown()
        server.server_close()
    assert [r.title for r in articles(results)] == [" ".join(r["title"].split()) for r in ukrinform_rows[:2]]
    (missing,) = errors(results)
    assert missing.origin == f"{base}/missing" and missing.reason.startswith("cannot fetch")
