"""The fast paths of triage give exactly what the plain computations give.

- `triage_prefilter` skips a regex only when it cannot match: checked on random regexes and texts, and for
  every registered triage pattern on the evaluation messages, their mutations and random text;
- `find_hits` with the pre-check equals the plain loop over every cue;
- `normalize` (guarded substitutions, emoji table, ASCII shortcuts, typo table) equals the reference
  implementation kept below.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest

from server.triage import triage_cues, triage_emergency
from server.triage.triage_cues import Cue, Hit, find_hits, is_negated
from server.triage.triage_prefilter import PREFILTER, Prefilter, requirement
from server.triage.triage_text import (
    _BOUNDARY_RE,
    _CENSORED,
    _HANDLE_RE,
    _MONEY_RE,
    _NON_WORD_RE,
    _OBFUSCATED_DOT_RE,
    _PERCENT_RE,
    _PHONE_RE,
    _SPACE_RE,
    _TICKER_RE,
    _TLDS,
    _URL_RE,
    EMOJI_WORDS,
    FUZZY_KEEP,
    FUZZY_VOCAB,
    IDIOMS,
    TYPO_MAP,
    Normalized,
    _fold,
    damerau1,
    normalize,
    repair_token,
    unstretch,
)

HERE = Path(__file__).parent
CUE_GROUPS: tuple[tuple[Cue, ...], ...] = (
    triage_emergency.SELF_HARM_CUES, triage_emergency.OVERDOSE_CUES, triage_emergency.ACUTE_CUES,
    triage_emergency.SYMPTOM_CUES, triage_cues.SPAM_CUES, triage_cues.ABUSE_CUES, triage_cues.OWN_CASE_CUES,
    triage_cues.RELATIVE_CUES, triage_cues.COMMENT_CUES, triage_cues.QUESTION_CUES,
)
NOISE = list("🙏❤🆘🚑🤬💊🔪🩸😂？！…→|’‘`´·—-_/\\@#$€£%&*()[]{}<>\"'.,;:!?\n\t ") + [
    "İ", "ı", "ſ", "K", "ß", "ﬁ", "é", "e\u0301", "１２", "ǅ", "\u200b", "\u00a0", "ΐ", "ς", "Å",
]


@cache
def corpus() -> tuple[str, ...]:
    """Evaluation messages, plus deterministic mutations and random text."""
    base = [
        json.loads(line)["text"]
        for path in sorted(HERE.glob("triage_eval*.jsonl")) + sorted((HERE.parent / "privacy").glob("phi_eval*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    rng = random.Random(20240611)
    words = [w for text in base for w in text.split()]
    out = list(base)
    for _ in range(3000):
        kind = rng.random()
        if kind < 0.4:
            text = " ".join(rng.choice(words) if rng.random() < 0.85 else rng.choice(NOISE)
                            for _ in range(rng.randint(1, 30)))
        elif kind < 0.6:
            text = rng.choice(base)
            text = rng.choice([text.upper(), text.lower(), text.title(), text.replace(" ", ""), text])
        elif kind < 0.8:
            text = rng.choice(base)
            for _ in range(rng.randint(1, 4)):
                at = rng.randrange(len(text) + 1)
                text = text[:at] + rng.choice(NOISE) + text[at:]
        else:
            ranges = ((32, 126), (0xA0, 0x2FF), (0x1F300, 0x1F64F))
            text = "".join(chr(rng.randint(*rng.choice(ranges))) for _ in range(rng.randint(0, 80)))
        out.append(text)
    return tuple(out)


@cache
def normalized_corpus() -> tuple[str, ...]:
    return tuple(normalize(text).text for text in corpus())


# --- the analysis on its own ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "keys"),
    [
        (r"\bkill myself\b", {("w", "kill")}),
        (r"\b(kms|suicid\w*)\b", {("w", "kms"), ("p", "sui")}),
        (r"\b(took|ate) (\w+ ){0,2}pills\b", {("w", "pills")}),
        (r"heart", {("s", "heart")}),
        (r"\bheart attack\b|\bstroke\b", {("w", "heart"), ("w", "stroke")}),
    ],
)
def test_requirement_examples(pattern: str, keys: set[tuple[str, str]]) -> None:
    assert requirement(re.compile(pattern)) == keys


@pytest.mark.parametrize(
    "pattern",
    [r"(?i)\bheart\b", r"\b(?i:heart)\b", r"(a)\1", r"(?a)\bheart\b", r"\w+", r"(ab|\w*)"],
)
def test_requirement_gives_up_when_unsure(pattern: str) -> None:
    assert requirement(re.compile(pattern)) is None


_ATOMS = ["a", "b", "abc", "bca", "cab", "abcd", "éab", "ab_", "1ab", " ", r"\.", r"\b", r"\B", "^", "$", r"\w",
          r"\d", r"\s", ".", "[ab]", "[^a]", "[ a]", r"\A", r"\Z"]


def _random_regex(rng: random.Random, depth: int = 0) -> str:
    parts = []
    for _ in range(rng.randint(1, 4)):
        choice = rng.random()
        if choice < 0.55 or depth > 2:
            atom = rng.choice(_ATOMS)
        elif choice < 0.75:
            inner = "|".join(_random_regex(rng, depth + 1) for _ in range(rng.randint(1, 3)))
            atom = rng.choice(["({})", "(?:{})", "(?>{})"]).format(inner)
        else:
            atom = rng.choice(["(?={})", "(?!{})", "(?<=a)", "(?<!b)"]).format(_random_regex(rng, depth + 1))
        if not atom.startswith(("(?=", "(?!", "(?<", "^", "$", r"\b", r"\B", r"\A", r"\Z")):
            atom += rng.choice(["", "", "", "?", "*", "+", "{0,2}", "{2}", "{1,3}", "*?", "++", "?+"])
        parts.append(atom)
    return "".join(parts)


def test_prefilter_never_skips_a_match_of_random_regexes() -> None:
    rng = random.Random(7)
    patterns = []
    while len(patterns) < 1500:
        try:
            patterns.append(re.compile(_random_regex(rng)))
        except re.error:
            continue
    prefilter = Prefilter()
    bits = [prefilter.add(p) for p in patterns]
    pieces = ["a", "b", "c", "abc", "bca", "cab", "abcd", " ", " ", ".", "é", "_", "1", "\n", "x"]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 8))) for _ in range(500)]
    assert sum(requirement(p) is not None for p in patterns) > 200  # the analysis does find requirements
    matched = 0
    for text in texts:
        mask = prefilter.mask(text)
        for pattern, bit in zip(patterns, bits, strict=True):
            if pattern.search(text):
                matched += 1
                assert mask >> bit & 1, (pattern.pattern, text, requirement(pattern))
    assert matched > 10_000


def test_prefilter_never_skips_a_match_of_a_triage_pattern() -> None:
    checked = 0
    for text in corpus() + normalized_corpus():
        mask = PREFILTER.mask(text)
        for bit, pattern in enumerate(PREFILTER.patterns):
            if pattern.search(text):
                checked += 1
                assert mask >> bit & 1, (pattern.pattern, text)
    assert checked > 5000


# --- triage functions against their plain definitions -----------------------------------------


def _find_hits_plain(cues: tuple[Cue, ...], text: str) -> list[Hit]:
    hits: list[Hit] = []
    for c in cues:
        for m in c.pattern.finditer(text):
            if c.negatable and is_negated(text, m.start(), m.end(), c.inner_negation):
                continue
            hits.append(Hit(c, m.group(0), m.start()))
            break
    return hits


def test_find_hits_equals_the_plain_loop() -> None:
    for text in normalized_corpus():
        for cues in CUE_GROUPS:
            assert find_hits(cues, text) == _find_hits_plain(cues, text)


def _repair_token_plain(tok: str) -> str:
    mapped = TYPO_MAP.get(tok)
    if mapped is not None:
        return mapped
    if len(tok) < 5 or tok in FUZZY_KEEP or tok in FUZZY_VOCAB or not tok.isalpha():
        return tok
    for word in FUZZY_VOCAB:
        if damerau1(tok, word):
            return word
    return tok


def test_repair_token_equals_the_plain_loop() -> None:
    rng = random.Random(3)
    letters = "abcdefghijklmnopqrstuvwxyz" + "éüAZ"
    tokens = {w for text in normalized_corpus() for w in text.split()}
    for word in (*FUZZY_VOCAB, *FUZZY_KEEP):
        for _ in range(60):
            at = rng.randrange(len(word) + 1)
            edit = rng.choice(["insert", "delete", "replace", "swap", "two"])
            if edit == "insert":
                tokens.add(word[:at] + rng.choice(letters) + word[at:])
            elif edit == "delete":
                tokens.add(word[:at] + word[at + 1 :])
            elif edit == "replace":
                tokens.add(word[:at] + rng.choice(letters) + word[at + 1 :])
            elif edit == "swap" and at + 1 < len(word):
                tokens.add(word[:at] + word[at + 1] + word[at] + word[at + 2 :])
            else:
                tokens.add(word[:at] + rng.choice(letters) + word[at + 2 :])
    for tok in tokens:
        assert repair_token(tok) == _repair_token_plain(tok), tok


def test_no_character_is_both_space_and_alphanumeric() -> None:
    # `_is_emoji_only` relies on it to skip stripping the spaces.
    assert not [c for c in range(0x110000) if chr(c).isspace() and chr(c).isalnum()]


def _normalize_plain(raw: str) -> Normalized:
    """`normalize` as first written: every substitution on every message."""
    folded = _OBFUSCATED_DOT_RE.sub(".", _fold(raw))
    urls = 0

    def _url(m: re.Match[str]) -> str:
        nonlocal urls
        chunk = m.group(0)
        if chunk.startswith(("http", "www.")) or chunk == "dot com":
            urls += 1
            return " urltoken "
        if chunk.split("/", 1)[0].rsplit(".", 1)[-1] in _TLDS:
            urls += 1
            return " urltoken "
        return chunk

    text = _URL_RE.sub(_url, folded)
    url_count = urls
    text = _PHONE_RE.sub(" phonenumber ", text)
    text = _HANDLE_RE.sub(" atmention ", text)
    text = _MONEY_RE.sub(" moneyamount ", text)
    text = _TICKER_RE.sub(" cryptoticker ", text)
    text = _PERCENT_RE.sub(r"\1 percent ", text)
    for pattern, repl in _CENSORED:
        text = pattern.sub(repl, text)
    text = "".join(f" {EMOJI_WORDS[ch]} " if ch in EMOJI_WORDS else ch for ch in text)
    text = text.replace("'", "")
    text = _BOUNDARY_RE.sub(" . ", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _NON_WORD_RE.sub(" ", text)
    tokens: list[str] = []
    for tok in _SPACE_RE.split(text):
        if not tok:
            continue
        if tok == "." or set(tok) == {"."}:
            if tokens and tokens[-1] != ".":
                tokens.append(".")
            continue
        tokens.extend(_repair_token_plain(unstretch(tok.strip("."))).split())
    while tokens and tokens[0] == ".":
        tokens.pop(0)
    while tokens and tokens[-1] == ".":
        tokens.pop()
    joined = _SPACE_RE.sub(" ", IDIOMS.pattern.sub(" ", " ".join(tokens))).strip()
    stripped = [ch for ch in raw if not ch.isspace()]
    return Normalized(
        text=joined,
        raw=raw,
        has_question_mark="?" in raw or "？" in raw,
        has_exclamation="!" in raw,
        url_count=url_count,
        emoji_only=bool(stripped) and not any(ch.isalnum() for ch in stripped),
    )


def test_normalize_equals_the_plain_pipeline() -> None:
    extra = ("", " ", "...", "🙏🙏", "f**k this", "sh!t", "$btc to the moon 100x", "call +1 416 555 0199",
             "50% off at shop(dot)com", "heeeelp im dyinggg", "my jaw dropped", "Ｈｅｌｌｏ？", "café crème")
    for raw in corpus() + extra:
        assert normalize(raw) == _normalize_plain(raw), raw
