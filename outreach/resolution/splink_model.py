"""The match model: a splink 5 Fellegi-Sunter model on DuckDB that scores candidate pairs of records.

Parameters are fixed priors, not trained by EM on each input. The model must give the same answer on a
10-record CSV as on a million-record day; EM on a small or one-sided input (no duplicates at all) converges
anywhere and leaves unobserved levels untrained, and on the 20,000-record synthetic benchmark it did no better
(pairwise F1 0.970 at its best threshold against 0.972 for these priors, after 22 s of training). The priors are
"how often does this happen between two records of one business / of two businesses", checked on the benchmark
(`bench/bench_resolution.py`) and on the sandbox's labelled duplicates. With no term-frequency adjustment, a
pair's score depends on the pair alone, never on the rest of the input: `clusters.py` relies on it.

The evidence, in bits (log2 m/u; the prior is 1:1, so a pair's match weight is the sum over comparisons):

- phone: same number, names agree +15.5 / names unknown +12.3; same last 7 digits with an area code missing
  +8.2; shared by businesses whose names conflict +1; different -1.7 (owners often give their cell).
- email: same address, names agree +15.3 / unknown +11.7; same business domain +9; shared, names conflict +1;
  different -1.3.
- address: same number and street, names agree +12.6 / unknown +8.6; shared, names conflict 0; different -2.3.
- name: exact +11.3; a typo +9.2; one's words in the other's +5.6; the other record's owner named in it +4.6;
  a person's name 0 (the person comparison weighs it); different -4.
- person (order-free word sets): same, 2+ words +8.8; contained, 2+ words +8.5 (registries add middle names);
  alike (`SMITH, JO` / `John Smith`) +5.6; relatives +0.6; different -2.7. Owner names repeat (`Mike Smith`
  runs more than one business in a big city), so a name is never enough on its own.
- handle: an email (business domain, or a free-mail mailbox) spelling the business name of the other record, on
  a record without one, +10.
- location: same ZIP5 +4.8; same city when a ZIP is missing +4.5, with different ZIPs +2.7; different -4.2.

The central idea is the three-way reading of names (`NAMES_AGREE`, unknown, `NAMES_CONFLICT`): an identifier
counts fully only when names agree. A family's businesses share a phone, a surname and sometimes an office;
their names (`Garcia Plumbing` / `Garcia Roofing`, `Jose` / `Maria Garcia`) are what tells them apart, so a
shared phone between conflicting names is worth 1 bit, and between unknown ones (a bare social record) 12.3.
Conflicting pairs are also handed to clustering, which refuses to chain them together.

`THRESHOLD_MATCH_WEIGHT` = 12 bits: a phone, an email, or a business name (even misspelt) with a city settles a
match; so does an owner's name with a city, unless their phones differ (+11.6). An exact name alone (+11.3), a
look-alike name in the same ZIP (~+4), the same name in another city (~+5) do not. On the 20,000-record
benchmark, pairwise F1 is 0.971 / 0.974 / 0.972 / 0.967 at 10 / 11 / 12 / 13 bits while precision goes from
0.988 to 0.997 between 11 and 12. A false merge costs more than a missed one (one business contacted with
another's history, or not contacted at all), so 12: a quarter of the false pairs for 0.1 point of F1.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from outreach.resolution.keys import KEY_COLUMNS

THRESHOLD_MATCH_WEIGHT = 12.0
"""Pairs scoring at least this many bits of evidence are the same business."""

MAX_BLOCK_ROWS = 500
"""A blocking key value shared by more distinct rows than this is not used for blocking (other keys still are):
a business's own records rarely share a phone or an address 500 ways, a placeholder value or a huge office
building does, and its block alone would cost n²/2 comparisons."""

UID = "uid"

BLOCKING_KEYS: dict[str, tuple[str, ...]] = {
    "blk_phone7": ("phone7",),  # last 7 digits: full phones, and those missing an area code
    "blk_email": ("email",),
    "blk_domain": ("email_domain",),
    "blk_name": ("name",),  # records without any location still meet their business's other records
    "blk_name_zip": ("name_first", "zip5"),  # a typo after the first word
    "blk_name_city": ("name_first2", "city"),  # a typo after the second word, and no ZIP
    "blk_number_zip": ("street_number", "zip5"),
    "blk_street": ("street_number", "street_name"),
    "blk_handle": ("email_handle",),
    "blk_slug": ("name_slug",),
}
"""Blocking keys, each built from these columns (null when any part is null). Two records are candidates when
they share one; `blk_handle` and `blk_slug` pair across instead (`CROSS_BLOCKING`)."""

PERSON_BLOCKING = "blk_person_city"
"""Each two full words of a person with the city (`dockery randall|fresno`, and for `DOCKERY RANDALL MARK` also
`dockery mark|fresno` and `mark randall|fresno`), exploded by splink: a registry's middle name must not keep a
sole owner from meeting their own profile. One full word (`Chris W.`) gives no key: it would block half a city."""

CROSS_BLOCKING = (("blk_handle", "blk_slug"), ("blk_slug", "blk_handle"))
"""One record's email handle equal to the other's business name slug (`hillheatingair.com` and `Hill Heating &
Air`), both ways round since splink pairs two records once."""


# --- SQL on the `_l` and `_r` sides of a pair ----------------------------------------------------------------
def _tokens(column: str) -> str:
    return f"string_split({column}, ' ')"


def _contains(container: str, contained: str) -> str:
    """All words of `contained` are words of `container` (false when either is null)."""
    return f"coalesce(list_has_all({_tokens(container)}, {_tokens(contained)}), false)"


def _either_contains(left: str, right: str) -> str:
    return f"({_contains(left, right)} or {_contains(right, left)})"


def _shares(left: str, right: str, words: int) -> str:
    """`left` and `right` have at least `words` words in common (false when either is null)."""
    return f"coalesce(len(list_intersect({_tokens(left)}, {_tokens(right)})) >= {words}, false)"


def _full_words(words: str) -> str:
    """How many of `words` (a list expression) are more than an initial."""
    return f"len(list_filter({words}, lambda w: length(w) > 1))"


def _unshared(side: str, other: str) -> str:
    """The words of `side` that `other` lacks."""
    return f"list_filter({_tokens(side)}, lambda w: not list_contains({_tokens(other)}, w))"


def _unpaired(side: str, other: str) -> str:
    """How many words `side` has and `other` lacks are neither a prefix of nor prefixed by a word `other` has and
    `side` lacks (`m` pairs with `mark`, `jo` with `john`)."""
    partners = f"list_filter({_unshared(other, side)}, lambda v: starts_with(w, v) or starts_with(v, w))"
    return f"len(list_filter({_unshared(side, other)}, lambda w: len({partners}) = 0))"


def _pairs_up_with(side: str, other: str) -> str:
    """Every word of `other` pairs up with one of `side`, and `side` has at most a middle name to spare (one
    unpaired word, when it has three full words as registries write `LAST FIRST MIDDLE`)."""
    return (
        f"({_unpaired(other, side)} = 0 and ({_unpaired(side, other)} = 0"
        f" or ({_unpaired(side, other)} = 1 and {_full_words(_tokens(side))} >= 3)))"
    )


def _handle_spells_name(side: str, other: str) -> str:
    """`side` has no business name, but an email saying `hillheatingair`; `other` is `Hill Heating & Air`."""
    return f"(name_{side} is null and jaro_winkler_similarity(email_handle_{side}, name_slug_{other}) >= 0.92)"


SIMILAR_NAMES = f"""(
    name_l = name_r
    or coalesce(least(length(name_l), length(name_r)) >= 5 and damerau_levenshtein(name_l, name_r) <= 1, false)
    or {_either_contains("name_l", "name_r")}
)"""
"""Business names equal, a typo apart (`Acme Pulmbing`), or one's words all in the other's (`Acme Plumbing` /
`Acme Plumbing & Heating`). Character similarity is deliberately not enough: `Ace Roofing` / `Ace Flooring`
are 0.97 Jaro-Winkler apart and two businesses."""
OWNER_IN_OTHER_NAME = f"({_shares('name_l', 'person_r', 2)} or {_shares('name_r', 'person_l', 2)})"
"""One record's business name is the other record's contact person: a sole owner registered under their name."""
OWN_NAME = f"({_shares('name_l', 'person_l', 2)} or {_shares('name_r', 'person_r', 2)})"
"""A record's business name is its own contact person's name: it says nothing about the trade name."""
SAME_PERSON = f"""(
    {_either_contains("person_l", "person_r")}
    or (
        {_shares("person_l", "person_r", 1)}
        and coalesce({_pairs_up_with("person_l", "person_r")} or {_pairs_up_with("person_r", "person_l")}, false)
    )
)"""
"""One person's words contain the other's, or they share a word and the rest pair up as abbreviations: `SMITH,
JO` (Washington truncates given names) is John Smith, `John S.` is `SMITH JOHN ALLEN`; `Roger Miller` is not
`Michael Miller`, `Chris W.` is not `Chris C.`, `Mary J. Roberts` is not `Jonathan Roberts`."""
RELATIVES = f"({_shares('person_l', 'person_r', 1)} and not {SAME_PERSON})"
"""Two people with a word in common and another not: `Jose Garcia` and `Maria Garcia`, the signature of a
family's businesses (nicknames are folded in `keys.person_key`, so `Bob` and `Robert Smith` do not count)."""
NAMES_CONFLICT = f"""(
    (name_l is not null and name_r is not null and not ({SIMILAR_NAMES} or {OWNER_IN_OTHER_NAME} or {OWN_NAME}))
    or {RELATIVES}
)"""
"""The names say two businesses: different trade names, or relatives."""
NAMES_AGREE = f"(not {NAMES_CONFLICT} and ({SIMILAR_NAMES} or {OWNER_IN_OTHER_NAME} or {SAME_PERSON}))"
"""The names say one business: similar trade names or the same person, and no conflict. In between lies
"unknown" (a name missing on one side, a sole owner's name against a trade name)."""
NAME_COLUMNS = ("name", "person")
"""The key columns `NAMES_CONFLICT` reads."""
NO_CONFLICT = f"not {NAMES_CONFLICT}"
SAME_STREET = "street_number_l = street_number_r and jaro_winkler_similarity(street_name_l, street_name_r) >= 0.9"
SAME_CITY = "city_l = city_r and coalesce(state_l = state_r, true)"
COMMON_PERSON_WORDS = f"list_intersect({_tokens('person_l')}, {_tokens('person_r')})"


