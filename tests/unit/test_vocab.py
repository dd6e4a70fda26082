"""Controlled vocabularies: values, labels and hashtag folding."""

import re

import pytest

from mitwirken.models.vocab import (
    VOCABULARIES,
    ApplyChannel,
    Bundesland,
    CauseArea,
    Licence,
    OpportunityKind,
    OpportunityStatus,
    PracticeSection,
    PracticeStatus,
    Remote,
    Sector,
    TimeBudgetUnit,
    fold_hashtag,
    hashtag,
    label,
    parse_bundesland,
)

HASHTAG = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")


def test_fixed_values_other_layers_rely_on() -> None:
    assert [k.value for k in OpportunityKind] == ["one-off", "shifts", "regular", "flexible"]
    assert [r.value for r in Remote] == ["no", "possible", "full"]
    assert {c.value for c in ApplyChannel} == {
        "url",
        "email",
        "phone",
        "anlaufstelle",
        "fediverse-reply",
    }
    assert [s.value for s in OpportunityStatus] == ["open", "paused", "filled", "closed"]
    assert [s.value for s in PracticeStatus] == [
        "idea",
        "pilot",
        "running",
        "completed",
        "discontinued",
    ]
    assert [s.value for s in PracticeSection] == [
        "ausgangslage",
        "ansatz",
        "umsetzung",
        "ergebnisse",
        "stolpersteine",
        "uebertragbarkeit",
    ]
    assert [u.value for u in TimeBudgetUnit] == ["per-week", "per-month", "total"]
    assert {s.value for s in Sector} == {
        "civil-society",
        "administration",
        "politics",
        "business",
        "science",
    }
    assert 12 <= len(CauseArea) <= 15


@pytest.mark.parametrize("vocab", VOCABULARIES, ids=lambda v: v.__name__)
def test_every_member_has_labels_and_an_ascii_hashtag(vocab) -> None:
    for member in vocab:
        assert member.label_de.strip() and member.label_en.strip()
        assert HASHTAG.match(member.tag), (member, member.tag)
        assert hashtag(member) == member.tag


@pytest.mark.parametrize(
    "vocab",
    [v for v in VOCABULARIES if v not in (Licence, Bundesland)],
    ids=lambda v: v.__name__,
)
def test_values_are_kebab_case_ascii(vocab) -> None:
    for member in vocab:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", member.value), member.value


def test_members_are_strings_and_parse_from_their_value() -> None:
    assert CauseArea("bildung") is CauseArea.BILDUNG
    assert CauseArea.BILDUNG == "bildung"
    assert f"{OpportunityKind.ONE_OFF}" == "one-off"
    with pytest.raises(ValueError):
        CauseArea("Bildung")


def test_label_in_german_and_english() -> None:
    assert label(CauseArea.KINDER_JUGEND) == "Kinder & Jugend"
    assert label(CauseArea.KINDER_JUGEND, "en") == "Children & youth"
    assert label(Remote.FULL, lang="en-GB") == "Fully remote"
    # unknown languages fall back to German
    assert label(OpportunityStatus.PAUSED, "fr") == "Pausiert"
    # plain text passes through unchanged
    assert label("Musterstadt") == "Musterstadt"


def test_hashtags_of_vocabulary_members() -> None:
    assert hashtag(CauseArea.KINDER_JUGEND) == "KinderUndJugend"
    assert hashtag(CauseArea.GESUNDHEIT_PFLEGE) == "GesundheitUndPflege"
    assert hashtag(PracticeSection.UEBERTRAGBARKEIT) == "Uebertragbarkeit"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mönchengladbach", "Moenchengladbach"),
        ("Straßenfest in Görlitz", "StrassenfestInGoerlitz"),
        ("Übersetzen & Schreiben", "UebersetzenUndSchreiben"),
        ("Ärzte ohne Grenzen", "AerzteOhneGrenzen"),
        ("ÄRZTE", "AERZTE"),
        ("GROSSE ẞTADT", "GROSSESSTADT"),
        ("Café Élysée", "CafeElysee"),
        ("Halle (Saale)", "HalleSaale"),
        ("ehrenamt", "Ehrenamt"),
        ("Erste-Hilfe-Kurs", "ErsteHilfeKurs"),
        ("", ""),
    ],
)
def test_fold_hashtag(text: str, expected: str) -> None:
    assert fold_hashtag(text) == expected
    assert hashtag(text) == expected


def test_hashtags_never_contain_umlauts_or_spaces() -> None:
    folded = hashtag("Für Senior:innen in Düsseldorf – ohne Öffnungszeiten")
    assert folded == "FuerSeniorInnenInDuesseldorfOhneOeffnungszeiten"
    assert folded.isascii() and " " not in folded


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DE-NW", Bundesland.NW),
        ("de-nw", Bundesland.NW),
        ("NW", Bundesland.NW),
        ("NRW", Bundesland.NW),
        ("Nordrhein-Westfalen", Bundesland.NW),
        ("Bayern", Bundesland.BY),
        ("Bavaria", Bundesland.BY),
        ("Thüringen", Bundesland.TH),
        ("Baden-Wuerttemberg", Bundesland.BW),
        ("Atlantis", None),
        ("", None),
    ],
)
def test_parse_bundesland(text: str, expected: Bundesland | None) -> None:
    assert parse_bundesland(text) is expected


def test_bundesland_values_are_iso_codes() -> None:
    assert len(Bundesland) == 16
    assert all(re.fullmatch(r"DE-[A-Z]{2}", land.value) for land in Bundesland)


def test_licence_urls() -> None:
    assert Licence.CC_BY_SA_4_0.value == "CC-BY-SA-4.0"
    assert Licence.CC_BY_SA_4_0.url == "https://creativecommons.org/licenses/by-sa/4.0/"
    assert all(lic.url.startswith("https://creativecommons.org/") for lic in Licence)
