"""The screening rules without I/O: normalisation, scoring and its explanation, parsing of the
official list formats (the real UN export among them), safe XML, country lists."""

from datetime import date
from pathlib import Path

import pytest

from aww_aml_workflow.screening.domain.countries import (
    CountryListError,
    country_risk,
    parse_country_list,
    shipped_country_lists,
)
from aww_aml_workflow.screening.domain.matching import (
    DEFAULT_THRESHOLD,
    IndexedEntry,
    ScreeningIndex,
    compare_names,
)
from aww_aml_workflow.screening.domain.model import ORGANISATION, PERSON, BirthDate, ListEntry, Subject
from aww_aml_workflow.screening.domain.normalise import fold, name_tokens, token_keys
from aww_aml_workflow.screening.domain.parsers import ListFormatError, parse_fsf, parse_pep, parse_un

SAMPLES = Path(__file__).parent / "screening_samples"
UN_FILE = Path(__file__).resolve().parents[3].parent / "shared" / "specs" / "sanctions" / "UN_consolidated.xml"


@pytest.fixture(scope="module")
def un_entries():
    return parse_un(UN_FILE.read_bytes()).entries


@pytest.fixture(scope="module")
def un_index(un_entries):
    return ScreeningIndex(IndexedEntry("un-snapshot", e, e.content_hash()) for e in un_entries)


# ---- normalisation ------------------------------------------------------------------------------


def test_names_fold_to_ascii_lower_case_tokens_across_scripts():
    assert fold("Grégoire Dubœuf") == "gregoire duboeuf"
    assert name_tokens("Шевченко Тарас", PERSON) == ("shevchenko", "taras")
    assert name_tokens("N'Diaye, Jean-Pierre", PERSON) == ("ndiaye", "jean", "pierre")
    assert name_tokens("Mr. John Smith", PERSON) == ("john", "smith")


def test_legal_forms_do_not_count_in_organisation_names():
    assert name_tokens("Brouwerij De Koninck NV", ORGANISATION) == ("brouwerij", "de", "koninck")
    assert name_tokens("NV", ORGANISATION) == ("nv",)  # a name that is only a legal form keeps it


def test_one_edit_apart_tokens_share_an_index_key():
    for typo in ("badage", "badge", "baddege", "bdaege"):
        assert set(token_keys("badege")) & set(token_keys(typo)), typo


# ---- scoring and its explanation --------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "listed", "how"),
    [
        ("Eric Badege", "ERIC BADEGE", {"exact"}),
        ("Erik Badeg", "ERIC BADEGE", {"phonetic", "typo"}),
        ("Badege Eric", "ERIC BADEGE", {"exact"}),  # swapped order
        ("Muhammad Omar", "Mohammed Omar", {"phonetic", "exact"}),  # transliteration
        ("Gaston Iyamuremye", "GASTON IYAMUREMYE ALIAS", {"exact", "missing_in_query"}),  # missing part
        ("G. Iyamuremye", "GASTON IYAMUREMYE", {"initial", "exact"}),
        ("Abdulrahman Yasin", "Abdul Rahman Yasin", {"joined", "exact"}),
        ("Ahmad Mahmood Ahssan", "AHMAD MAHMOOD HASSAN", {"exact", "typo"}),  # letters swapped
    ],
)
def test_variants_of_a_listed_name_score_above_the_threshold_and_say_how(query, listed, how):
    score, parts = compare_names(query, listed)
    assert score >= DEFAULT_THRESHOLD, (score, parts)
    assert {p.how for p in parts} == how


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("Jan Peeters", "ERIC BADEGE"),
        ("Eric Janssens", "ERIC BADEGE"),  # same first name, another surname
        ("Mohammed", "Mohammed Omar Ali"),  # one common name alone
        ("Frank Kakolele Smith", "FRANK KAKOLELE BWAMBALE"),
    ],
)
def test_other_people_stay_below_the_threshold(query, listed):
    score, _ = compare_names(query, listed)
    assert score < DEFAULT_THRESHOLD


def test_unmatched_parts_are_listed_in_the_explanation():
    _, parts = compare_names("Eric Jean Badege", "ERIC BADEGE")
    assert [(p.query, p.listed, p.how) for p in parts if p.how.startswith("missing")] == [
        ("jean", None, "missing_in_list")
    ]


def entry(**values):
    base = {"source": "un", "entry_id": "T.1", "kind": PERSON, "names": ("Eric Badege",)}
    return ListEntry(**(base | values))


