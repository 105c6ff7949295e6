"""Extraction rules on hand-built resolved articles (no spaCy, no gazetteer index needed)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from frontwatch.events import extract
from frontwatch.model import (
    AnnotatedArticle,
    Article,
    DatePrecision,
    Event,
    GazetteerEntry,
    Mention,
    Modality,
    Place,
    PlaceKind,
    Precision,
    ResolvedArticle,
    Span,
)

E = {
    "Izyum": GazetteerEntry(
        "gn:707292",
        "Izyum",
        PlaceKind.CITY,
        49.20697,
        37.27679,
        Precision.EXACT,
        "UA",
        "Kharkiv Oblast",
        geonameid=707292,
    ),
    "Kharkiv": GazetteerEntry(
        "gn:706483",
        "Kharkiv",
        PlaceKind.CITY,
        49.98081,
        36.25272,
        Precision.EXACT,
        "UA",
        "Kharkiv Oblast",
        geonameid=706483,
    ),
    "Kupiansk": GazetteerEntry(
        "gn:703656",
        "Kupiansk",
        PlaceKind.CITY,
        49.71,
        37.615,
        Precision.EXACT,
        "UA",
        "Kharkiv Oblast",
        geonameid=703656,
    ),
    "Spivakivka": GazetteerEntry(
        "katotth:UA63040130220055833",
        "Spivakivka",
        PlaceKind.VILLAGE,
        49.1,
        37.2,
        Precision.EXACT,
        "UA",
        "Kharkiv Oblast",
        katotth="UA63040130220055833",
    ),
    "Zavody": GazetteerEntry(
        "katotth:UA63040130100094915",
        "Zavody",
        PlaceKind.VILLAGE,
        49.15,
        37.06,
        Precision.EXACT,
        "UA",
        "Kharkiv Oblast",
        katotth="UA63040130100094915",
    ),
    "Kalynivka": GazetteerEntry(
        "gn:705000", "Kalynivka", PlaceKind.TOWN, 49.45, 28.52, Precision.EXACT, "UA", "Vinnytsia Oblast"
    ),
    "Kharkiv region": GazetteerEntry(
        "adm:UA-63", "Kharkiv Oblast", PlaceKind.ADMIN1, 49.6, 36.6, Precision.REGION, "UA", "Kharkiv Oblast"
    ),
}
PUBLISHED = date(2022, 5, 10)


def resolved(text: str, *, published: date | None = PUBLISHED, title: str = "Report") -> ResolvedArticle:
    """A resolved article from text: sentences split at . ! ? and paragraph breaks; places from E by name."""
    full = f"{title}\n\n{text}"
    spans = [
        Span(m.start(), m.end(), m.group())
        for m in re.finditer(r"[^\s][^\n]*?(?:[.!?][\"”]?(?=\s|$)|(?=\n)|$)", full)
    ]
    places = []
    names = sorted(E, key=len, reverse=True)
    taken: list[tuple[int, int]] = []
    for name in names:
        for m in re.finditer(rf"\b{re.escape(name)}\b", full):
            if any(a <= m.start() < b for a, b in taken):
                continue
            taken.append(m.span())
            i = next(k for k, s in enumerate(spans) if s.start_char <= m.start() < s.end_char)
            mention = Mention(name, m.start(), m.end(), i, (E[name].id,))
            places.append(Place(mention, E[name], 1.0))
    article = Article(id="test-article", title=title, text=full, published=published, published_from="option")
    return ResolvedArticle(
        AnnotatedArticle(article, tuple(spans)), tuple(sorted(places, key=lambda p: p.mention.start_char))
    )


def events(text: str, **kw: object) -> list[Event]:
    return list(extract(resolved(text, **kw)).events)  # type: ignore[arg-type]


def only(result: list[Event], fw_type: str) -> list[Event]:
    return [e for e in result if e.fw_type == fw_type]


def test_short_report_is_typed_and_placed() -> None:
    result = [
        (e.event_type, e.sub_event_type, e.place.entry.name if e.place else None)
        for e in events("Russian shelling hits residential building in Kharkiv.")
    ]
    expected = [("Explosions/Remote violence", "Shelling/artillery/missile attack", "Kharkiv")]
    assert result == expected


def test_explosion_at_depot() -> None:
    result = [
        (e.event_type, e.place.entry.name if e.place else None)
        for e in events("Explosion at ammunition depot in Kalynivka.")
    ]
    expected = [("Explosions/Remote violence", "Kalynivka")]
    assert result == expected


def test_two_villages_in_one_sentence_are_two_retakes() -> None:
    result = only(events("Ukrainian forces liberated Spivakivka and Zavody."), "retake")
    assert sorted(e.place.entry.name for e in result if e.place) == ["Spivakivka", "Zavody"]
    assert {e.sub_event_type for e in result} == {"Government regains territory"}
    assert {e.control_to for e in result} == {"Ukraine"}
    assert {e.date_precision for e in result} == {DatePrecision.ON_OR_BEFORE}


def test_capture_by_ukrainian_forces_is_government_regaining() -> None:
    (result,) = only(events("Kupiansk was captured by Ukrainian forces on September 10."), "capture")
    assert (result.sub_event_type, result.control_to) == ("Government regains territory", "Ukraine")
    assert result.date == date(2021, 9, 10)  # after publication in 2022: the year before


def test_denial_is_never_a_fact() -> None:
    (result,) = events(
        "The General Staff of the Armed Forces of Ukraine denied that Russian forces captured Kupiansk."
    )
    assert (result.fw_type, result.modality) == ("capture", Modality.DENIED)
    assert (
        result.claimant is not None and result.claimant.name == "General Staff of the Armed Forces of Ukraine"
    )


def test_a_hope_is_no_event() -> None:
    """Issue 8: hopes and plans are no events (GUIDE.md lists them under not_events)."""
    result = [(e.fw_type, e.modality) for e in events('"We hope to liberate Izyum soon," the mayor said.')]
    expected: list[tuple[str, Modality]] = []
    assert result == expected


def test_unnamed_source() -> None:
    (result,) = events("Russian forces reportedly shelled Kupiansk.")
    assert result.modality == Modality.UNNAMED_SOURCE


def test_casualties_and_equipment() -> None:
    (shelling,) = events("Russian shelling of Kharkiv killed three civilians and wounded 12 people.")
    assert sorted((q.kind, q.low) for q in shelling.quantities) == [("fatalities", 3.0), ("injured", 12.0)]
    result = [
        (q.low, q.unit)
        for e in events("Ukrainian forces destroyed 5 tanks near Izyum.")
        for q in e.quantities
    ]
    assert result == [(5.0, "tank")]


def test_dates_relative_to_publication() -> None:
    (yesterday,) = events("Russian troops shelled Kharkiv yesterday.")
    assert (yesterday.date, yesterday.date_precision) == (date(2022, 5, 9), DatePrecision.DAY)
    # "has been shelling since March 26": background, no one incident (issue 8)
    assert events("Since March 26 the enemy has been shelling Izyum.") == []
    (last_week,) = events("Last week Russian troops shelled Kharkiv.")
    assert last_week.date_precision == DatePrecision.RANGE and last_week.date_end is not None


def test_place_inherited_within_paragraph_else_article_main() -> None:
    result = events("Fighting continues in Izyum. The enemy shelled the outskirts again.")
    assert [e.place.entry.name for e in result if e.place] == ["Izyum", "Izyum"]


def test_quote_over_paragraphs_takes_the_claimant_named_after() -> None:
    text = (
        "The deputy mayor, Ivan Petrenko, said on Radio Liberty that the city was under fire.\n\n"
        '"Russian troops shelled Izyum all night.\n\n'
        '"The enemy also attacks near Kharkiv," Petrenko said.'
    )
    result = {e.claimant.name if e.claimant else None for e in events(text)}
    assert result == {"Ivan Petrenko"}


def test_ids_are_deterministic_and_unique() -> None:
    text = "Ukrainian forces liberated Spivakivka and Zavody. Russian troops shelled Kharkiv."
    first = [e.id for e in events(text)]
    assert first == [e.id for e in events(text)]
    assert len(set(first)) == len(first) == 3


def test_no_publication_date_gives_unknown() -> None:
    (result,) = events("Russian troops shelled Kharkiv.", published=None)
    assert (result.date, result.date_precision) == (None, DatePrecision.UNKNOWN)


@pytest.mark.parametrize(
    ("text", "fw_type"),
    [
        ("Movement of tanks near Kharkiv.", "troop_movement"),
        ("Russian soldiers looting a shop in Kharkiv.", "looting"),
        ("A drone strike hit an oil depot in Kharkiv.", "drone_strike"),
        ("Civilians were executed in Izyum.", "civilian_attack"),
    ],
)
def test_types_of_short_reports(text: str, fw_type: str) -> None:
    result = [e.fw_type for e in events(text)]
    assert result == [fw_type]


def test_role_and_surname_refer_back_to_the_full_claimant() -> None:
    text = (
        "Fighting continues near Izyum, said the deputy of the Izyum City Council, Maxim Strelnik, "
        "on the air of Espresso TV.\n\nThe deputy noted that Russian troops shelled Kharkiv.\n\n"
        '"The enemy attacks near Izyum," Strelnik said.'
    )
    result = [(e.claimant.name, e.claimant.outlet) if e.claimant else None for e in events(text)]
    # the fighting near Izyum told twice by the same deputy is one event with two mentions
    expected = [("Maxim Strelnik", "Espresso TV")] * 2
    assert result == expected


def test_empty_and_unsplit_articles() -> None:
    empty = Article(id="e", title="", text="", published=PUBLISHED, published_from="option")
    assert extract(ResolvedArticle(AnnotatedArticle(empty, ()), ())).events == ()
    text = "Russian troops shelled Kharkiv. Ukrainian forces liberated Zavody."
    whole = Article(id="w", title="", text=text, published=PUBLISHED, published_from="option")
    result = [e.fw_type for e in extract(ResolvedArticle(AnnotatedArticle(whole, ()), ())).events]
    assert result == ["shelling"]  # no sentences given: the whole text is one; no places: no retake


def test_a_party_claiming_is_claimed() -> None:
    (result,) = events("Russia claims to have captured Kupiansk.")
    assert (result.fw_type, result.modality, result.control_to) == ("capture", Modality.CLAIMED, "Russia")
    assert result.claimant is not None and result.claimant.name == "Russia"


def test_claimant_before_a_that_less_clause() -> None:
    (result,) = events("Ukraine's General Staff said Russian forces shelled Kharkiv overnight.")
    assert result.claimant is not None and result.claimant.name == "Ukraine's General Staff"
    assert result.claimant.role == "military command"


def test_the_month_may_is_no_modal() -> None:
    (result,) = events("On May 5 Russian troops shelled Kharkiv.")
    assert (result.modality, result.date) == (Modality.ASSERTED, date(2022, 5, 5))


# -- captions of footage and short casualty headlines (Bellingcat/CIR and UCDP error classes) ----------


def acled(text: str) -> list[tuple[str, str]]:
    return [(e.event_type, e.sub_event_type) for e in events(text)]


SD = ("Strategic developments", "Change to group/activity")
SHELLING = ("Explosions/Remote violence", "Shelling/artillery/missile attack")
CLASH = ("Battles", "Armed clash")
VAC = ("Violence against civilians", "Attack")
AIR = "Air/drone strike"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # forces or equipment seen, no violence named: their presence and movement
        ("Russian military equipment in Belarus.", SD),
        ("Train with heavy military equipment.", SD),
        ("Military convoy moving on the highway.", SD),
        ("Helicopter movement.", SD),
        # what a strike leaves behind, and launches
        ("Missile in street.", SHELLING),
        ("Munitions in the ground.", SHELLING),
        ("MLRS launch.", SHELLING),
        ("Crater in a residential area of Kharkiv.", SHELLING),
        ("Rocket debris in a playground.", SHELLING),
        ("Aftermath of attacks on railway near Kharkiv.", SHELLING),
        ("Su-25 attack aircraft conducting an air strike in Kharkiv.", ("Explosions/Remote violence", AIR)),
        # civilians harmed by men on the ground; by shelling, it is the shelling (ACLED: the means decide)
        ("Bodies lying along a street in Izyum.", VAC),
        ("Destroyed cars in Izyum with dead civilians inside.", VAC),
        ("Russian soldiers shot civilians in Izyum.", VAC),
        ("Mass grave in Izyum.", VAC),
        ("Civilians killed in shelling of Kharkiv.", SHELLING),
        # equipment lost in fighting is the battle, unless a strike is named
        ("Destroyed Russian tanks near Izyum.", CLASH),
        ("Lots of damaged military vehicles in Kharkiv.", CLASH),
        ("A Russian convoy gets hit near Kharkiv.", CLASH),
        ("Russian tank destroyed by Ukrainian artillery strike.", SHELLING),
        # short casualty headlines of the Donbas war
        ("Two Ukrainian soldiers killed in separatist east.", CLASH),
    ],
)
def test_caption_types(text: str, expected: tuple[str, str]) -> None:
    result = acled(text)
    assert result and result[0] == expected, result


def test_caption_words_outside_a_caption_are_no_event() -> None:
    """Military nouns alone make a sighting only in a caption, not in the middle of a report."""
    text = "Residents said the city was calm. Russian tanks were there. Many families were leaving by car."
    assert events(text) == []


def test_no_event_words_no_event() -> None:
    assert events("Izyum.") == []


def test_casualty_headline_counts_and_sides() -> None:
    (result,) = events("Five DPR servicemen have died near Izyum.")
    assert [(q.low, q.unit) for q in result.quantities] == [(5.0, "fatalities")]
    assert {a.side for a in result.actors} == {"Russia", "Ukraine"}
    (result,) = events("Two Ukrainian soldiers killed by rebels near Izyum.")
    assert {a.name for a in result.actors} >= {"Ukrainian forces", "DPR/LPR forces"}
    assert [(q.low, q.unit) for q in result.quantities] == [(2.0, "fatalities")]


def test_shelling_names_its_target_side() -> None:
    (result,) = events("Kiev forces shell DPR militia positions near Izyum, one militiaman killed.")
    assert result.event_type == "Explosions/Remote violence"
    assert [a.name for a in result.actors][:2] == ["Ukrainian forces", "DPR/LPR forces"]
    # not Kyiv: "Kiev forces" names a side
    assert result.place is not None and result.place.entry.name == "Izyum"


def test_toll_in_the_next_sentence_belongs_to_the_event() -> None:
    (result,) = events("Russian troops shelled Kharkiv. Two civilians were killed and five wounded.")
    assert result.fw_type == "shelling"
    assert [(q.low, q.unit) for q in result.quantities] == [(2.0, "fatalities"), (5.0, "injured")]
    assert result.evidence.text.endswith("five wounded.")


def test_coarse_place_refined_by_the_next_line() -> None:
    (result,) = events("In the Kharkiv region, a woman was killed by shelling.\n\nIzyum, Kharkiv region")
    assert result.place is not None and result.place.entry.name == "Izyum"
    assert [p.entry.name for p in result.related_places][:1] == ["Kharkiv Oblast"]


def test_day_range_before_the_month() -> None:
    (result,) = events("Russian troops shelled Kharkiv between 1 and 5 March.")
    assert (result.date, result.date_precision, result.date_end) == (
        date(2022, 3, 1),
        DatePrecision.RANGE,
        date(2022, 3, 5),
    )


def test_report_after_a_colon_is_no_claimant() -> None:
    result = events("Image 4: Destroyed shop in Kharkiv.", title="Image 4: Destroyed shop in Kharkiv.")
    # the title and the line telling the same damage: one event, two mentions
    assert [(e.fw_type, e.claimant, len(e.mentions)) for e in result] == [("damage", None, 2)]


def test_one_dead_though_no_number_is_written() -> None:
    (result,) = events("Ukrainian military's shelling kills LPR militiaman in Izyum.")
    assert [(q.low, q.unit) for q in result.quantities] == [(1.0, "fatalities")]
    (result,) = events("Clashes kill four near Izyum.")
    assert [(q.low, q.unit) for q in result.quantities] == [(4.0, "fatalities")]


# -- a place named as a venue, a speaker or a government is not where the event happened -------------------


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("Kharkiv accused Russian troops of shelling Spivakivka.", "Spivakivka"),
        ("Russian troops shelled Spivakivka, Kharkiv said.", "Spivakivka"),
        ("Two soldiers killed near Zavody ahead of Kharkiv peace talks.", "Zavody"),
        ("Two soldiers killed in shelling of Zavody - Kharkiv military", "Zavody"),
        ("Deputy Izyum killed by shelling in Kalynivka.", "Kalynivka"),
        ("Kharkiv rebels shelled Spivakivka.", "Spivakivka"),
        ("Soldier killed by shelling in Donbas - Kharkiv operational group\n\nnear Zavody", "Zavody"),
    ],
)
def test_speaker_venue_or_person_is_not_the_scene(text: str, where: str) -> None:
    from frontwatch.events import places as pl

    full = resolved(text, title="")
    main, related = pl.choose(full.annotated.article.text, full.places)
    assert main is not None and main.entry.name == where
    assert len(related) == 1  # the speaker is kept as a related place
    result = events(text)
    assert result and result[0].place is not None and result[0].place.entry.name == where


@pytest.mark.parametrize(
    "text",
    [
        "Russian troops shelled Kharkiv, officials said.",  # a scene, then the speaker is not a place
        "Explosions in Kharkiv reported overnight.",  # a locative cue wins over a verb of saying
        "The battle for Izyum goes on.",
        "Fighting between Izyum and Zavody.",
    ],
)
def test_a_scene_stays_a_scene(text: str) -> None:
    from frontwatch.events import places as pl

    full = resolved(text, title="")
    assert all(pl.is_scene(full.annotated.article.text, p) for p in full.places)


def test_only_a_venue_falls_back_to_the_article_scene() -> None:
    # "ahead of Kharkiv peace talks" names no scene; the where line (its own paragraph) does
    result = events("Dozens killed in shelling ahead of Kharkiv peace talks\n\nnear Zavody", title="Report")
    placed = [e for e in result if e.place is not None]
    assert placed and placed[0].place is not None and placed[0].place.entry.name == "Zavody"


def test_a_name_alone_under_a_headline_is_a_tag_not_a_scene() -> None:
    from frontwatch.events import places as pl

    text = "Three soldiers killed in clashes\nIzyum\n\nnear the village of Zavody"
    full = resolved(text, title="")
    tag = next(p for p in full.places if p.entry.name == "Izyum")
    assert pl.is_tag_line(full.annotated.article.text, tag)
    dateline = resolved("Izyum\n\nRussian troops shelled the town.", title="")
    assert not pl.is_tag_line(dateline.annotated.article.text, dateline.places[0])