# --- comparisons -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Level:
    """One comparison level: a SQL condition on the pair, and how often it holds for two records of one business
    (m) and of two businesses (u)."""

    label: str
    sql: str
    m: float
    u: float


def _else(m: float, u: float) -> Level:
    return Level("else", "ELSE", m, u)


COMPARISONS: dict[str, tuple[str, list[Level]]] = {
    "name": (
        "name_l is null or name_r is null",
        [
            Level("a person's name", OWN_NAME, 0.10, 0.10),  # the person comparison weighs it, once
            Level("exact", "name_l = name_r", 0.50, 2e-4),
            Level(
                "typo", "least(length(name_l), length(name_r)) >= 5 and damerau_levenshtein(name_l, name_r) <= 1",
                0.12, 2e-4,
            ),
            Level("contained", _either_contains("name_l", "name_r"), 0.10, 2e-3),
            Level("owner named in the other's name", OWNER_IN_OTHER_NAME, 0.05, 2e-3),
            _else(0.06, 0.98),
        ],
    ),
    "person": (
        "person_l is null or person_r is null",
        [
            Level("exact, 2+ words", f"person_l = person_r and {_full_words(_tokens('person_l'))} >= 2", 0.45, 1e-3),
            Level(
                "contained, 2+ words",
                f"{_either_contains('person_l', 'person_r')} and {_full_words(COMMON_PERSON_WORDS)} >= 2",
                0.35, 1e-3,
            ),
            Level("alike", SAME_PERSON, 0.10, 2e-3),
            Level("a shared word: relatives", _shares("person_l", "person_r", 1), 0.06, 0.04),
            _else(0.15, 0.95),
        ],
    ),
    "phone": (
        "phone7_l is null or phone7_r is null",
        [
            Level("same number, names agree", f"phone_l = phone_r and {NAMES_AGREE}", 0.45, 1e-5),
            Level("same number, names unknown", f"phone_l = phone_r and {NO_CONFLICT}", 0.15, 3e-5),
            Level(
                "same 7 digits, an area code missing",
                f"phone7_l = phone7_r and (phone_l is null or phone_r is null) and {NO_CONFLICT}",
                0.03, 1e-4,
            ),
            Level(
                "shared line, names conflict", "phone7_l = phone7_r and coalesce(phone_l = phone_r, true)",
                0.01, 5e-3,
            ),
            _else(0.30, 0.99),
        ],
    ),
    "email": (
        "email_l is null or email_r is null",
        [
            Level("same address, names agree", f"email_l = email_r and {NAMES_AGREE}", 0.40, 1e-5),
            Level("same address, names unknown", f"email_l = email_r and {NO_CONFLICT}", 0.10, 3e-5),
            Level("same business domain", f"email_domain_l = email_domain_r and {NO_CONFLICT}", 0.10, 2e-4),
            Level("shared address, names conflict", "email_l = email_r", 0.01, 5e-3),
            _else(0.40, 0.99),
        ],
    ),
    "address": (
        "street_number_l is null or street_number_r is null or street_name_l is null or street_name_r is null",
        [
            Level("same street address, names agree", f"{SAME_STREET} and {NAMES_AGREE}", 0.60, 1e-4),
            Level("same street address, names unknown", f"{SAME_STREET} and {NO_CONFLICT}", 0.20, 5e-4),
            Level("shared address, names conflict", SAME_STREET, 0.01, 0.01),
            _else(0.20, 0.99),
        ],
    ),
    "handle_for_name": (
        "not (email_handle_l is not null and name_l is null and name_r is not null)"
        " and not (email_handle_r is not null and name_r is null and name_l is not null)",
        [
            Level(
                "email spells the other's business name",
                f"{_handle_spells_name('l', 'r')} or {_handle_spells_name('r', 'l')}",
                0.30, 3e-4,
            ),
            _else(0.40, 0.99),
        ],
    ),
    "location": (
        "(zip5_l is null or zip5_r is null) and (city_l is null or city_r is null)",
        [
            Level("same ZIP5", "zip5_l = zip5_r", 0.70, 0.025),
            Level("same city, a ZIP unknown", f"{SAME_CITY} and (zip5_l is null or zip5_r is null)", 0.90, 0.04),
            Level("same city, other ZIP", SAME_CITY, 0.20, 0.03),
            _else(0.05, 0.93),
        ],
    ),
}  # fmt: skip
"""Comparison → (its null condition, its levels from the most specific to `else`)."""


