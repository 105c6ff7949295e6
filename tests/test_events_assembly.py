"""Issue 8: one record per real incident. Each rule on a sentence written here and on the real news
sentence (eval/news/dev.jsonl) that showed the need, through the real pipeline and gazetteer."""

from __future__ import annotations

from datetime import date

import pytest

from frontwatch.gazetteer import Gazetteer
from frontwatch.ingest.records import article_id
from frontwatch.model import Article, DatePrecision, Event, Modality
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


@pytest.mark.parametrize(
    ("text", "published", "day"),
    [
        ("Russian forces captured Avdiivka in February last year.", date(2025, 3, 1), date(2024, 2, 1)),
        ("Ukraine liberated Kherson in November 2022.", date(2024, 5, 1), date(2022, 11, 1)),
        (  # news-023
            "The withdrawal follows months of fierce Russian attacks and marks the biggest change on the"
            " front lines since Moscow troops captured Bakhmut in May last year.",
            date(2024, 2, 17),
            date(2023, 5, 1),
        ),
    ],
)
def test_a_month_without_a_day_dates_the_event_to_that_month(
    events, text: str, published: date, day: date
) -> None:
    (result,) = events(text, published=published)
    assert (result.date, result.date_precision) == (day, DatePrecision.MONTH)


@pytest.mark.parametrize(
    ("text", "regions"),
    [
        (
            "Air defence shot down drones over the Kursk, Bryansk and Saratov regions on Monday.",
            {"Kursk Oblast", "Bryansk Oblast", "Saratov"},
        ),
        (  # news-043
            "Meanwhile, Russia’s Defense Ministry reported on Friday morning that it had stopped several"
            " attempts by Kiev to carry out terrorist attacks using aircraft-type UAVs, and that air defense"
            " systems had intercepted 12 drones over several Russian territories, namely Bryansk, Belgorod,"
            " Voronezh and Saratov regions.",
            {"Bryansk Oblast", "Belgorod Oblast", "Voronezh Oblast", "Saratov"},
        ),
    ],
)
def test_a_list_of_regions_is_one_event_per_region_whatever_each_name_resolved_to(
    events, text: str, regions: set[str]
) -> None:
    result = events(text)
    assert [e.sub_event_type for e in result] == ["Disrupted weapons use"] * len(regions)
    assert {e.place.entry.name for e in result if e.place} == regions


# a report's first paragraph, before the sentence a rule is about
KUPIANSK_SHELLED = (
    "Russian forces shelled Kupiansk on Monday, the governor said. Two people were wounded.\n\n"
)


@pytest.mark.parametrize(
    "text",
    [
        KUPIANSK_SHELLED + "The governor spoke at length on Tuesday."
        " “Russian forces are moving quickly and in force,” he said.",
        # news-004
        "The governor of the Kharkiv region spoke on Tuesday. Ukrainian troops liberated Kherson on Tuesday,"
        " he said.\n\nKyiv is pleased. “Ukrainian forces are moving fast and powerful in the south as part of"
        " the ongoing defensive operation,” Zelensky said in an evening address.",
    ],
)
def test_a_movement_with_no_scene_of_its_own_is_no_incident(events, text: str) -> None:
    result = events(text)
    assert "Change to group/activity" not in [e.sub_event_type for e in result]
    assert len(result) == 1


def test_a_movement_at_a_named_place_is_kept(events) -> None:
    result = events(
        KUPIANSK_SHELLED + "The governor spoke at length on Tuesday."
        " “Russian forces are moving quickly towards Lyman,” he said."
    )
    assert ("Change to group/activity", "Lyman") in kinds(result)


@pytest.mark.parametrize(
    "text",
    [
        KUPIANSK_SHELLED + 'He told reporters that "Russian troops" had "left their fighting positions."',
        # news-007
        KUPIANSK_SHELLED
        + 'Natalia Gumenyuk, a spokeswoman for the Southern Command, told Kiev city television that "up to 60'
        ' occupiers" were "unable to return to their fighting positions."',
    ],
)
def test_fighting_positions_are_no_fight(events, text: str) -> None:
    result = events(text)
    assert "Armed clash" not in [e.sub_event_type for e in result]


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Ukrainian troops are holding the defense near Bakhmut, the General Staff said.", "Bakhmut"),
        (  # news-038
            "It is noted that the Ukrainian defenders are steadfastly holding the defense in Kupyansk"
            " direction.",
            "Kupyansk",
        ),
    ],
)
def test_holding_the_defence_is_a_clash(events, text: str, place: str) -> None:
    result = events(text, published=date(2023, 7, 10))
    assert kinds(result) == [("Armed clash", place)]


@pytest.mark.parametrize(
    "text",
    [
        "Russian forces shelled Dnipro on Saturday, the governor said. Two people were wounded.\n\n"
        "The governor spoke on Monday. After Saturday's attack, Ukrainian troops were on alert, he said.",
        # news-019
        "Russian missiles hit Dnipro on Saturday, the governor said. Two people were wounded.\n\n"
        "Russian forces have not commented. Before Saturday's attack, officials believed that more than 1,700"
        " people resided in the multistory apartment building.",
    ],
)
def test_a_days_attack_names_the_incident_already_told(events, text: str) -> None:
    result = events(text)
    assert kinds(result) == [("Shelling/artillery/missile attack", "Dnipro")]