def test_birth_date_and_nationality_raise_or_lower_the_score_and_are_explained():
    index = ScreeningIndex(
        [IndexedEntry("s", entry(birth_dates=(BirthDate.exact(date(1971, 5, 4)),), nationalities=("CD",)), "h")]
    )
    same = index.screen(Subject("p", PERSON, ["Eric Badege"], birth_date=date(1971, 5, 4), nationalities=["CD"]))
    other = index.screen(Subject("p", PERSON, ["Eric Badege"], birth_date=date(1990, 1, 1), nationalities=["BE"]))
    unknown = index.screen(Subject("p", PERSON, ["Eric Badege"]))
    assert [e.kind for e in same[0].evidence] == ["birth_date", "nationality"]
    assert all(e.delta > 0 for e in same[0].evidence)
    assert unknown[0].score == 1.0 and unknown[0].evidence == ()
    assert other == []  # born 19 years apart with another nationality: a namesake, below the threshold
    lowered = index.screen(Subject("p", PERSON, ["Eric Badege"], birth_year=1990), threshold=0.5)
    assert lowered[0].score < 0.85
    assert lowered[0].explanation()["evidence"][0] == {
        "kind": "birth_date",
        "delta": -0.2,
        "detail": "born 1990, listed 1971-05-04: a different person?",
    }


def test_an_identifier_on_the_list_is_strong_evidence():
    index = ScreeningIndex(
        [IndexedEntry("s", entry(names=("Ivan Petrov Sokolov",), identifiers=(("passport", "75 1234567"),)), "h")]
    )
    found = index.screen(
        Subject("p", PERSON, ["Ivan Sokolov"], identifiers=[{"kind": "passport", "value": "751234567"}])
    )
    assert found and any(e.kind == "identifier" for e in found[0].evidence)


def test_low_quality_aliases_match_with_a_penalty_that_is_explained():
    index = ScreeningIndex([IndexedEntry("s", entry(names=("Gaston Iyamuremye",), weak_names=("Rumuli Victor",)), "h")])
    found = index.screen(Subject("p", PERSON, ["Victor Rumuli"]))
    assert found[0].matched_name == "Rumuli Victor"
    assert found[0].evidence[0].kind == "weak_alias"
    assert found[0].score == pytest.approx(0.95)


def test_persons_are_not_screened_against_organisations():
    index = ScreeningIndex([IndexedEntry("s", entry(kind=ORGANISATION, names=("Eric Badege Trading",)), "h")])
    assert index.screen(Subject("p", PERSON, ["Eric Badege Trading"])) == []
    assert index.screen(Subject("o", ORGANISATION, ["Eric Badege Trading LLC"]))


# ---- the real UN list -----------------------------------------------------------------------------


def test_the_real_un_export_parses_into_individuals_and_entities(un_entries):
    assert len(un_entries) == 1003
    assert sum(1 for e in un_entries if e.kind == PERSON) == 730
    saddam = next(e for e in un_entries if e.entry_id == "IQi.001")
    assert saddam.names[0] == "SADDAM HUSSEIN AL-TIKRITI"
    assert "صدام حسين التكريتي" in saddam.names  # the name in its original script is an alias
    assert saddam.weak_names == ("Abu Ali",)
    assert saddam.birth_dates == (BirthDate.exact(date(1937, 4, 28)),)
    assert saddam.nationalities == ("IQ",)
    assert parse_un(UN_FILE.read_bytes()).list_date == "2026-02-27T00:00:09.554Z"


def test_un_ranges_and_approximate_years_are_kept(un_entries):
    births = [b for e in un_entries for b in e.birth_dates]
    assert any(b.year_from != b.year_to for b in births)
    assert any(b.approximate for b in births)
    assert all(len(c) == 2 for e in un_entries for c in (*e.nationalities, *e.countries))


def test_a_un_name_with_a_typo_is_found_through_the_index(un_index):
    found = un_index.screen(Subject("p", PERSON, ["Saddam Husein al Tikrity"], birth_date=date(1937, 4, 28)))
    assert found[0].entry.entry_id == "IQi.001"
    assert found[0].explanation()["evidence"][0]["detail"] == "same birth date 1937-04-28"
    assert un_index.screen(Subject("p", PERSON, ["Jan Peeters"])) == []


def test_the_content_hash_changes_only_when_the_entry_changes(un_entries):
    first = un_entries[0]
    assert first.content_hash() == ListEntry.from_record(first.to_record()).content_hash()
    changed = ListEntry.from_record(first.to_record() | {"nationalities": ["BE"]})
    assert changed.content_hash() != first.content_hash()


# ---- EU, Belgian and PEP formats -------------------------------------------------------------------


def test_eu_fsf_sample_parses_persons_organisations_scripts_and_weak_aliases():
    parsed = parse_fsf((SAMPLES / "eu_fsf_sample.xml").read_bytes(), "eu")
    assert parsed.list_date.startswith("2026-02-20")
    person, company, approximate = parsed.entries
    assert person.entry_id == "EU.9001.01" and person.kind == PERSON
    assert "Василий Петрович Корнелюк" in person.names and person.weak_names == ("Vasya K",)
    assert person.identifiers == (("passport", "7512345678"),) and person.programme == "UKR"
    assert company.kind == ORGANISATION and company.countries == ("IR",)
    assert approximate.birth_dates == (BirthDate.year(1975, approximate=True),)