def _settings() -> SettingsCreator:
    comparisons = [
        {
            "output_column_name": name,
            "comparison_levels": [
                {"sql_condition": null_sql, "label_for_charts": "null", "is_null_level": True},
                *(
                    {
                        "sql_condition": level.sql,
                        "label_for_charts": level.label,
                        "m_probability": level.m,
                        "u_probability": level.u,
                    }
                    for level in levels
                ),
            ],
        }
        for name, (null_sql, levels) in COMPARISONS.items()
    ]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name=UID,
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[
            *(block_on(column) for column in BLOCKING_KEYS if column not in dict(CROSS_BLOCKING)),
            block_on(PERSON_BLOCKING, arrays_to_explode=[PERSON_BLOCKING]),
            *(f"l.{left} = r.{right}" for left, right in CROSS_BLOCKING),
        ],
        probability_two_random_records_match=0.5,  # no prior: a match weight is the evidence alone
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


# --- scoring -----------------------------------------------------------------------------------------------
def _person_pairs(person: str, city: str) -> list[str]:
    """The `PERSON_BLOCKING` keys of one row."""
    words = [word for word in person.split() if len(word) > 1]
    return [f"{a} {b}|{city}" for i, a in enumerate(words) for b in words[i + 1 :]]


def blocking_keys(keys: pd.DataFrame) -> pd.DataFrame:
    """The `BLOCKING_KEYS` and `PERSON_BLOCKING` columns of `keys`, null (or left out of the list) where a part is
    null or the value is shared by more than `MAX_BLOCK_ROWS` rows."""
    words = keys["name"].str.split(" ")
    parts = keys.assign(name_first=words.str[0], name_first2=words.str[:2].str.join(" "))
    blocks = {}
    for column, (first, *rest) in BLOCKING_KEYS.items():
        value = parts[first].astype("string")
        for part in rest:
            value = value.str.cat(parts[part].astype("string"), sep="|")  # null if either is null
        counts = value.map(value.value_counts())
        blocks[column] = value.where(counts <= MAX_BLOCK_ROWS).astype(object)
    pairs = pd.Series(
        [
            [] if p is None or c is None else _person_pairs(p, c)
            for p, c in zip(keys["person"], keys["city"], strict=True)
        ],
        index=keys.index,
        dtype=object,
    )
    counts = pairs.explode().value_counts()
    common = set(counts.index[counts > MAX_BLOCK_ROWS])
    frame = pd.DataFrame(blocks, index=keys.index)
    frame = frame.where(frame.notna(), None)
    frame[PERSON_BLOCKING] = pairs.map(lambda keys_: [key for key in keys_ if key not in common] or None)
    return frame


