"""Text normalisation for question triage: casefold, emoji to words, typo repair, clause tokens.

The output is a single string of lowercase ASCII-ish tokens separated by single spaces, with
`.` tokens marking clause boundaries, so the cue regexes in `triage_cues` stay simple.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from server.triage.triage_prefilter import guarded

# Emoji (and a few symbols) that carry meaning for triage, mapped to words.
EMOJI_WORDS: dict[str, str] = {
    "🙏": "pray", "❤": "love", "♥": "love", "💕": "love", "💖": "love", "💗": "love", "💙": "love",
    "😍": "love", "🥰": "love", "👏": "applause", "💪": "strong", "🎉": "celebrate", "👍": "good",
    "🤞": "fingers crossed", "😂": "lol", "🤣": "lol", "😢": "sad", "😭": "sad", "💔": "sad",
    "😰": "scared", "😨": "scared", "😱": "scared", "😟": "worried", "🆘": "help emergency",
    "🚑": "ambulance", "😡": "angry", "🤬": "angry fuck", "🖕": "fuck you", "💩": "crap",
    "🤡": "clown", "💰": "money", "💸": "money", "🤑": "money", "💵": "money", "🚀": "rocket",
    "📈": "gains", "💎": "gems", "🔗": "link", "💊": "pills", "🔪": "knife", "🩸": "blood",
    "🪢": "rope", "🫀": "heart", "🔥": "fire", "🤯": "wow", "😮": "wow", "😲": "wow",
}

# Whole-token repairs: chat slang and common misspellings of words that matter for triage.
TYPO_MAP: dict[str, str] = {
    "u": "you", "ur": "your", "youre": "you are", "r": "are", "pls": "please", "plz": "please",
    "rn": "right now", "atm": "at the moment", "wht": "what", "wat": "what", "wut": "what",
    "hw": "how", "dr": "doctor", "doc": "doctor", "bc": "because", "cuz": "because",
    "gonna": "going to", "wanna": "want to", "gotta": "got to", "tho": "though", "thx": "thanks",
    "ty": "thanks", "hart": "heart", "attak": "attack", "atack": "attack", "attac": "attack",
    "brethe": "breathe", "breth": "breath", "brething": "breathing", "breating": "breathing",
    "breathin": "breathing", "chst": "chest", "chets": "chest", "chesst": "chest", "pils": "pills",
    "pil": "pill", "tabs": "tablets", "kil": "kill", "myslef": "myself",
    "mysef": "myself", "mysel": "myself", "selfharm": "self harm", "painfull": "painful",
    "dieing": "dying", "ambulence": "ambulance", "dunno": "dont know", "idk": "i dont know",
    "stoke": "stroke", "strok": "stroke", "siezure": "seizure", "seizur": "seizure",
    "unconcious": "unconscious", "anaesthesia": "anesthesia",
    "bleedin": "bleeding", "hurtin": "hurting", "numbb": "numb", "dizy": "dizzy", "soo": "so",
    "tooo": "too", "sooo": "so", "pleease": "please", "helpp": "help", "halp": "help",
    "surgury": "surgery", "sugery": "surgery", "surgey": "surgery", "opperation": "operation",
    "mum": "mom", "mommy": "mom", "mama": "mom", "papa": "dad", "daddy": "dad",
}

# Words worth repairing by edit distance 1 (length >= 5 only), and real words never to "repair".
FUZZY_VOCAB: tuple[str, ...] = (
    "chest", "breathe", "breathing", "suicide", "suicidal", "overdose", "overdosed",
    "unconscious", "unresponsive", "seizure", "bleeding", "ambulance", "emergency", "drooping",
    "slurred", "slurring", "tightness", "swallowed", "myself", "collapsed", "choking", "pressure",
    "crushing", "numbness", "attack", "stroke", "dizzy", "faint", "killing",
)
FUZZY_KEEP: frozenset[str] = frozenset({
    "chess", "crest", "breach", "breeding", "heard", "strike", "strokes", "attach", "dizzy",
    "feint", "faith", "paint", "saint", "point", "stoke", "myself", "chests", "cheers", "collapse",
    "choice", "choose", "speeding", "feeding", "reading", "leading", "sliding", "breathed",
    "breathes", "breathy", "skilling", "filling", "billing", "willing", "milling", "attacks",
    "stroked", "cooking", "brushing", "crashing", "rushing", "lightness", "blurred", "blurring",
    "dropping", "fizzy", "presume",
})

# Linear-time URL detection: candidate dotted chunks start only at a chunk boundary (possessive
# quantifiers, no backtracking), and the TLD is checked in Python.
_TLDS: frozenset[str] = frozenset(
    "com net org io co biz ly me xyz info shop store app gg tv link click site online top academy win "
    "live club pro ai us uk ca de fr es it ru cn in eu ws cc to tk ml ga cf fun vip bet cash money health "
    "care clinic".split()
)
_URL_RE = re.compile(
    r"(?:https?://|www\.)\S++|\bdot com\b|(?<![\w.-])[\w-]++(?:\.[\w-]++)++(?:/\S*+)?"
)
_OBFUSCATED_DOT_RE = re.compile(r"\s?[(\[{]\s?(?:\.|dot)\s?[)\]}]\s?")
_TICKER_RE = re.compile(r"(?<!\w)\$[a-z]{2,6}\b")
_HANDLE_RE = re.compile(r"(?<!\w)@\w+")
_PHONE_RE = re.compile(r"\+\d[\d\s().-]{6,}\d")
_MONEY_RE = re.compile(
    r"[$€£]{2,}|[$€£]\s?\d[\d,.]*+k?|(?<![\d,.])\d[\d,.]*+\s?(?:\$|usd|dollars|bucks|k a (?:day|week|month))"
)
_PERCENT_RE = re.compile(r"(\d)\s?%")
_CENSORED = (
    (re.compile(r"\bf[*#@!$%]+(?:c?k(?:ing|ed|er)?)?"), " fuck "),
    (re.compile(r"\bsh[*#@!$%]+t\b"), " shit "),
    (re.compile(r"\bb[*#@!$%]+(?:tch|ch|h)\b"), " bitch "),
    (re.compile(r"\ba[*#@!$%]+(?:hole|s)\b"), " asshole "),
)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
_ELONGATION_RE = re.compile(r"([a-z])\1{2,}")
_BOUNDARY_RE = re.compile(r"[.!?;,:\n\r…→|]+")
_NON_WORD_RE = re.compile(r"[^a-z0-9. ]+")
_SPACE_RE = re.compile(r"\s+")
# Characters or words every match of a substitution needs; without them the substitution is skipped.
_MONEY_MARKS = ("$", "€", "£", "usd", "dollars", "bucks", "k a ")
_CENSOR_MARKS = tuple("*#@!$%")
_EMOJI_TABLE = str.maketrans({ch: f" {word} " for ch, word in EMOJI_WORDS.items()})


# Figures of speech that look like symptoms; removed before emergency checks.
IDIOMS = guarded(
    r"\b(my )?jaw (is |was |just )?(on the floor|dropped|hit the floor)\b|\bheart (skipped|skips) a beat\b|"
    r"\bdying to (know|see|hear|find out|watch|ask|try|meet)\b|\b(this|it|that|the suspense|the wait|"
    r"waiting) is "
    r"killing me\b|\bto die for\b|\bdead (tired|serious)\b|\bheart (is )?in my (throat|mouth)\b|\bdrop dead "
    r"gorgeous\b|\b(id|i would|i could|i will|ill|i) (literally |just )?die (of|from) (\w+ )?(nerves|"
    r"embarrassment|"
    r"laughter|laughing|shame|cuteness|stress|excitement|suspense)\b|\b(cant|can not|cannot) take (this|the|"
    r"all "
    r"this) (suspense|tension|excitement|cuteness|stress|drama)\b"
)


@dataclass(frozen=True)
class Normalized:
    """A message after normalisation: token string plus surface features used by cue scoring."""

    text: str
    raw: str
    has_question_mark: bool
    has_exclamation: bool
    url_count: int
    emoji_only: bool


def _fold(raw: str) -> str:
    """Apply NFKC, casefold and apostrophe unification."""
    return unicodedata.normalize("NFKC", raw).casefold().translate(_APOSTROPHES)


def _replace_emoji(text: str) -> str:
    """Replace meaningful emoji with words; other symbols become spaces later."""
    return text if text.isascii() else text.translate(_EMOJI_TABLE)


def _is_emoji_only(raw: str) -> bool:
    """Return True if the message has symbols but no letters or digits at all."""
    # No character is both whitespace and alphanumeric, so the spaces need not be stripped first.
    return bool(raw) and not raw.isspace() and not any(ch.isalnum() for ch in raw)


def _strip_accents(text: str) -> str:
    """Decompose (NFKD) and drop combining marks; ASCII text has neither."""
    if text.isascii():
        return text
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def damerau1(a: str, b: str) -> bool:
    """Return True if a and b are within one edit (insert, delete, substitute, transpose)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1:] == b[i + 1:]:
            return True
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2:] == b[i + 2:]
    if la > lb:
        return a[i + 1:] == b[i:]
    return a[i:] == b[i + 1:]


