"""Candidate search and scoring of names, with an explanation a compliance officer can follow.

1. **Index** (built once per set of list snapshots): every listed name is cut into tokens
   (normalise.name_tokens); each distinctive token is filed under its exact form, its sound
   (metaphone) and its one-letter deletions (normalise.token_keys). Postings are sorted arrays of
   name numbers, one index per kind (persons, organisations).
2. **Candidates**: a listed name can only reach the threshold if it shares a good part of the
   screened name's weight. Tokens are taken rarest first until the rest could no longer make up
   half of the weight (prefix filtering): only their postings are read, so a common first name
   never drags thousands of names in. Every candidate's coverage of all tokens is then checked by
   binary search in the postings, and the best MAX_CANDIDATES go on.
3. **Scoring**: tokens are aligned one to one, order-free (swapped parts), by the best similarity
   first: exact, a typo (Levenshtein), the same sound (transliterations such as Mohammed/Muhammad),
   an initial, or two parts written as one. Unaligned parts count fully, except when one name is
   wholly contained in the other (missing middle names), where they count for MISSING_PART_FACTOR.
4. **Evidence** beside the name (persons): birth date, nationality and identifiers raise or lower
   the score; each adjustment is listed in the explanation.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import OSA, Levenshtein

from aww_aml_workflow.screening.domain.model import (
    KINDS,
    PERSON,
    Evidence,
    ListEntry,
    Match,
    PartMatch,
    Subject,
)
from aww_aml_workflow.screening.domain.normalise import (
    is_key_token,
    name_tokens,
    phonetic,
    token_keys,
    token_weight,
)

# The default threshold. bench/screening_bench.py measures recall and precision on a labelled set
# built from the UN list: see screening/README.md for the curve and why this value.
DEFAULT_THRESHOLD = 0.80
ENGINE_VERSION = "aww-screening-1"

COVERAGE = 0.5  # a candidate must share at least this part of the screened name's weight
MAX_CANDIDATES = 48
ALIGN_FLOOR = 0.70  # token pairs less similar than this are not aligned
RESIDUE_FLOOR = 0.50  # …unless they are what is left on both sides once the rest is aligned
MISSING_PART_FACTOR = 0.35
PHONETIC_SIMILARITY = 0.88
INITIAL_SIMILARITY = 0.90
JOINED_FACTOR = 0.97
WEAK_ALIAS_PENALTY = 0.05


# ---- name comparison --------------------------------------------------------------------------


def token_similarity(a: str, b: str) -> tuple[float, str]:
    if a == b:
        return 1.0, "exact"
    if len(a) == 1 or len(b) == 1:
        if a[0] == b[0]:
            return INITIAL_SIMILARITY, "initial"
        return 0.0, ""
    # optimal string alignment: a swap of two neighbouring letters is one edit, as people make it
    similarity = OSA.normalized_similarity(a, b)
    how = "typo"
    if similarity < PHONETIC_SIMILARITY:
        sound = phonetic(a)
        if sound and sound == phonetic(b):
            return PHONETIC_SIMILARITY, "phonetic"
    return similarity, how


def compare_tokens(query: tuple[str, ...], listed: tuple[str, ...], kind: str) -> tuple[float, tuple[PartMatch, ...]]:
    """Name score in 0..1 and how each part lined up."""
    if not query or not listed:
        return 0.0, ()
    qw = [token_weight(t, kind) for t in query]
    lw = [token_weight(t, kind) for t in listed]
    options: list[tuple[float, float, tuple[int, ...], tuple[int, ...], str]] = []
    for i, q in enumerate(query):
        for j, c in enumerate(listed):
            similarity, how = token_similarity(q, c)
            if similarity >= ALIGN_FLOOR:
                options.append((similarity, qw[i] + lw[j], (i,), (j,), how))
    # two parts written as one ("abdulrahman" / "abdul rahman"), on either side
    for j in range(len(listed) - 1):
        joined = listed[j] + listed[j + 1]
        for i, q in enumerate(query):
            if len(q) >= 4:
                similarity = Levenshtein.normalized_similarity(q, joined) * JOINED_FACTOR
                if similarity >= ALIGN_FLOOR:
                    options.append((similarity, qw[i] + lw[j] + lw[j + 1], (i,), (j, j + 1), "joined"))
    for i in range(len(query) - 1):
        joined = query[i] + query[i + 1]
        for j, c in enumerate(listed):
            if len(c) >= 4:
                similarity = Levenshtein.normalized_similarity(joined, c) * JOINED_FACTOR
                if similarity >= ALIGN_FLOOR:
                    options.append((similarity, qw[i] + qw[i + 1] + lw[j], (i, i + 1), (j,), "joined"))
    options.sort(key=lambda o: (o[0], o[1]), reverse=True)
    used_q: set[int] = set()
    used_l: set[int] = set()
    aligned: list[tuple[float, float, tuple[int, ...], tuple[int, ...], str]] = []
    for option in options:
        _, _, qs, ls, _ = option
        if used_q.isdisjoint(qs) and used_l.isdisjoint(ls):
            used_q.update(qs)
            used_l.update(ls)
            aligned.append(option)
    # what is left on both sides once the rest lined up: a badly misspelt part ("ahssan"/"hassan",
    # "je-sn"/"je-son") is still the same part, at the similarity it has
    if aligned:
        residue = []
        for i, q in enumerate(query):
            for j, c in enumerate(listed):
                if i not in used_q and j not in used_l and len(q) > 1 and len(c) > 1:
                    similarity = OSA.normalized_similarity(q, c)
                    if similarity >= RESIDUE_FLOOR:
                        residue.append((similarity, qw[i] + lw[j], (i,), (j,), "typo"))
        for option in sorted(residue, key=lambda o: o[0], reverse=True):
            _, _, qs, ls, _ = option
            if used_q.isdisjoint(qs) and used_l.isdisjoint(ls):
                used_q.update(qs)
                used_l.update(ls)
                aligned.append(option)
    score_sum = sum(sim * (sum(qw[i] for i in qs) + sum(lw[j] for j in ls)) / 2 for sim, _, qs, ls, _ in aligned)
    aligned_weight = sum((sum(qw[i] for i in qs) + sum(lw[j] for j in ls)) / 2 for _, _, qs, ls, _ in aligned)
    missing_q = [i for i in range(len(query)) if i not in used_q]
    missing_l = [j for j in range(len(listed)) if j not in used_l]
    missing_q_weight = sum(qw[i] for i in missing_q)
    missing_l_weight = sum(lw[j] for j in missing_l)
    contained = not missing_q or not missing_l
    factor = MISSING_PART_FACTOR if contained and aligned else 1.0
    denominator = aligned_weight + factor * (missing_q_weight + missing_l_weight)
    score = round(score_sum / denominator, 4) if denominator else 0.0  # no 0.7999… at a 0.8 threshold
    parts = [
        PartMatch(" ".join(query[i] for i in qs), " ".join(listed[j] for j in ls), sim, how)
        for sim, _, qs, ls, how in sorted(aligned, key=lambda o: o[2])
    ]
    parts += [PartMatch(query[i], None, 0.0, "missing_in_list") for i in missing_q]
    parts += [PartMatch(None, listed[j], 0.0, "missing_in_query") for j in missing_l]
    return score, tuple(parts)


def compare_names(query: str, listed: str, kind: str = PERSON) -> tuple[float, tuple[PartMatch, ...]]:
    return compare_tokens(name_tokens(query, kind), name_tokens(listed, kind), kind)


# ---- evidence beside the name -------------------------------------------------------------------


def _normal_id(value: str) -> str:
    return "".join(ch for ch in str(value).upper() if ch.isalnum())


def evidence_for(subject: Subject, entry: ListEntry) -> list[Evidence]:
    found: list[Evidence] = []
    if entry.kind == PERSON:
        birth = _birth_evidence(subject, entry)
        if birth:
            found.append(birth)
    ours = {c.upper() for c in (*subject.nationalities, *subject.countries) if c}
    theirs = set(entry.nationalities) | set(entry.countries)
    common = sorted(ours & theirs)
    if common:
        found.append(Evidence("nationality", 0.04, f"country in common: {', '.join(common)}"))
    elif subject.nationalities and entry.nationalities:
        found.append(
            Evidence(
                "nationality",
                -0.04,
                f"nationality {', '.join(sorted(n.upper() for n in subject.nationalities))}, "
                f"listed {', '.join(sorted(entry.nationalities))}",
            )
        )
    listed_ids = {_normal_id(number): kind for kind, number in entry.identifiers if len(_normal_id(number)) >= 5}
    for identifier in subject.identifiers:
        value = _normal_id(identifier.get("value", ""))
        if value and value in listed_ids:
            found.append(
                Evidence(
                    "identifier", 0.25, f"{identifier.get('kind', 'identifier')} matches the listed {listed_ids[value]}"
                )
            )
            break
    return found


def _birth_evidence(subject: Subject, entry: ListEntry) -> Evidence | None:
    year = subject.known_birth_year
    if year is None or not entry.birth_dates:
        return None
    best: Evidence | None = None
    closest = None
    for listed in entry.birth_dates:
        full = subject.birth_date and listed.day and listed.month and listed.year_from == listed.year_to
        if full and (listed.year_from, listed.month, listed.day) == (
            year,
            subject.birth_date.month,
            subject.birth_date.day,
        ):
            return Evidence("birth_date", 0.10, f"same birth date {listed.as_text()}")
        if listed.year_from <= year <= listed.year_to:
            if listed.year_from == listed.year_to and not listed.approximate:
                candidate = Evidence("birth_date", 0.06, f"same birth year {year}")
            else:
                candidate = Evidence("birth_date", 0.03, f"born {year}, listed {listed.as_text()}")
            if best is None or candidate.delta > best.delta:
                best = candidate
        distance = min(abs(year - listed.year_from), abs(year - listed.year_to))
        tolerance = 3 if listed.approximate or listed.year_from != listed.year_to else 0
        distance = max(0, distance - tolerance)
        if closest is None or distance < closest[0]:
            closest = (distance, listed)
    if best:
        return best
    if closest is None:
        return None
    distance, listed = closest
    if distance == 0:
        return Evidence("birth_date", 0.02, f"born {year}, about the listed {listed.as_text()}")
    if distance <= 2:
        return Evidence("birth_date", -0.08, f"born {year}, listed {listed.as_text()}")
    return Evidence("birth_date", -0.20, f"born {year}, listed {listed.as_text()}: a different person?")


# ---- the index ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexedEntry:
    snapshot_id: str
    entry: ListEntry
    entry_hash: str


MAX_EVIDENCE = 0.14  # the most birth date and nationality can add (matching.evidence_for)
RESIDUE_HOPE = 0.85  # the best similarity a part with no shared key can still have (two edits in a long part)
LOOSE_CANDIDATES = 24
MERGED_CACHE = 50_000
_EMPTY = np.zeros(0, dtype=np.int32)


class _KindIndex:
    """Two levels: index key → distinct listed tokens, token → sorted array of name numbers.

    Keys are computed once per distinct token (a list of 100,000 names has far fewer distinct
    tokens), so building stays fast; a query expands its keys to tokens, then to names.
    """

    def __init__(self) -> None:
        self.name_entry: list[int] = []
        self.name_text: list[str] = []
        self.name_tokens: list[tuple[str, ...]] = []
        self.name_weak: list[bool] = []
        self.name_weight: np.ndarray = np.zeros(0, dtype=np.float32)
        self._weights: list[float] = []
        self._token_names: dict[str, list[int]] = defaultdict(list)
        self._joined: set[str] = set()
        self._real: set[str] = set()
        self.token_names: dict[str, np.ndarray] = {}
        self.key_tokens: dict[str, tuple[str, ...]] = {}
        self._merged: dict[str, np.ndarray] = {}

    def add(self, entry_no: int, text: str, tokens: tuple[str, ...], weak: bool, kind: str) -> None:
        number = len(self.name_entry)
        self.name_entry.append(entry_no)
        self.name_text.append(text)
        self.name_tokens.append(tokens)
        self.name_weak.append(weak)
        key_tokens = {t for t in tokens if is_key_token(t, kind)}
        self._weights.append(float(len(key_tokens)))
        for token in key_tokens:
            self._token_names[token].append(number)
        for a, b in itertools.pairwise(tokens):  # written as one word somewhere else
            joined = a + b
            if joined not in key_tokens:
                self._token_names[joined].append(number)
                self._joined.add(joined)
        self._real.update(key_tokens)

    def freeze(self) -> None:
        keys: dict[str, list[str]] = defaultdict(list)
        for token, numbers in self._token_names.items():
            self.token_names[token] = np.asarray(sorted(set(numbers)), dtype=np.int32)
            deletions = token in self._real  # joined forms are found by exact form and sound only
            for key in token_keys(token, deletions):
                keys[key].append(token)
        self.key_tokens = {key: tuple(tokens) for key, tokens in keys.items()}
        self.name_weight = np.asarray(self._weights, dtype=np.float32)
        self._token_names = defaultdict(list)
        self._weights = []
        self._joined, self._real = set(), set()

    def _names_of(self, token: str) -> np.ndarray:
        """Sorted numbers of the names holding a part that shares a key with `token` (cached: the
        same first names and surnames come back in contact after contact)."""
        found = self._merged.get(token)
        if found is not None:
            return found
        seen: set[str] = set()
        arrays = []
        for key in token_keys(token):
            for listed in self.key_tokens.get(key, ()):
                if listed not in seen:
                    seen.add(listed)
                    arrays.append(self.token_names[listed])
        if not arrays:
            found = _EMPTY
        elif len(arrays) == 1:
            found = arrays[0]
        else:
            found = np.unique(np.concatenate(arrays))
        if len(self._merged) >= MERGED_CACHE:
            self._merged.clear()
        self._merged[token] = found
        return found

    def candidates(self, tokens: tuple[str, ...], kind: str, threshold: float) -> list[int]:
        wanted = [(t, token_weight(t, kind)) for t in tokens if is_key_token(t, kind)]
        for a, b in itertools.pairwise(tokens):
            if len(a) + len(b) >= 6 and (len(a) <= 3 or len(b) <= 3):  # "abdul rahman" listed as one word
                wanted.append((a + b, 0.0))
        if not wanted:
            return []
        lists = []
        for token, weight in wanted:
            names = self._names_of(token)
            lists.append((len(names), token, weight, names))
        lists.sort(key=lambda item: item[0])
        total = sum(weight for _, _, weight, _ in lists)
        needed = COVERAGE * total
        prefix, prefix_weight = [], 0.0
        for item in lists:
            prefix.append(item)
            prefix_weight += item[2]
            if item[2] and prefix_weight > total - needed:
                break
        seed = [names for _, _, _, names in prefix if len(names)]
        if not seed:
            return []
        candidates = seed[0] if len(seed) == 1 else np.unique(np.concatenate(seed))
        coverage = np.zeros(len(candidates), dtype=np.float32)
        joined_hit = np.zeros(len(candidates), dtype=bool)
        for _, _, weight, names in lists:
            if not len(names):
                continue
            where = np.searchsorted(names, candidates)
            where[where >= len(names)] = len(names) - 1
            hit = names[where] == candidates
            if weight:
                coverage += weight * hit
            else:
                joined_hit |= hit
        # The best name score a candidate could reach given which parts it shares (every shared
        # part a perfect match): those that could not reach the threshold even with the strongest
        # birth-date and nationality evidence are dropped before the exact comparison.
        unmatched_query = total - coverage
        unmatched_listed = np.maximum(self.name_weight[candidates] - coverage, 0.0)
        contained = (unmatched_query <= 1e-6) | (unmatched_listed <= 1e-6)
        factor = np.where(contained, MISSING_PART_FACTOR, 1.0)
        best = coverage / np.maximum(coverage + factor * (unmatched_query + unmatched_listed), 1e-6)
        covered = coverage >= needed - 1e-6
        keep = np.nonzero(covered & (best + MAX_EVIDENCE >= threshold) | joined_hit)[0]
        # A part misspelt twice shares no key with the listed part, yet the two still line up as a
        # residue (compare_tokens). When few candidates share the rest of the name, those that could
        # pass that way are compared too; a common first name alone never opens this door.
        pairs = np.minimum(unmatched_query, unmatched_listed)
        loose = (coverage + RESIDUE_HOPE * pairs) / np.maximum(
            coverage + pairs + MISSING_PART_FACTOR * (unmatched_query + unmatched_listed - 2 * pairs), 1e-6
        )
        loose_keep = np.nonzero(covered & (loose + MAX_EVIDENCE >= threshold) | joined_hit)[0]
        if len(keep) < len(loose_keep) <= LOOSE_CANDIDATES:
            keep = loose_keep
        if len(keep) > MAX_CANDIDATES:
            keep = keep[np.argsort(-best[keep], kind="stable")[:MAX_CANDIDATES]]
        return candidates[keep].tolist()


class ScreeningIndex:
    """The searchable form of a set of list snapshots; immutable once built."""

    def __init__(self, entries: Iterable[IndexedEntry]) -> None:
        self.entries: list[IndexedEntry] = []
        self.kinds = {kind: _KindIndex() for kind in KINDS}
        for indexed in entries:
            entry_no = len(self.entries)
            self.entries.append(indexed)
            kind_index = self.kinds[indexed.entry.kind]
            for text, weak in [(n, False) for n in indexed.entry.names] + [(n, True) for n in indexed.entry.weak_names]:
                tokens = name_tokens(text, indexed.entry.kind)
                if tokens:
                    kind_index.add(entry_no, text, tokens, weak, indexed.entry.kind)
        for kind_index in self.kinds.values():
            kind_index.freeze()

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def name_count(self) -> int:
        return sum(len(k.name_entry) for k in self.kinds.values())

    def screen(self, subject: Subject, threshold: float = DEFAULT_THRESHOLD) -> list[Match]:
        """Matches of one subject at or above the threshold, best first, one per list entry."""
        kind_index = self.kinds.get(subject.kind)
        if kind_index is None:
            return []
        best: dict[int, tuple[float, str, int, tuple[PartMatch, ...]]] = {}
        for query in subject.names:
            tokens = name_tokens(query, subject.kind)
            if not tokens:
                continue
            for number in kind_index.candidates(tokens, subject.kind, threshold):
                score, parts = compare_tokens(tokens, kind_index.name_tokens[number], subject.kind)
                if kind_index.name_weak[number]:
                    score -= WEAK_ALIAS_PENALTY
                entry_no = kind_index.name_entry[number]
                if entry_no not in best or score > best[entry_no][0]:
                    best[entry_no] = (score, query, number, parts)
        matches = []
        for entry_no, (score, query, number, parts) in best.items():
            if score < threshold - 0.30:  # even the best evidence could not lift it
                continue
            indexed = self.entries[entry_no]
            evidence = evidence_for(subject, indexed.entry)
            if kind_index.name_weak[number]:
                evidence.insert(0, Evidence("weak_alias", -WEAK_ALIAS_PENALTY, "matched a low-quality alias"))
            name_score = score + (WEAK_ALIAS_PENALTY if kind_index.name_weak[number] else 0.0)
            final = name_score + sum(e.delta for e in evidence)
            final = round(max(0.0, min(1.0, final)), 4)
            if final >= threshold:
                matches.append(
                    Match(
                        subject_id=subject.subject_id,
                        entry=indexed.entry,
                        entry_hash=indexed.entry_hash,
                        query_name=query,
                        matched_name=kind_index.name_text[number],
                        name_score=name_score,
                        score=final,
                        parts=parts,
                        evidence=tuple(evidence),
                    )
                )
        matches.sort(key=lambda m: (-m.score, m.entry.source, m.entry.entry_id))
        return matches

    def snapshot_of(self, match: Match) -> str:
        for indexed in self.entries:
            if indexed.entry is match.entry:
                return indexed.snapshot_id
        raise KeyError(match.entry.entry_id)
