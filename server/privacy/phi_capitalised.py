"""Names the context rules of `phi_names` cannot place: unknown capitalised words, file names, "Name:" labels.

- A run of capitalised words inside a sentence that no rule classified (no title, no cue, no staff role) is
  flagged unless every word is allowed: on the event's allow-list (staff directory, the hospital's own names
  and city, consented names), a caption or clinical word, an organisation, a large place (a country, a
  state, a big city). A small town from the gazetteer is flagged as a place. Words opening a sentence are
  capitalised anyway, so there only given names (`phi_names`), towns of two or more words and runs of two or
  more capitalised words that are all unknown (a full name) are flagged.
- Tokens of media file names ("harold_mcintyre_preop.jpg", "IMG_2291_Fitzgerald_Bernard.mp4") are flagged
  unless they are file-name words or allowed: people name photos after the patient.
- Whatever follows a "Name:" or "Patient name:" label is a name, in any case ("NAME: JOHN SMITH").
- A wristband-style "SURNAME, F." or "SURNAME, Given" is a name.
"""

from __future__ import annotations

import re
from typing import Final

from server.privacy.phi_common import (
    CAPTION_WORDS,
    COMPANY_WORDS,
    EPONYM_NOUNS,
    FILE_WORDS,
    NATIONALITIES,
    ORGANISATIONS,
)
from server.privacy.phi_gazetteer import is_large, is_town
from server.privacy.phi_lexicon import HONORIFICS, LARGE_PLACES, ORG_WORDS, PATIENT_CUES, STAFF_TITLES, STOP_WORDS
from server.privacy.phi_text import Word, fold, overlaps
from server.privacy.phi_types import NAME, Hit, hit

PRIORITY: Final = 10
_KNOWN: Final = (STOP_WORDS | STAFF_TITLES | ORG_WORDS | HONORIFICS | PATIENT_CUES | CAPTION_WORDS | ORGANISATIONS
                 | COMPANY_WORDS | NATIONALITIES)
_DISCOVERY_VERBS: Final = frozenset(
    "described invented discovered pioneered developed founded designed introduced published coined".split())
_DEMONYM = re.compile(r"(?:ians|eans|ese)$")
_CLAUSE_START = re.compile(r"(?:^|[.!?:;\"“”‘'(\[\n]|\s[-–—]|^\s*[-•*])\s*$")
_FILE = re.compile(
    r"(?<![\w/.])(?P<stem>[\w\-.]{3,120}?)\.(?:jpe?g|png|gif|heic|heif|webp|tiff?|bmp|mp4|mov|avi|mkv|webm|pdf|"
    r"docx?)\b", re.IGNORECASE)
_FILE_TOKEN = re.compile(r"[^\W\d_]{3,}")
_NAME_LABEL = re.compile(
    r"\b(?:(?:patient(?:'s|’s)?|full|first|last|given|family)\s+)?(?:name|nom|nombre|surname)\s*[:=]\s*"
    r"(?P<name>[^\W\d_][\w'’\-.]*(?:,?\s+[^\W\d_][\w'’\-.]*){0,3})", re.IGNORECASE)
_SURNAME_FIRST = re.compile(r"\b(?P<name>[A-Z][A-Z'’\-]{3,},\s+(?:[A-Z]\.|[A-Z][a-z]+)(?:\s+[A-Z]\.)?)")
_LABEL_STOP = re.compile(r"\s+(?:[a-z]+\s*:|—|-|–)")


def is_clause_start(text: str, start: int) -> bool:
    """True when the word at `start` opens a sentence, clause, quote or list item (capitalised anyway)."""
    return _CLAUSE_START.search(text[max(0, start - 4):start]) is not None


def _known(key: str, allowed: set[str]) -> bool:
    """A word that never names a patient by itself here."""
    return key in _KNOWN or key in allowed or key in LARGE_PLACES or len(key) < 2


