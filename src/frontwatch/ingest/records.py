"""What every reader shares: decoding bytes, building an Article with its stable id, parsing dates."""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from datetime import date, datetime
from urllib.parse import urlsplit

from dateutil import parser as dateparser

from frontwatch.errors import InputError
from frontwatch.model import Article

log = logging.getLogger(__name__)

_DEFAULTS = (datetime(2001, 1, 1), datetime(2002, 2, 2))
_WS = re.compile(r"\s+")
_BLANK_LINE = re.compile(r"\n[ \t\u00a0\r\f\v]*\n")
WEB_SCHEMES = ("http", "https")


def article_id(text: str) -> str:
    """Stable id: sha256 of the text in NFC with whitespace collapsed, so re-reading changes nothing."""
    normal = _WS.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:16]


def decode(raw: bytes, *, origin: str) -> str:
    """Bytes → str: UTF-8 (with or without BOM), UTF-16 only when it says so with a BOM."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(origin, f"not UTF-16 text despite its byte-order mark ({exc.reason})") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            origin, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        ) from exc
    # Windows and old-Mac line ends would shift nothing in meaning but break paragraph detection.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def paragraphs(body: str) -> list[str]:
    """Paragraphs of a body: blank-line separated when it has blank lines, else one per line."""
    parts = _BLANK_LINE.split(body) if _BLANK_LINE.search(body) else body.split("\n")
    return [p.strip() for p in parts if p.strip()]


def parse_published(value: object, *, origin: str) -> date | None:
    """A date from an ISO string, a free-form date string, a date or datetime; None (and a warning) if not."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text[:10]) if len(text) == 10 else datetime.fromisoformat(text).date()
        except ValueError:
            pass
        try:
            # Parsed against two defaults: if they differ, the string lacked a day, month or year.
            first = dateparser.parse(text, default=_DEFAULTS[0]).date()
            if first == dateparser.parse(text, default=_DEFAULTS[1]).date():
                return first
        except (ValueError, OverflowError):
            pass
    log.warning("%s: cannot parse published date %r; treating it as unknown", origin, value)
    return None


def web_url(url: str | None, *, origin: str) -> str | None:
    """The URL if it is an http(s) link with a host, else None and a warning: the map renders it as a
    link, so a javascript:, data: or file: URL must never be stored."""
    if not url or not url.strip():
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is not None and parts.scheme.lower() in WEB_SCHEMES and parts.hostname:
        return url
    log.warning(
        "%s: dropped the URL %.80r (only http and https links are kept); the article is kept", origin, url
    )
    return None


def source_from_url(url: str | None) -> str | None:
    """The outlet's host name (www. dropped) when nothing better names the source."""
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def build_article(
    *,
    title: str,
    body: list[str] | str,
    origin: str,
    published: date | None,
    option_published: date | None,
    source: str | None = None,
    url: str | None = None,
    tags: tuple[str, ...] | list[str] = (),
) -> Article:
    """The one way every reader makes an Article: text = title + blank line + paragraphs."""
    title = _WS.sub(" ", title).strip()
    paras = paragraphs(body) if isinstance(body, str) else [p for p in body if p.strip()]
    if not title and not paras:
        raise InputError(origin, "empty article (no title, no text)")
    if not title:
        raise InputError(origin, "article has text but no title")
    if paras and _WS.sub(" ", paras[0]).strip() == title:
        paras = paras[1:]  # exports often repeat the title as the first line of the text
    # A one-line report (a wire flash, an ACLED-style note) is its own text: analysed, not skipped.
    text = title + "\n\n" + "\n\n".join(paras) if paras else title
    if published is not None:
        when, how = published, "input"
    elif option_published is not None:
        when, how = option_published, "option"
    else:
        when, how = None, "unknown"
        log.warning("%s: no publication date (give --published); dates in it stay relative", origin)
    url = web_url(url, origin=origin)
    clean_tags = tuple(t for t in (_WS.sub(" ", str(tag)).strip() for tag in tags) if t)
    return Article(
        id=article_id(text),
        title=title,
        text=text,
        published=when,
        published_from=how,
        source=(source.strip() or None) if source else source_from_url(url),
        url=url or None,
        tags=clean_tags,
        origin=origin,
    )