def score_pairs(keys: pd.DataFrame, self_pairs: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(matches, conflicts) among the rows of `keys` (`uid` and the `KEY_COLUMNS`).

    `matches` (`uid_l`, `uid_r`, `match_weight`) are the candidate pairs scoring at least
    `THRESHOLD_MATCH_WEIGHT`. `conflicts` (`uid_l`, `uid_r`) are the other candidate pairs whose names say two
    businesses (`NAMES_CONFLICT`), for clustering to keep apart what a chain of matches would otherwise join.

    `self_pairs` (bool, aligned with `keys`) asks for a row to be scored against itself as well: `clusters.py`
    hands over each distinct row once and needs to know whether its identical copies match one another. A
    self-pair is scored only when some blocking rule would have paired the two copies (a row with no blocking key
    is compared with nothing, not even its twin).
    """
    blocks = blocking_keys(keys)
    table = pd.concat([keys[[UID, *KEY_COLUMNS]], blocks], axis=1)
    same_key_blocks = blocks.drop(columns=list(dict(CROSS_BLOCKING)))
    twins = keys.loc[self_pairs.to_numpy() & same_key_blocks.notna().any(axis=1).to_numpy(), UID]
    connection = duckdb.connect()
    try:
        db_api = DuckDBAPI(connection)
        linker = Linker(db_api.register(table, table_name="records"), _settings(), log_level=None)
        blocked = linker.inference.compute_blocked_pairs_for_predict()
        connection.register("twins", pd.DataFrame({UID: twins.to_numpy()}))
        connection.execute(
            f"create table blocked_with_twins as select match_key, join_key_l, join_key_r from {blocked.physical_name}"
            f" union all select '-1', {UID}, {UID} from twins"
        )
        linker.table_management.register_blocked_pairs_for_predict(db_api.register("blocked_with_twins"))
        predictions = linker.inference.predict(threshold_match_weight=THRESHOLD_MATCH_WEIGHT, warning_mode="never")
        matches = predictions.as_duckdbpyrelation().select(f"{UID}_l, {UID}_r, match_weight")
        connection.register("names", keys[[UID, *NAME_COLUMNS]])
        side = {s: ", ".join(f"{column} as {column}_{s}" for column in (UID, *NAME_COLUMNS)) for s in "lr"}
        conflicts = connection.sql(
            f"""
            select {UID}_l, {UID}_r
            from (select join_key_l as {UID}_l, join_key_r as {UID}_r from {blocked.physical_name}) as pairs
            join (select {side["l"]} from names) using ({UID}_l)
            join (select {side["r"]} from names) using ({UID}_r)
            anti join {predictions.physical_name} as matched using ({UID}_l, {UID}_r)
            where {NAMES_CONFLICT}
            """
        )
        return matches.df(), conflicts.df()
    finally:
        connection.close()