def classify_unknown(text: str, toks: list[Word], first: int, last: int, allowed: set[str]) -> tuple[str, str]:
    """Class of a capitalised run no context rule placed: ("patient", reason), ("place", reason) or ("none", "").

    `allowed` holds the folded words of the event's allow-list.
    """
    run = toks[first:last + 1]
    keys = [w.key for w in run]
    phrase = " ".join(w.text for w in run)
    if len(run) >= 2 and is_town(phrase) and not all(_known(k, allowed) for k in keys):
        return "place", "town or village (gazetteer)"
    unknown = [w for w in run if not _known(w.key, allowed)]
    if is_clause_start(text, run[0].start):
        # Opening a sentence, one capitalised word says nothing; two or more words none of which is a known
        # word, an organisation or a large place read as a full name ("Mario Rossi visited the clinic").
        if len(run) >= 2 and len(unknown) == len(run) and not _is_named_thing(toks, first, last) \
                and not any(is_large(w.text) for w in run) and not _shouting(text, run):
            return "patient", "capitalised full name not on the event's allow-list"
        return "none", ""
    if not unknown or _is_named_thing(toks, first, last) or _shouting(text, run):
        return "none", ""
    if is_large(phrase) or all(is_large(w.text) or _DEMONYM.search(w.key) for w in unknown):
        return "none", ""
    if len(run) == 1 and is_town(phrase):
        return "place", "town or village (gazetteer)"
    return "patient", "capitalised name not on the event's allow-list"


def _shouting(text: str, run: list[Word]) -> bool:
    """All-caps words in a message mostly in capitals ("THIS IS AMAZING"): emphasis, not a name."""
    if not all(w.text.isupper() for w in run):
        return False
    letters = [ch for ch in text if ch.isalpha()]
    return sum(ch.isupper() for ch in letters) > len(letters) / 2


def _is_named_thing(toks: list[Word], first: int, last: int) -> bool:
    """An eponym ("the Ross procedure"), a discoverer ("Harvey described ..."), a company ("Edwards Lifesciences")
    or an agency named after a country or a city ("Statistics Canada", "CBC Hamilton"): no patient, no home."""
    after = toks[last + 1].key if last + 1 < len(toks) else ""
    if after in EPONYM_NOUNS or after in _DISCOVERY_VERBS:  # "William Harvey described circulation in 1628"
        return True
    run = toks[first:last + 1]
    return len(run) >= 2 and (run[-1].key in COMPANY_WORDS or is_large(run[-1].text) or run[-1].key in LARGE_PLACES)


def find_file_names(text: str, allowed: set[str]) -> list[Hit]:
    """Tokens of media file names that could be a person's name."""
    if "." not in text:
        return []
    out: list[Hit] = []
    for m in _FILE.finditer(text):
        stem_start = m.start("stem")
        for tok in _FILE_TOKEN.finditer(m.group("stem")):
            key = fold(tok.group())
            if key in FILE_WORDS or key in allowed or key in _KNOWN or key in LARGE_PLACES:
                continue
            start = stem_start + tok.start()
            out.append(hit(NAME, start, start + len(tok.group()), "name-like word in a media file name", PRIORITY))
    return out


def find_labelled_names(text: str) -> list[Hit]:
    """Names after a "Name:" label, and wristband-style "SURNAME, F."."""
    out: list[Hit] = []
    if ":" in text or "=" in text:
        for m in _NAME_LABEL.finditer(text):
            name = m.group("name")
            cut = _LABEL_STOP.search(name)
            name = (name[:cut.start()] if cut else name).rstrip(" ,.;")
            if name and fold(name.split()[0]) not in STOP_WORDS:
                out.append(hit(NAME, m.start("name"), m.start("name") + len(name), "name after a 'Name:' label",
                               PRIORITY + 1))
    for m in _SURNAME_FIRST.finditer(text):
        surname = fold(m.group("name").split(",")[0])
        if surname not in _KNOWN and surname not in LARGE_PLACES:
            out.append(hit(NAME, m.start("name"), m.end("name"), "surname, initial (as on a wristband)", PRIORITY))
    return out


def allowed_words(names: list[str] | tuple[str, ...] | set[str]) -> set[str]:
    """The folded words of allow-list entries."""
    return {fold(w) for name in names for w in re.findall(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*", name)}


def overlapping(h: Hit, spans: list[tuple[int, int]]) -> bool:
    """True when the hit overlaps one of `spans`."""
    return overlaps(h.finding.start, h.finding.end, spans)
