"""Synthetic screening data for bench/screening_bench.py: a list of entries with aliases, office
contacts, and a labelled set of name pairs built from the UN list. Deterministic (seeded); every
name is generated, none is a real person's. The synthetic list draws from Arabic, Slavic, East
Asian, West African and Spanish names and invented ones; office contacts are mostly Belgian names
with some of the same origins, so namesakes (false positives an employee has to clear) occur as
they do in practice."""

from __future__ import annotations

import random
from datetime import date

from aww_aml_workflow.screening.domain.model import ORGANISATION, PERSON, BirthDate, ListEntry

GIVEN = [
    "mohammed",
    "ahmed",
    "ali",
    "omar",
    "hassan",
    "hussein",
    "abdul",
    "karim",
    "ibrahim",
    "yusuf",
    "khalid",
    "mahmoud",
    "mustafa",
    "salim",
    "rashid",
    "abdullah",
    "tariq",
    "faisal",
    "hamid",
    "jamal",
    "nasser",
    "samir",
    "walid",
    "youssef",
    "bilal",
    "idris",
    "anwar",
    "aziz",
    "farid",
    "ismail",
    "ivan",
    "sergei",
    "dmitri",
    "alexei",
    "nikolai",
    "vladimir",
    "andrei",
    "mikhail",
    "oleg",
    "pavel",
    "yuri",
    "boris",
    "viktor",
    "igor",
    "wei",
    "jun",
    "ming",
    "hui",
    "li",
    "jian",
    "hong",
    "yong",
    "kim",
    "jong",
    "chol",
    "min",
    "sung",
    "young",
    "hyun",
    "abdou",
    "mamadou",
    "ousmane",
    "ibrahima",
    "moussa",
    "amadou",
    "souleymane",
    "cheikh",
    "boubacar",
    "aliou",
    "carlos",
    "jose",
    "luis",
    "juan",
    "miguel",
    "antonio",
    "pedro",
    "manuel",
    "francisco",
    "javier",
]
SURNAMES = [
    "khan",
    "al-rashid",
    "haddad",
    "nasser",
    "mansour",
    "hamdan",
    "qureshi",
    "siddiqui",
    "farouk",
    "jaber",
    "saleh",
    "aziz",
    "ivanov",
    "petrov",
    "sidorov",
    "smirnov",
    "kuznetsov",
    "popov",
    "sokolov",
    "lebedev",
    "kozlov",
    "novikov",
    "morozov",
    "volkov",
    "wang",
    "zhang",
    "liu",
    "chen",
    "yang",
    "huang",
    "zhao",
    "wu",
    "zhou",
    "xu",
    "park",
    "lee",
    "choi",
    "jung",
    "kang",
    "cho",
    "diallo",
    "traore",
    "keita",
    "coulibaly",
    "camara",
    "toure",
    "sow",
    "ba",
    "diop",
    "ndiaye",
    "sy",
    "fall",
    "garcia",
    "rodriguez",
    "martinez",
    "lopez",
    "gonzalez",
    "perez",
    "sanchez",
    "ramirez",
    "torres",
    "flores",
]
SYLLABLES = [
    "ka",
    "ri",
    "mo",
    "ta",
    "la",
    "ne",
    "si",
    "ro",
    "du",
    "be",
    "ha",
    "mi",
    "zu",
    "lo",
    "fa",
    "te",
    "gu",
    "ni",
    "sa",
    "ko",
    "ba",
    "de",
    "vi",
    "no",
    "ru",
    "pe",
    "ti",
    "ma",
    "go",
    "ye",
    "kha",
    "sha",
    "zha",
    "abd",
    "ul",
    "ar",
    "in",
    "os",
    "ev",
    "ov",
    "an",
    "er",
    "ak",
    "ul",
    "im",
]
BELGIAN_GIVEN = [
    "jan",
    "piet",
    "luc",
    "marc",
    "kris",
    "tom",
    "wim",
    "bart",
    "dirk",
    "geert",
    "koen",
    "peter",
    "johan",
    "filip",
    "els",
    "an",
    "sofie",
    "lies",
    "katrien",
    "nathalie",
    "isabelle",
    "veronique",
    "julie",
    "marie",
    "sarah",
    "emma",
    "louise",
    "lucas",
    "noah",
    "arthur",
    "louis",
    "jules",
    "victor",
    "mohamed",
    "ahmed",
    "youssef",
    "fatima",
    "yasmine",
    "mehmet",
    "ayse",
    "emre",
]
BELGIAN_SURNAMES = [
    "peeters",
    "janssens",
    "maes",
    "jacobs",
    "mertens",
    "willems",
    "claes",
    "goossens",
    "wouters",
    "de-smet",
    "dubois",
    "lambert",
    "dupont",
    "martin",
    "vermeulen",
    "pauwels",
    "de-clercq",
    "van-damme",
    "desmet",
    "de-backer",
    "hermans",
    "michiels",
    "aerts",
    "leclercq",
    "vandenberghe",
    "de-vos",
    "segers",
    "cools",
    "coppens",
    "renard",
    "lejeune",
    "el-amrani",
    "benali",
    "yilmaz",
    "kaya",
    "demir",
]
ORG_WORDS = [
    "trading",
    "import",
    "export",
    "general",
    "international",
    "holding",
    "shipping",
    "petroleum",
    "engineering",
    "industrial",
    "commercial",
    "investment",
    "development",
    "logistics",
    "resources",
    "energy",
    "technology",
    "construction",
]
ORG_FORMS = ("LLC", "Ltd", "Co", "SA", "GmbH", "FZE", "JSC")
COUNTRIES = ("IQ", "AF", "SY", "KP", "IR", "RU", "CN", "LY", "SO", "YE", "SD", "PK", "FR", "BE", "DE", "NG", "ML")


