"""Issue 8: one record per real incident. Each rule on a sentence written here and on the real news
sentence (eval/news/dev.jsonl) that showed the need, through the real pipeline and gazetteer."""

from __future__ import annotations

from datetime import date

import pytest

from frontwatch.gazetteer import Gazetteer
from frontwatch.ingest.records import article_id
from frontwatch.model import Article, Event, Modality
from frontwatch.pipeline import analyse

PUBLISHED = date(2024, 5, 1)


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.open_default()


@pytest.fixture(scope="module")
def events(gazetteer: Gazetteer):
    def run(body: str, *, title: str = "", published: date = PUBLISHED) -> list[Event]:
        text = f"{title}\n\n{body}" if title else body
        article = Article(
            id=article_id(text), title=title, text=text, published=published, published_from="option"
        )
        return list(analyse(article, gazetteer=gazetteer).events)

    return run


def kinds(result: list[Event]) -> list[tuple[str, str | None]]:
    return [(e.sub_event_type, e.place.entry.name if e.place else None) for e in result]


# -- one incident, many mentions -------------------------------------------------------------------
def test_headline_lead_and_quote_are_one_event_with_every_mention(events) -> None:
    body = (
        "Russian troops shelled Kharkiv on Tuesday, the governor said.\n\n"
        '"The shelling damaged a school," he said.'
    )
    (result,) = events(body, title="Russian shelling hits Kharkiv")
    assert (result.sub_event_type, result.date) == ("Shelling/artillery/missile attack", date(2024, 4, 30))
    assert len(result.mentions) == 3
    assert result.evidence in result.mentions
    assert result.evidence.text.startswith("Russian troops shelled Kharkiv on Tuesday")  # not the headline


def test_real_headline_and_lead_of_one_strike(events) -> None:
    title = "Russia strikes Orikhove with guided air bombs: one person killed, one injured"
    (result,) = events("The Russians struck Orikhove with three guided air bombs.", title=title)
    assert result.sub_event_type == "Air/drone strike"
    assert len(result.mentions) == 2


def test_the_toll_told_after_a_strike_is_that_strike(events) -> None:
    body = (
        "Russian missiles hit Dnipro on Saturday. The missiles killed at least three people and wounded 15."
    )
    result = events(body)
    assert kinds(result) == [("Shelling/artillery/missile attack", "Dnipro")]
    assert ("fatalities", 3.0) in [(q.kind, q.low) for q in result[0].quantities]


def test_the_attack_names_an_incident_already_told(events) -> None:
    result = events(
        "Russian forces shelled Kharkiv on Monday. The governor said the attack damaged a school."
    )
    assert kinds(result) == [("Shelling/artillery/missile attack", "Kharkiv")]


# -- only specific incidents ------------------------------------------------------------------------
# Each rule on a sentence written here and on the real one (eval/news) that showed the need.
NO_INCIDENT = [
    ("negation", "No damage was reported in Kharkiv."),
    ("negation news-009", "There has been no official comment from Ukraine on the attack."),
    ("capability", "Russian forces could break through near Kupiansk."),
    (
        "threat news-024",
        "Lviv, Stryi, Morshyn, and Yavoriv, among others, were warned that they were under"
        " threat of an attack.",
    ),
    ("background", "Kharkiv has been shelled almost daily since 2022."),
    ("background news-012", "The battle for Chasiv Yar has been ongoing for more than a year."),
    ("aggregate", "Russian forces shelled 12 settlements in the Kharkiv and Sumy regions."),
    (
        "aggregate news-038",
        "Seventeen military clashes take place in Kupyansk, Lymany, Bakhmut, Avdiyivka and"
        " Maryinka directions.",
    ),
    ("aid", "The EU approved a new military aid package for Ukraine in Kyiv."),
    ("aid news-036", "Biden announces nearly $3B in new military aid for Ukraine"),
    ("note", "Editor's note: this story was updated after the shelling of Kharkiv."),
    (
        "note news-039",
        "Editor's note: This news article was updated to include the latest information on casualties"
        " caused by recent Russian attacks on Kherson Oblast.",
    ),
    ("accusation", "Russian and Ukrainian officials accused each other of shelling near Enerhodar."),
    (
        "accusation news-022",
        "This comes after both Russia and Ukraine accused each other of carrying out cross-border attacks"
        " on Tuesday.",
    ),
]


@pytest.mark.parametrize(("rule", "text"), NO_INCIDENT, ids=[r for r, _ in NO_INCIDENT])
def test_no_specific_incident_is_no_event(events, rule: str, text: str) -> None:
    assert events(text) == [], rule


@pytest.mark.parametrize(
    "text",
    [
        "Firefighters battled the blaze in Kharkiv.",
        # news-011
        "Firefighters battled the blaze, and more emergency forces were being brought in, an indication the"
        " fire"
        " could be massive.",
    ],
)
def test_an_armed_clash_needs_a_side_that_fights(events, text: str) -> None:
    assert [e for e in events(text) if e.event_type == "Battles"] == []


def test_occupied_before_a_place_is_no_capture(events) -> None:
    result = events("Ukrainian drones struck a fuel depot in occupied Melitopol.")
    assert [e.control_to for e in result] == [None]