def test_a_cyrillic_query_finds_the_listed_person():
    parsed = parse_fsf((SAMPLES / "eu_fsf_sample.xml").read_bytes(), "eu")
    index = ScreeningIndex(IndexedEntry("s", e, e.content_hash()) for e in parsed.entries)
    assert index.screen(Subject("p", PERSON, ["Корнелюк Василий"]))[0].entry.entry_id == "EU.9001.01"
    assert index.screen(Subject("p", PERSON, ["Vasily Kornelyuk"]))[0].entry.entry_id == "EU.9001.01"


def test_belgian_national_sample_uses_the_fsf_shape():
    parsed = parse_fsf((SAMPLES / "be_national_sample.xml").read_bytes(), "be")
    assert [e.entry_id for e in parsed.entries] == ["BE-0001", "BE-0002"]
    assert parsed.entries[0].programme == "BE"
    assert parsed.entries[1].nationalities == ("BE", "MA")


def test_pep_data_in_csv_and_json():
    csv_list = parse_pep((SAMPLES / "pep_sample.csv").read_bytes())
    json_list = parse_pep((SAMPLES / "pep_sample.json").read_bytes())
    minister, spouse, mp = csv_list.entries
    assert minister.pep_category == "minister" and minister.pep_relation == "self"
    assert minister.pep_function == "Minister of Finance of the Walloon Region (2019-09-13)"
    assert spouse.pep_relation == "family" and spouse.remarks == "related to PEP-BE-0001"
    assert mp.nationalities == ("FR", "BE")
    assert json_list.list_date == "2026-02-01" and json_list.entries[0].names[1] == "Liesbeth Achterberg-Claes"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"id,name\nX,Y\n", "lacks the column"),
        (b'{"entries": [{"id": "1", "name": "A B", "function": "x", "category": "king"}]}', "unknown category"),
        (b'{"entries": [{"id": "1", "name": "A B", "function": "x", "relation": "cousin"}]}', "relation"),
        (b'{"entries": []}', "no entries"),
        (b"\xff\xfe", "UTF-8"),
    ],
)
def test_bad_pep_files_are_refused_with_the_reason(content, message):
    with pytest.raises(ListFormatError, match=message):
        parse_pep(content)


# ---- safety and format errors -----------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>&lol3;</FIRST_NAME>
</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>&secret;</FIRST_NAME>
</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"""


@pytest.mark.parametrize("content", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["entity-bomb", "external-entity"])
def test_xml_with_a_dtd_is_refused_before_any_entity_is_expanded(content):
    with pytest.raises(ListFormatError, match="DTD"):
        parse_un(content)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>", "not well-formed"),
        (b"<export/>", "starts with <CONSOLIDATED_LIST>"),
        (b"<CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>", "no entries"),
        (
            b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>",
            "has no name",
        ),
    ],
)
def test_a_broken_un_file_is_refused_with_the_reason(content, message):
    with pytest.raises(ListFormatError, match=message):
        parse_un(content)


def test_an_fsf_entry_without_a_known_subject_type_is_refused():
    content = (
        b'<export xmlns="http://eu.europa.ec/fpi/fsd/export">'
        b'<sanctionEntity logicalId="1"><nameAlias wholeName="A"/></sanctionEntity></export>'
    )
    with pytest.raises(ListFormatError, match="subjectType"):
        parse_fsf(content, "eu")


# ---- country lists --------------------------------------------------------------------------------


def test_shipped_country_lists_answer_the_vigilance_questions():
    lists = {name: parsed for name, (parsed, _) in shipped_country_lists().items()}
    assert set(lists) == {"eu_high_risk", "fatf", "sanctioned_countries"}
    iran = country_risk("IR", lists)
    assert iran["eu_high_risk"] and iran["fatf_call_for_action"] and iran["sanctioned"]
    bulgaria = country_risk("BG", lists)
    assert bulgaria["fatf_increased_monitoring"] and not bulgaria["eu_high_risk"]
    belgium = country_risk("BE", lists)
    assert not any(
        belgium[k] for k in ("eu_high_risk", "fatf_call_for_action", "fatf_increased_monitoring", "sanctioned")
    )
    assert {v["list"] for v in belgium["list_versions"]} == set(lists)
    assert lists["fatf"].version == "2026-02-13"


@pytest.mark.parametrize(
    "document",
    [
        {"list": "other", "version": "1", "categories": {"x": ["BE"]}},
        {"list": "fatf", "version": "", "categories": {"x": ["BE"]}},
        {"list": "fatf", "version": "1", "categories": {"x": ["be"]}},
        {"list": "fatf", "version": "1", "in_force_from": "13/02/2026", "categories": {"x": ["BE"]}},
    ],
)
def test_a_country_list_with_bad_data_is_refused(document):
    with pytest.raises(CountryListError):
        parse_country_list(document)