def invented(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def person_name(rng: random.Random) -> list[str]:
    given = rng.choice(GIVEN) if rng.random() < 0.7 else invented(rng)
    middle = [rng.choice(GIVEN) if rng.random() < 0.5 else invented(rng)] if rng.random() < 0.4 else []
    surname = rng.choice(SURNAMES) if rng.random() < 0.4 else invented(rng)
    return [given, *middle, surname]


VARIANT_RULES = (
    ("mohammed", "muhammad"),
    ("ou", "u"),
    ("kh", "h"),
    ("y", "i"),
    ("ee", "i"),
    ("q", "k"),
    ("sh", "ch"),
    ("ei", "ay"),
    ("j", "dj"),
    ("v", "w"),
)


def transliterate(name: str, rng: random.Random) -> str:
    rules = [r for r in VARIANT_RULES if r[0] in name.lower()]
    if not rules:
        return typo(name, rng)
    old, new = rng.choice(rules)
    return name.lower().replace(old, new, 1)


def typo(name: str, rng: random.Random) -> str:
    letters = list(name)
    positions = [i for i, ch in enumerate(letters) if ch.isalpha() and i > 0]
    if not positions:
        return name
    i = rng.choice(positions)
    action = rng.choice(("sub", "del", "ins", "swap"))
    alphabet = "abcdefghijklmnopqrstuvwxyz"
    if action == "sub":
        letters[i] = rng.choice(alphabet)
    elif action == "del":
        del letters[i]
    elif action == "ins":
        letters.insert(i, rng.choice(alphabet))
    elif i + 1 < len(letters) and letters[i + 1].isalpha():
        letters[i], letters[i + 1] = letters[i + 1], letters[i]
    return "".join(letters)


def synthetic_list(count: int, seed: int = 7) -> list[ListEntry]:
    rng = random.Random(seed)
    entries = []
    for number in range(count):
        if rng.random() < 0.8:
            parts = person_name(rng)
            primary = " ".join(p.title() for p in parts)
            aliases = []
            for _ in range(rng.randint(0, 3)):
                aliases.append(
                    rng.choice(
                        [
                            " ".join(p.title() for p in reversed(parts)),
                            transliterate(primary, rng).title(),
                            " ".join(p.title() for p in (parts[0], parts[-1])),
                            " ".join(p.title() for p in person_name(rng)),
                        ]
                    )
                )
            year = rng.randint(1940, 2000)
            births = (
                (BirthDate.exact(date(year, rng.randint(1, 12), rng.randint(1, 28))),) if rng.random() < 0.6 else ()
            )
            entries.append(
                ListEntry(
                    source="eu",
                    entry_id=f"SYN.{number}",
                    kind=PERSON,
                    names=tuple(dict.fromkeys([primary, *aliases])),
                    birth_dates=births,
                    nationalities=(rng.choice(COUNTRIES),),
                    programme="SYNTHETIC",
                )
            )
        else:
            words = [invented(rng).title(), *rng.sample(ORG_WORDS, rng.randint(1, 2))]
            primary = " ".join(words) + " " + rng.choice(ORG_FORMS)
            aliases = [" ".join(words[:2]).upper()] if rng.random() < 0.5 else []
            entries.append(
                ListEntry(
                    source="eu",
                    entry_id=f"SYN.{number}",
                    kind=ORGANISATION,
                    names=tuple(dict.fromkeys([primary, *aliases])),
                    countries=(rng.choice(COUNTRIES),),
                    programme="SYNTHETIC",
                )
            )
    return entries


def office_contact_names(count: int, seed: int = 11, listed: list[str] | None = None, listed_share: float = 0.02):
    """Names an office's contacts have: Belgian names, some foreign ones, a few listed names with typos."""
    rng = random.Random(seed)
    names = []
    for _ in range(count):
        if listed and rng.random() < listed_share:
            names.append(typo(rng.choice(listed), rng))
            continue
        given = rng.choice(BELGIAN_GIVEN) if rng.random() < 0.85 else rng.choice(GIVEN)
        surname = rng.choice(BELGIAN_SURNAMES) if rng.random() < 0.85 else rng.choice(SURNAMES)
        names.append(f"{given.title()} {surname.replace('-', ' ').title()}")
    return names


def fsf_xml(entries: list[ListEntry]) -> bytes:
    """The entries as an EU FSF export, to import them the way an administrator would."""
    from xml.sax.saxutils import quoteattr

    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2026-02-27T10:00:00">',
    ]
    for entry in entries:
        code = "person" if entry.kind == PERSON else "enterprise"
        out.append(
            f"<sanctionEntity logicalId={quoteattr(entry.entry_id)} euReferenceNumber={quoteattr(entry.entry_id)}>"
        )
        out.append(f'<subjectType code="{code}" classificationCode="{code[0].upper()}"/>')
        for name in entry.names:
            out.append(f'<nameAlias wholeName={quoteattr(name)} strong="true"/>')
        for birth in entry.birth_dates:
            if birth.day:
                out.append(f'<birthdate birthdate="{birth.as_text()}" year="{birth.year_from}"/>')
        for code2 in entry.nationalities:
            out.append(f'<citizenship countryIso2Code="{code2}"/>')
        for code2 in entry.countries:
            out.append(f'<address countryIso2Code="{code2}"/>')
        out.append("</sanctionEntity>")
    out.append("</export>")
    return "\n".join(out).encode()