# Words people stretch ("dieeee", "helppp"): collapse a stretched letter to one if that gives one of these.
STRETCHED_WORDS: frozenset[str] = frozenset(
    "die dying dead help pain hurt hurts kill now please so no yes sad scared love god wow omg lol fuck "
    "bad cant breathe chest heart sorry done stop".split()
)


def unstretch(tok: str) -> str:
    """Collapse runs of 3+ equal letters: to one letter if that is a known word, else to two."""
    if _ELONGATION_RE.search(tok) is None:
        return tok
    single = _ELONGATION_RE.sub(r"\1", tok)
    return single if single in STRETCHED_WORDS else _ELONGATION_RE.sub(r"\1\1", tok)


def _one_edit(word: str) -> set[str]:
    """Return every [a-z] string one insertion, deletion, substitution or transposition away from word."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    out = {word}
    for i in range(len(word) + 1):
        out.update(word[:i] + c + word[i:] for c in letters)
        if i < len(word):
            out.add(word[:i] + word[i + 1 :])
            out.update(word[:i] + c + word[i + 1 :] for c in letters)
        if i + 1 < len(word):
            out.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    return out


def _near_misses() -> dict[str, str]:
    """Map every [a-z] string within one edit (damerau1) of a FUZZY_VOCAB word to the first such word."""
    table: dict[str, str] = {}
    for word in FUZZY_VOCAB:
        for variant in _one_edit(word):
            if variant not in table and damerau1(variant, word):
                table[variant] = word
    return table


_NEAR_MISSES = _near_misses()  # ~12,000 strings, built in ~15 ms
_FUZZY_WORDS = frozenset(FUZZY_VOCAB)


def repair_token(tok: str) -> str:
    """Map slang/typos to canonical words; fix near-misses of safety-critical words."""
    mapped = TYPO_MAP.get(tok)
    if mapped is not None:
        return mapped
    if len(tok) < 5 or tok in FUZZY_KEEP or tok in _FUZZY_WORDS or not tok.isalpha():
        return tok
    if tok.isascii() and tok.islower():  # [a-z] only: the table holds every string within one edit
        return _NEAR_MISSES.get(tok, tok)
    for word in FUZZY_VOCAB:
        if damerau1(tok, word):
            return word
    return tok


def normalize(raw: str) -> Normalized:
    """Normalise a raw audience message into space-separated tokens with `.` clause marks.

    Each substitution below runs only when the text has a character or word its pattern needs.
    """
    folded = _fold(raw)
    if "(" in folded or "[" in folded or "{" in folded:
        folded = _OBFUSCATED_DOT_RE.sub(".", folded)
    urls = 0

    def _url(m: re.Match[str]) -> str:
        nonlocal urls
        chunk = m.group(0)
        if chunk.startswith(("http", "www.")) or chunk == "dot com":
            urls += 1
            return " urltoken "
        host = chunk.split("/", 1)[0]
        if host.rsplit(".", 1)[-1] in _TLDS:
            urls += 1
            return " urltoken "
        return chunk

    text = folded
    if "." in text or "://" in text or "dot com" in text:
        text = _URL_RE.sub(_url, text)
    url_count = urls
    if "+" in text:
        text = _PHONE_RE.sub(" phonenumber ", text)
    if "@" in text:
        text = _HANDLE_RE.sub(" atmention ", text)
    if any(mark in text for mark in _MONEY_MARKS):
        text = _MONEY_RE.sub(" moneyamount ", text)
    if "$" in text:
        text = _TICKER_RE.sub(" cryptoticker ", text)
    if "%" in text:
        text = _PERCENT_RE.sub(r"\1 percent ", text)
    if any(mark in text for mark in _CENSOR_MARKS):
        for pattern, repl in _CENSORED:
            text = pattern.sub(repl, text)
    text = _replace_emoji(text)
    text = text.replace("'", "")
    text = _BOUNDARY_RE.sub(" . ", text)
    text = _strip_accents(text)
    text = _NON_WORD_RE.sub(" ", text)  # only [a-z0-9. ] is left, so str.split() finds the tokens
    stretched = _ELONGATION_RE.search(text) is not None
    tokens: list[str] = []
    for tok in text.split():
        if not tok.strip("."):
            if tokens and tokens[-1] != ".":
                tokens.append(".")
            continue
        tok = tok.strip(".")
        tokens.extend(repair_token(unstretch(tok) if stretched else tok).split())
    while tokens and tokens[0] == ".":
        tokens.pop(0)
    while tokens and tokens[-1] == ".":
        tokens.pop()
    joined = " ".join(tokens)  # single spaces already; only removing an idiom can leave extra ones
    if IDIOMS.may_match(joined):
        joined = _SPACE_RE.sub(" ", IDIOMS.sub(" ", joined)).strip()
    return Normalized(
        text=joined,
        raw=raw,
        has_question_mark="?" in raw or "？" in raw,
        has_exclamation="!" in raw,
        url_count=url_count,
        emoji_only=_is_emoji_only(raw),
    )