def test_a_capital_standing_for_its_government_is_no_scene(events) -> None:
    result = events("Kyiv kept up drone attacks on the Belgorod region on Wednesday.")
    assert all(e.place is None or e.place.entry.name != "Kyiv" for e in result)


# -- enumerations: one event per named place ---------------------------------------------------------
def test_attacks_repelled_near_a_list_of_villages(events) -> None:
    result = events("Ukrainian troops repelled Russian attacks near Terny, Bilohorivka and Bakhmut.")
    assert [s for s, _ in kinds(result)] == ["Armed clash"] * 3
    assert {p for _, p in kinds(result)} >= {"Terny", "Bakhmut"}


def test_real_list_of_villages_taken(events) -> None:
    # news-005
    result = events("Ukrainian troops took control of the surrounding villages of Yampil and Drobysheve.")
    assert [e.control_to for e in result] == ["Ukraine", "Ukraine"]
    assert len({e.place.entry.id for e in result if e.place}) == 2


def test_a_list_before_said_is_no_claimant(events) -> None:
    text = (
        "Ukrainian troops liberated the villages of Terny, Yampil, Drobysheve and Zavody,"
        " the General Staff said."
    )
    result = events(text)
    assert [e.control_to for e in result] == ["Ukraine"] * 4
    assert {e.claimant.name if e.claimant else None for e in result} == {"General Staff"}


# -- sub-types -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Russian forces attacked Kharkiv with guided bombs.",
        "Details: The Russians struck Orikhove with three guided air bombs.",  # news-003
    ],
)
def test_guided_bombs_are_an_air_strike(events, text: str) -> None:
    result = events(text)
    assert [(e.event_type, e.sub_event_type) for e in result] == [
        ("Explosions/Remote violence", "Air/drone strike")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Air defence shot down five drones over the Odesa region.",
        "Six Ukrainian drones were shot down over Russia overnight, the Russian Defence Ministry reported"
        " Wednesday.",
    ],
)
def test_air_defence_is_disrupted_weapons_use(events, text: str) -> None:
    result = events(text)
    assert [e.sub_event_type for e in result] == ["Disrupted weapons use"]


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Russian troops withdrew from Kherson on Friday.", "Kherson"),
        ("The Russian army withdrew from the city of Lyman, Donetsk region", "Lyman"),  # news-005 (headline)
    ],
)
def test_a_withdrawal_is_the_control_change_at_that_place(events, text: str, place: str) -> None:
    (result,) = events(text)
    assert (result.sub_event_type, result.control_to) == ("Government regains territory", "Ukraine")
    assert result.place is not None and result.place.entry.name == place


# -- claims ----------------------------------------------------------------------------------------
def test_a_side_reporting_its_own_success_is_a_claim(events) -> None:
    (result,) = events(
        "Ukrainian forces repelled an assault near Bakhmut on Tuesday, the General Staff said."
    )
    assert result.modality == Modality.CLAIMED
    assert result.claimant is not None and "General Staff" in (result.claimant.name or "")


def test_real_drones_downed_told_by_the_defence_ministry(events) -> None:
    text = (
        "Six Ukrainian drones were shot down over Russia overnight, the Russian Defence Ministry reported"
        " Wednesday."
    )
    (result,) = events(text)
    assert result.modality == Modality.CLAIMED
    assert result.claimant is not None and result.claimant.name == "Russian Defence Ministry"


def test_a_side_reporting_the_enemy_attacking_is_asserted(events) -> None:
    (result,) = events("Russian troops attacked near Bakhmut on Tuesday, the General Staff of Ukraine said.")
    assert result.modality == Modality.ASSERTED


def test_a_dateline_is_no_claimant(events) -> None:
    (result,) = events("KYIV (Reuters) - Russian forces shelled Kharkiv on Tuesday.")
    assert result.claimant is None
    assert result.place is not None and result.place.entry.name == "Kharkiv"


@pytest.mark.parametrize(
    "text",
    [
        "Ukrainian missiles hit the landing ship Kherson near Sevastopol on Tuesday.",
        "Novocherkassk, a large landing ship from the Russian Black Sea Fleet, had been"
        " destroyed near Feodosiia"
        " by cruise missiles from tactical aircraft belonging to Ukraine’s Air Force.",
    ],
)
def test_a_ship_named_after_a_city_is_no_scene(events, text: str) -> None:
    # news-041: the large landing ship Novocherkassk
    result = events(text)
    assert all(e.place is None or e.place.entry.name not in ("Kherson", "Novocherkassk") for e in result)


@pytest.mark.parametrize(
    ("text", "published", "day"),
    [
        (
            "USA Today reported that Russian forces shelled Kharkiv on Monday.",
            date(2024, 5, 1),
            date(2024, 4, 29),
        ),
        (  # news-020
            "According to a report by Russia Today (RT) on the 23rd, the governor of Russia’s"
            " Belgorod region,"
            " Vyacheslav Gladkov, said on Wednesday that an artillery shell from Ukraine"
            " exploded in the Belgorod"
            " region, causing injuries.",
            date(2022, 3, 25),
            date(2022, 3, 23),
        ),
    ],
)
def test_today_in_an_outlet_name_is_no_day(events, text: str, published: date, day: date) -> None:
    result = events(text, published=published)
    assert [e.date for e in result] == [day]