# ---- the labelled set from the UN list --------------------------------------------------------


def labelled_pairs(un_entries: list[ListEntry], seed: int = 3) -> list[dict]:
    """(query name, listed name, kind, label, variant) pairs: variants of listed names that should
    match, and near names of other people that should not."""
    rng = random.Random(seed)
    pairs = []
    for entry in un_entries:
        latin = [n for n in entry.names if n.isascii()]
        if not latin:
            continue
        name = latin[0]
        tokens = name.replace(",", " ").split()
        if len(tokens) < 2:
            continue

        def add(query: str, variant: str, label: int, listed: str = name, entry: ListEntry = entry) -> None:
            pairs.append(
                {
                    "query": query,
                    "listed": listed,
                    "kind": entry.kind,
                    "label": label,
                    "variant": variant,
                    "entry": entry.entry_id,
                }
            )

        add(typo(name, rng), "typo", 1)
        add(typo(typo(name, rng), rng), "two_typos", 1)
        add(transliterate(name, rng), "transliteration", 1)
        add(" ".join(reversed(tokens)), "swapped_order", 1)
        if len(tokens) >= 3:
            dropped = tokens[:]
            del dropped[rng.randrange(1, len(tokens) - 1)]
            add(" ".join(dropped), "missing_part", 1)
            if entry.kind == PERSON:
                add(" ".join([tokens[0][0] + ".", *tokens[1:]]), "initial", 1)
        if entry.kind == PERSON:
            other_surname = rng.choice([s for s in SURNAMES + BELGIAN_SURNAMES if s[0] != tokens[-1][0].lower()])
            add(" ".join([*tokens[:-1], other_surname.title()]), "other_surname", 0)
            other_given = rng.choice([g for g in GIVEN + BELGIAN_GIVEN if g[0] != tokens[0][0].lower()])
            add(
                " ".join([other_given.title(), *tokens[1:]])
                if len(tokens) > 2
                else f"{other_given.title()} {tokens[0]}",
                "other_given",
                0,
            )
        else:
            add(" ".join([tokens[0], rng.choice(ORG_WORDS).title(), invented(rng).title()]), "other_organisation", 0)
        belgian = f"{rng.choice(BELGIAN_GIVEN).title()} {rng.choice(BELGIAN_SURNAMES).replace('-', ' ').title()}"
        add(belgian, "unrelated_near", 0)
    return pairs
