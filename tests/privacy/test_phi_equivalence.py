"""The shortcuts of the PHI screen skip only work that could not have found anything.

Each detector is skipped when its text lacks something every match needs (enough ASCII digits, "@", a month
name, "lives"/"resides", ...). For every such skip, the skipped pattern or function is run anyway on the
evaluation texts, their mutations (case changes, the characters re.IGNORECASE folds onto ASCII letters,
inserted digits and punctuation) and random text, and must find nothing. The ASCII shortcuts of `fold` and
`caseless` and the simpler word regex are checked against their plain definitions.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import pytest

from server.privacy import phi_dates, phi_numbers, phi_places, phi_text, phi_web
from server.privacy.phi_text import caseless, fold

HERE = Path(__file__).parent
IGNORECASE_EXTRAS = {"i": "İı", "s": "ſ", "k": "K"}
NOISE = [*"0123456789", *"0123456789", *"-/.:@#()[],;!?'’ \n\t", "İ", "ı", "ſ", "K", "é", "ß", "１", "٣",
         "born ", "DOB ", "lives in ", "from ", "Room ", "dot ", "www.", "://", "May 3", "90", "101", "Christmas Day",
         "ab:cd:ef:01:23:45", "fe80::1", "10.0.0.1", "12 Main Street", "PO Box 12", "M5V 2T6", "NY 10001", "nineties",
         "centenarian", "lives on Elm Street", "grew up in Oakville", "Lou from Guelph", "a Scarborough man",
         "j.doe@example.com", "jo dot doe at gmail dot com", "bit.ly/x", "3/4/2021", "12.03.2024", "2024-03-12",
         "anna.ſite/u/12345", "x.ıo/p/12345"]


def _mutate(text: str, rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.25:
        return rng.choice([text.upper(), text.lower(), text.swapcase()])
    if kind < 0.5:  # characters that re.IGNORECASE matches to ASCII letters
        return "".join(rng.choice(IGNORECASE_EXTRAS[ch.lower()]) if ch.lower() in IGNORECASE_EXTRAS
                       and rng.random() < 0.5 else ch for ch in text)
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(text) + 1)
        text = text[:at] + rng.choice(NOISE) + text[at:]
    return text


@cache
def corpus() -> tuple[str, ...]:
    paths = sorted(HERE.glob("phi_eval*.jsonl")) + sorted((HERE.parent / "triage").glob("triage_eval*.jsonl"))
    base = [
        json.loads(line)["text"]
        for path in paths
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    rng = random.Random(11)
    out = list(base)
    out += [_mutate(rng.choice(base), rng) for _ in range(4000)]
    out += ["".join(rng.choice(NOISE + list("abcxyzABC")) for _ in range(rng.randint(0, 40))) for _ in range(1500)]
    return tuple(out)


def _digits(text: str) -> int:
    return sum(ch in "0123456789" for ch in text)


def _found(pattern: re.Pattern[str]) -> Callable[[str], list[str]]:
    return lambda text: [m.group() for m in pattern.finditer(text)]


def _ages_over_89(text: str) -> list[str]:
    return [m.group() for p in phi_dates._AGE_PATTERNS for m in p.finditer(text) if 90 <= int(m.group("n")) <= 130]


def _skips(text: str) -> Iterator[tuple[str, bool, Callable[[str], object]]]:
    """(what, is it skipped for this text, the skipped work)."""
    n, digit, folded = _digits(text), _digits(text) > 0, caseless(text)
    yield "phones", n < 7, phi_numbers._phones
    yield "SSNs", n < 9, phi_numbers._ssns
    yield "labelled ids", n < 1, phi_numbers._labelled_ids
    yield "long numbers", n < 5, lambda t: [h for h in phi_numbers._generic_ids(t) if "MAC" not in h.finding.reason]
    yield "MAC", ":" not in text and "-" not in text, _found(phi_numbers._MAC)
    yield "IPv4", n < 4, _found(phi_numbers._IPV4)
    yield "IPv6", ":" not in text, _found(phi_numbers._IPV6)
    possible = phi_dates._possible_date_patterns(text, digit)
    for i, pattern in enumerate(phi_dates._DATE_PATTERNS):
        yield f"date pattern {i}", pattern not in possible, _found(pattern)
    yield "short date", not (digit and "/" in text), _found(phi_dates._SHORT_NUMERIC)
    birth = digit and any(w in folded for w in ("born", "birth", "dob"))
    yield "birth year", not birth, _found(phi_dates._BIRTH_YEAR)
    number = phi_dates._AGE_NUMBER.search(text) is not None
    yield "ages", not number, _ages_over_89
    age_words = number or any(w in folded for w in ("nineties", "enarian"))
    yield "age words", not age_words, _found(phi_dates._AGE_WORDS)
    for name in ("_STREET", "_PO_BOX", "_ROOM"):
        yield name, not digit, _found(getattr(phi_places, name))
    yield "postal codes", not digit, phi_places._postal_codes
    yield "street without number", not any(w in folded for w in ("liv", "resid", "home")), \
        _found(phi_places._STREET_NO_NUMBER)
    upper = re.search("[A-Z]", text) is not None
    residence = any(w in folded for w in phi_places._RESIDENCE_WORDS)
    yield "residence", not (upper and residence), _found(phi_places._RESIDENCE_CUE)
    yield "person from", not (upper and "from" in text), _found(phi_places._PERSON_FROM)
    yield "demonym", not upper, _found(phi_places._DEMONYM_PERSON)
    yield "email", "@" not in text, _found(phi_web._EMAIL)
    yield "obfuscated email", "dot" not in folded, _found(phi_web._OBFUSCATED_EMAIL)
    yield "URL", phi_web._URL_HINT.search(text) is None, _found(phi_web._URL)


def test_skipped_work_finds_nothing() -> None:
    skipped_and_checked: dict[str, int] = {}
    ran_and_found: dict[str, int] = {}
    for text in corpus():
        for what, skipped, work in _skips(text):
            if skipped:
                assert not work(text), (what, text)
                skipped_and_checked[what] = skipped_and_checked.get(what, 0) + 1
            elif work(text):
                ran_and_found[what] = ran_and_found.get(what, 0) + 1
    for what in skipped_and_checked:  # each check saw both kinds of text
        assert skipped_and_checked[what] > 100 and ran_and_found.get(what, 0) > 0, what


def test_caseless_keeps_every_ignorecase_match_of_an_ascii_letter() -> None:
    letters = re.compile("[a-z]", re.IGNORECASE)
    for code in range(0x110000):
        ch = chr(code)
        assert len(caseless(ch)) == 1, hex(code)
        if letters.fullmatch(ch):
            matched = [a for a in "abcdefghijklmnopqrstuvwxyz" if re.fullmatch(a, ch, re.IGNORECASE)]
            assert matched == [caseless(ch)], hex(code)


def _fold_plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def test_fold_and_words_equal_their_plain_definitions() -> None:
    old_word = re.compile(r"[^\W\d_](?:[^\W\d_]|['’\-](?=[^\W\d_]))*")
    rng = random.Random(5)
    pieces = ["a", "B", "é", "'", "’", "-", "--", "_", "1", " ", "O'Brien", "x-y", "ß", "ǅ"]
    texts = list(corpus()) + ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    for text in texts:
        assert [m.span() for m in phi_text._WORD_RE.finditer(text)] == [m.span() for m in old_word.finditer(text)]
        for word in text.split():
            assert fold(word) == _fold_plain(word)


@pytest.mark.parametrize("text", ["Mr. Smith, 94, lives in Oakville.", "call 416-555-0199", "Born 1931."])
def test_screen_still_finds_things(text: str) -> None:
    from server.privacy.phi import screen_text

    assert screen_text(text)