@pytest.mark.parametrize(
    "told",
    [
        "Russian jets dropped guided bombs on Ukraine, the president said. He asked for more air defence.",
        # news-026
        '"This year, Russian jets (have) already used more than 9,000 guided aerial bombs against Ukraine and'
        " we need the ability to shoot down the air combat aircraft so that they do not approach our"
        ' positions and borders," Zelenskiy said at the start of a virtual meeting led by the United States'
        " on helping arm Ukraine.",
    ],
)
def test_a_whole_country_in_a_reports_body_is_no_incident_of_its_own(events, told: str) -> None:
    body = (
        "Ukrainian troops liberated Kherson on Tuesday, the General Staff said. The city was held for months."
        f"\n\n{told}"
    )
    result = events(body, title="Ukraine retakes Kherson")
    assert kinds(result) == [("Government regains territory", "Kherson")]


@pytest.mark.parametrize(
    "text",
    [
        "Ukrainian border guards thwarted an attempt to cross the border near Kharkiv on Monday.",
        # news-015
        "And in the Sumy Region, the Ukrainian military intercepted an attempt to cross the border by a"
        " subversive group of Russians.",
    ],
)
def test_an_attempt_intercepted_is_a_fight_not_a_weapon_stopped(events, text: str) -> None:
    result = events(text, published=date(2023, 1, 22))
    assert [(e.event_type, e.sub_event_type) for e in result] == [("Battles", "Armed clash")]


def test_drones_intercepted_stay_disrupted_weapons_use(events) -> None:
    result = events("Air defence intercepted four drones over the Sumy region on Monday.")
    assert [e.sub_event_type for e in result] == ["Disrupted weapons use"]


LEAD_037 = (  # news-037
    "The UAF has liberated the settlement of Andriivka in the Donetsk region, reports the spokesperson of the"
    " General Staff of the Armed Forces of Ukraine, Andrii Kovalov, in a telethon."
)


@pytest.mark.parametrize(
    "told",
    [
        '"We have pushed on in the south. Our assault groups stormed the area, resulting in the capture of'
        ' Andriivka. They are inflicting significant losses on the enemy," Kovalov said.',
        # news-037
        '"We have achieved partial success in the Klishchiivka area. Successful storming operations were also'
        " conducted, resulting in the capture of Andriivka in the Donetsk region. They are inflicting"
        ' significant losses on the enemy," Kovalov said.',
    ],
)
def test_a_capture_with_no_taker_named_is_the_change_told_with_one(events, told: str) -> None:
    result = events(f"{LEAD_037}\n\n{told}")
    assert [(e.sub_event_type, e.control_to) for e in result] == [("Government regains territory", "Ukraine")]
    assert any("the capture of Andriivka" in m.text for m in result[0].mentions)


@pytest.mark.parametrize(
    ("text", "places"),
    [
        (
            "Ukrainian forces continue offensive operations in Tokmak and Vasylivka directions and shelled"
            " enemy positions with artillery, the General Staff said.",
            {"Tokmak", "Vasylivka"},
        ),
        (  # news-038
            '"At the same time, the Defense Forces of Ukraine continue to conduct offensive operations in'
            " Melitopol and Berdiansk directions, gain a foothold on the achieved boundaries, inflict"
            " artillery fire damage on the identified enemy targets, carry out counter-battery warfare"
            ' activities,"'
            " the General Staff notes.",
            {"Melitopol", "Berdyansk"},
        ),
    ],
)
def test_offensive_operations_in_listed_directions_are_a_clash_in_each(
    events, text: str, places: set[str]
) -> None:
    result = [e for e in events(text, published=date(2023, 7, 10)) if e.sub_event_type == "Armed clash"]
    assert {e.place.entry.name for e in result if e.place} == places
    assert {e.place.mention.role for e in result if e.place} == {"direction"}


@pytest.mark.parametrize(
    "said",
    [
        '"Attacks on bridges are part of a campaign against civilians," he added.',
        # news-032
        '"Attacks on energy facilities are a tactic of a terrorist state that can only fight against'
        ' civilians," he added.',
    ],
)
def test_what_a_side_does_as_a_tactic_is_no_incident(events, said: str) -> None:
    body = (
        "Russian missiles hit Kyiv on Monday, the mayor said. Two people were wounded.\n\n"
        f"Russians are massively hitting with missiles and kamikaze drones, the mayor said. {said}"
    )
    result = events(body)
    assert [e.event_type for e in result] == ["Explosions/Remote violence"]
    assert not any("tactic" in m.text or "campaign" in m.text for m in result[0].mentions)


@pytest.mark.parametrize(
    ("title", "body", "published"),
    [
        (
            "Russian attacks kill 2 in Kherson Oblast",
            "Russian forces shelled Kherson on Tuesday, the regional military administration said. Two people"
            " were killed.",
            date(2024, 5, 1),
        ),
        (  # news-039
            "Update: Russian attacks kill 1, injure 2 in Kherson Oblast",
            "Russian forces dropped an explosive from a drone on Mykolaivka village in Kherson Oblast,"
            " heavily injuring a 78-year-old man, the regional military administration reported on Sept. 23.",
            date(2023, 9, 23),
        ),
    ],
)
def test_a_headlines_generic_attacks_are_the_strikes_the_body_tells(
    events, title: str, body: str, published: date
) -> None:
    result = events(body, title=title, published=published)
    assert [e.event_type for e in result] == ["Explosions/Remote violence"]
    assert len(result[0].mentions) == 2
