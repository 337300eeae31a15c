"""Question normalisation for near-duplicate grouping: casefold, stopwords, crude stemming, synonyms.

A question becomes a small weighted set of terms. Synonyms map to concept terms prefixed with `~`
(`~duration`, `~risk`, ...). Terms that every question in a live-surgery event shares (the operation,
the heart, the patient, the team) are *context* and weigh little, so "how long does it take" and "how
long is the surgery" come out nearly identical while "how long is recovery" does not.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

CONTEXT_WEIGHT: Final = 0.3
NUMBER_WEIGHT: Final = 0.5
TERM_WEIGHT: Final = 1.0

STOPWORDS: frozenset[str] = frozenset("""
a an the is are was were be been being am do does did doing done how what whats why when where who whos
which whom can could would should will shall may might must it its itself this that these those there
theres they them their theyre he she him her his hers hes shes i im ive id me my mine we us our ours you
your youre u ur of in on at to for from by with about into onto during after before over under and or
but if so than then just really usually typically generally normally actually please thanks thank hi
hello hey guys anyone anybody someone know tell question questions ask asking wondering wonder curious
much many some any all each every also too very quite pretty get gets got getting go goes going gone
use used using make makes made like kind sort thing things there here now still ever even again ok okay
lol omg dr doc one ones out up down off not no yes yeah whether other another way until exactly right
currently today show wear come need want have has had happen see look keep put give mean call called
""".split())

# Concept synonyms: surface word or crude stem -> concept term.
_CONCEPTS: dict[str, tuple[str, ...]] = {
    "~duration": ("long", "longer", "duration", "take", "took", "tak", "time", "hour", "hr", "hrs", "minute",
                  "min", "mins", "length", "lengthy", "last", "year", "week", "quick", "fast"),
    "~surgery": ("surgery", "surgeri", "operation", "operat", "operate", "op", "procedure", "procedur",
                 "bypass", "cabg", "surgical", "open"),
    "~heart": ("heart", "cardiac", "cardio"),
    "~patient": ("patient", "man", "guy", "woman", "lady", "person", "gentleman"),
    "~staff": ("surgeon", "doctor", "team", "staff", "nurse", "physician", "resident"),
    "~recovery": ("recovery", "recover", "recoveri", "recuperate", "recuperat", "heal", "rehab",
                  "rehabilitation", "discharge", "discharg", "home", "convalescence"),
    "~risk": ("risk", "risky", "danger", "dangerous", "safe", "safety", "complication", "chance", "odd",
              "mortality", "survival", "surviv", "survive", "die", "death", "dy", "dying", "fatal", "success",
              "successful", "failure", "fail", "deadly"),
    "~cost": ("cost", "price", "expensive", "cheap", "pay", "paid", "money", "insurance", "afford",
              "dollar", "bill", "charge", "cover", "fee", "free"),
    "~anesthesia": ("anesthesia", "anaesthesia", "anesthetic", "anaesthetic", "anesthetist", "anaesthetist",
                    "anesthesiologist", "sedate", "sedat", "sedation", "intubat", "intubate", "general"),
    "~conscious": ("awake", "asleep", "conscious", "unconscious", "sleep", "wake", "aware"),
    "~pain": ("pain", "painful", "hurt", "sore", "ache"),
    "~scar": ("scar", "incision", "cut", "wound", "stitch", "suture"),
    "~pump": ("machine", "pump", "perfusion", "perfusionist", "lung"),
    "~vein": ("vein", "saphenous"),
    "~artery": ("artery", "arteri", "mammary", "radial", "lad", "coronary"),
    "~graft": ("graft",),
    "~stop": ("stop", "arrest", "still"),
    "~restart": ("restart", "shock", "defibrillat", "defibrillate", "beat", "beating"),
    "~music": ("music", "song", "playlist", "play"),
    "~camera": ("camera", "cam", "helmet", "film", "video", "stream", "livestream", "record"),
    "~age": ("old", "age", "aged", "young", "elderly", "older"),
    "~blood": ("blood", "bleed", "bleeding", "transfusion"),
    "~vest": ("vest", "cool", "cooling"),
}
CONTEXT_TERMS: frozenset[str] = frozenset({"~surgery", "~heart", "~patient", "~staff"})
SYNONYMS: dict[str, str] = {word: concept for concept, words in _CONCEPTS.items() for word in words}

_TYPOS: dict[str, str] = {
    "surgury": "surgery", "sugery": "surgery", "surgey": "surgery", "opperation": "operation",
    "anesthesia": "anesthesia", "anestesia": "anesthesia", "reccovery": "recovery", "recovry": "recovery",
    "hw": "how", "wht": "what", "wat": "what", "lng": "long", "hrs": "hours", "u": "you", "r": "are",
}
_NON_WORD = re.compile(r"[^a-z0-9]+")


def stem(word: str) -> str:
    """Strip common English suffixes crudely (hours->hour, stopped->stop, surgeries->surgeri)."""
    w = word
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    for suffix, min_len in (("ing", 6), ("ed", 5)):
        if len(w) >= min_len and w.endswith(suffix):
            w = w[: -len(suffix)]
            if len(w) > 2 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]
            return w
    if len(w) > 4 and w.endswith(("ches", "shes", "xes", "sses")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    if len(w) > 5 and w.endswith("ly"):
        return w[:-2]
    return w


def tokens(text: str) -> list[str]:
    """Return casefolded ASCII word tokens with apostrophes removed and typos repaired."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("'", "").replace("\u2019", "")
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))
    return [_TYPOS.get(t, t) for t in _NON_WORD.split(folded) if t]


def term_of(token: str) -> str | None:
    """Map one token to its grouping term (concept, stem or number), or None for a stopword."""
    if token in STOPWORDS:
        return None
    if token.isdigit():
        return token
    concept = SYNONYMS.get(token)
    if concept is not None:
        return concept
    stemmed = stem(token)
    if stemmed in STOPWORDS or len(stemmed) < 2:
        return None
    return SYNONYMS.get(stemmed, stemmed)


def term_weight(term: str) -> float:
    """Return the weight of a term: context terms and numbers count less than topic terms."""
    if term in CONTEXT_TERMS:
        return CONTEXT_WEIGHT
    if term.isdigit():
        return NUMBER_WEIGHT
    return TERM_WEIGHT


def features(text: str) -> dict[str, float]:
    """Return the weighted term set of a question (term -> weight)."""
    out: dict[str, float] = {}
    for tok in tokens(text):
        term = term_of(tok)
        if term is not None:
            out[term] = term_weight(term)
    return out
