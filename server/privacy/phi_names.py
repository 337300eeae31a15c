"""Person-name detection in context: patients and relatives are flagged, staff names pass.

A run of capitalised words is a candidate name. It is classified by the nearest cue:
- a title Mr./Mrs./Ms./Miss before it: a patient or relative;
- a staff title before it (Dr., nurse, surgeon, perfusionist, "posted by", ...) or a credential or staff
  role in apposition after it ("Anna Lee, RN"; "Brent Creelman, social media lead"): staff, passes;
- a patient cue before it (patient, named, meet, kinship words) or after it ("Kenji's wife", "Lou, 57,",
  "the Patel family", "Diego, the patient's nephew"): a patient or relative;
- a name joined by "and"/"&"/"," to a classified name inherits that class ("nurses Maria and Tom");
- a run holding a common given name from the embedded list is flagged (ambiguous ones like "Grace" or "Will"
  need a following surname);
- otherwise `phi_capitalised.classify_unknown` decides: inside a sentence, a capitalised word that is not
  allowed, not a known caption/organisation word and not a large place is flagged (a small town as a place).
Names in `allow_names` (staff configured on the event) always pass, as do their individual words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from server.privacy.phi_capitalised import classify_unknown
from server.privacy.phi_gazetteer import is_town
from server.privacy.phi_given_names import AMBIGUOUS_GIVEN_NAMES, GIVEN_NAMES
from server.privacy.phi_lexicon import (
    CREDENTIALS,
    CREDIT_VERBS,
    FILLERS,
    HONORIFICS,
    ORG_WORDS,
    PATIENT_CUES,
    POSSESSIVE_PERSON_WORDS,
    STAFF_TITLES,
    STOP_WORDS,
    word_set,
)
from server.privacy.phi_text import Word, fold, overlaps
from server.privacy.phi_types import ADDRESS, NAME, Hit, hit

PRIORITY = 10

_NOT_NAME = STOP_WORDS | STAFF_TITLES | PATIENT_CUES | ORG_WORDS | HONORIFICS
_PARTICLES = word_set("van von de da del della der di du le la bin ibn al el ter ten dos das st")
_PLACE_PREFIXES = word_set("st saint mount mt fort port lake san santa los las el")
_TITLE_ABBREVIATIONS = word_set("dr drs mr mrs ms mx prof st jr sr rev")
_SENTENCE_BREAK = re.compile(r"[.!?]\s|\n|[.!?]$")
_LIST_JOIN = re.compile(r"[\s,]*(?:(?:and|&|or)\s+)?")
_APPOSITION = re.compile(r"\s*(?:,|\(|[-–—]\s)")
_AGE_AFTER = re.compile(r"\s*(?:,\s*|\(\s*)(?:aged?\s*)?\d{1,3}\s*(?:,|\)|-?\s*(?:years?|yrs?)\b)")
_FAMILY_AFTER = re.compile(r"\s+(?:family|families|household|twins|clan|kids)\b", re.IGNORECASE)
# "the Nguyens are grateful": a family named by its plural surname.
_PLURAL_FAMILY = re.compile(
    r"\b[Tt]he\s+(?P<name>[A-Z][a-z'’]+s)\s+(?:are|were|have|had|say|said|send|sent|thank|thanked|want|wanted|"
    r"wish|wished|would|will|asked|told|all|both)\b"
)
_NOT_SURNAME_PLURAL = re.compile(r"(?:ians|ans|eses|ishes)$")
_FORWARD_FILLERS = FILLERS | word_set("who is was will be has been")


class AllowNames:
    """Staff names configured on the event; a candidate passes if all its words are allowed."""

    def __init__(self, names: Iterable[str]) -> None:
        self._full: set[str] = set()
        self._words: set[str] = set()
        for name in names:
            keys = [fold(w) for w in re.findall(r"[^\W\d_][^\W\d_'’\-]*(?:['’\-][^\W\d_]+)*", name)]
            if keys:
                self._full.add(" ".join(keys))
                self._words.update(keys)

    @property
    def words(self) -> set[str]:
        """Every folded word of the allowed names."""
        return self._words

    def allows(self, keys: list[str]) -> bool:
        """True when the candidate (a list of folded words) is an allowed name."""
        return " ".join(keys) in self._full or all(k in self._words for k in keys)


@dataclass(slots=True)
class _Run:
    first: int
    last: int
    honorific: str | None = None


def find_names(text: str, toks: list[Word], allow: AllowNames, blocked: list[tuple[int, int]]) -> list[Hit]:
    """Return name findings for patients and relatives; staff and allowed names pass."""
    hits: list[Hit] = []
    prev: tuple[int, str] | None = None  # (index of the previous run's last word, its class)
    i = 0
    while i < len(toks):
        run = _run_at(text, toks, i, blocked)
        if run is None:
            if _is_blocked(text, toks[i], blocked):
                prev = None
            i += 1
            continue
        cls, reason = _classify(text, toks, run, allow, prev)
        if cls == "patient":
            start = toks[run.first].start
            hits.append(hit(NAME, start, toks[run.last].end, reason, PRIORITY))
        elif cls == "place":
            hits.append(hit(ADDRESS, toks[run.first].start, toks[run.last].end, reason, PRIORITY))
        prev = (run.last, cls) if cls != "org" else None
        i = run.last + 1
    return hits + _plural_families(text, allow, blocked)


def _plural_families(text: str, allow: AllowNames, blocked: list[tuple[int, int]]) -> list[Hit]:
    out: list[Hit] = []
    for m in _PLURAL_FAMILY.finditer(text):
        plural = fold(m.group("name"))
        singular = plural[:-2] if plural.endswith("es") else plural[:-1]
        if _NOT_SURNAME_PLURAL.search(plural) or overlaps(m.start("name"), m.end("name"), blocked):
            continue
        if any(_is_cue_or_stop(k) for k in (plural, singular, plural[:-1])) or allow.allows([singular]):
            continue
        reason = "family named by its surname ('the ...s')"
        out.append(hit(NAME, m.start("name"), m.end("name"), reason, PRIORITY))
    return out


def _is_blocked(text: str, w: Word, blocked: list[tuple[int, int]]) -> bool:
    return (w.start > 0 and text[w.start - 1] in "@#") or (bool(blocked) and overlaps(w.start, w.end, blocked))


def _is_honorific(text: str, w: Word) -> bool:
    if w.key not in HONORIFICS:
        return False
    dotted = w.end < len(text) and text[w.end] == "."
    if w.text.istitle():
        return True
    if not w.text.islower() or w.key == "miss":
        return False
    return dotted or w.key in ("mr", "mrs", "mx")


def _run_at(text: str, toks: list[Word], i: int, blocked: list[tuple[int, int]]) -> _Run | None:
    w = toks[i]
    if _is_blocked(text, w, blocked):
        return None
    if _is_honorific(text, w) and i + 1 < len(toks):
        nxt = toks[i + 1]
        gap = text[w.end : nxt.start]
        ok_case = nxt.is_cap or w.text.islower()
        name_like = ok_case and nxt.key not in _NOT_NAME and not _is_blocked(text, nxt, blocked)
        if re.fullmatch(r"\.?\s{1,2}", gap) and name_like:
            run = _extend(text, toks, i + 1)
            run.honorific = w.text + ("." if gap.startswith(".") else "")
            return run
        return None
    if w.is_cap and len(w.key) > 1 and not _is_cue_or_stop(w.key):
        return _extend(text, toks, i)
    if w.text.islower() and w.key in GIVEN_NAMES:
        return _Run(i, i)
    return None


def _is_kin_compound(key: str) -> bool:
    return "-in-law" in key or (key.startswith("step") and key[4:] in PATIENT_CUES)


def _is_cue_or_stop(key: str) -> bool:
    return key in _NOT_NAME or _is_kin_compound(key)


def _extend(text: str, toks: list[Word], i: int) -> _Run:
    j = i
    while j + 1 < len(toks) and j - i < 3 and not toks[j].possessive:
        cur, nxt = toks[j], toks[j + 1]
        gap = text[cur.end : nxt.start]
        initial = len(cur.text) == 1 and gap == ". "
        if gap != " " and not initial:
            break
        if nxt.is_cap and not _is_cue_or_stop(nxt.key):
            j += 1
        elif nxt.key in _PARTICLES and j + 2 < len(toks) and toks[j + 2].is_cap:
            if text[nxt.end : toks[j + 2].start] != " " or toks[j + 2].key in _NOT_NAME:
                break
            j += 2
        else:
            break
    return _Run(i, j)


def _classify(
    text: str, toks: list[Word], run: _Run, allow: AllowNames, prev: tuple[int, str] | None
) -> tuple[str, str]:
    keys = [t.key for t in toks[run.first : run.last + 1]]
    if allow.allows(keys):
        return "staff", ""
    if run.honorific is not None:
        return "patient", f"surname after the title '{run.honorific}' (a patient or relative)"
    if _prefixed_town(text, toks, run):  # "Mount Forest", "Port Elgin": a town, not "Mount Sinai Hospital"
        run.first -= 1
        return "place", "town or village (gazetteer)"
    if _is_org(text, toks, run):
        return "org", ""
    back = _cue_before(text, toks, run.first)
    if back is not None and back[0] == "staff":
        return "staff", ""
    fwd = _cue_after(text, toks, run)
    if fwd is not None and fwd[0] == "staff":
        return "staff", ""
    if back is not None:
        return "patient", f"name of a patient or relative (after '{back[1]}')"
    if fwd is not None:
        return "patient", fwd[1]
    if _affiliated(text, toks, run.last):
        return "staff", ""
    if prev is not None and prev[1] in ("staff", "patient"):
        between = text[toks[prev[0]].end : toks[run.first].start]
        if _LIST_JOIN.fullmatch(between):
            if prev[1] == "staff":
                return "staff", ""
            return "patient", "name listed together with a patient's or relative's name"
    if toks[run.first].text.islower():
        return "none", ""
    if any(k in GIVEN_NAMES for k in keys):
        # Start the span at the given name: "Congrats Maria Lopez" -> "Maria Lopez".
        run.first += next(n for n, k in enumerate(keys) if k in GIVEN_NAMES or k in AMBIGUOUS_GIVEN_NAMES)
        return "patient", "looks like a person's name (common given name)"
    ambiguous = [n for n, k in enumerate(keys[:-1]) if k in AMBIGUOUS_GIVEN_NAMES]
    if ambiguous:  # "Grace Oyelaran": an ambiguous given name followed by a surname
        run.first += ambiguous[0]
        return "patient", "looks like a person's name (given name and surname)"
    return classify_unknown(text, toks, run.first, run.last, allow.words)


def _prefixed_town(text: str, toks: list[Word], run: _Run) -> bool:
    """A town whose name starts with a place prefix ("Mount", "Port", "St"), with no organisation word after it."""
    if run.first == 0 or toks[run.first - 1].key not in _PLACE_PREFIXES or not toks[run.first - 1].is_cap:
        return False
    nxt = run.last + 1
    if nxt < len(toks) and toks[nxt].key in ORG_WORDS and toks[nxt].is_cap:
        return False
    return is_town(text[toks[run.first - 1].start:toks[run.last].end])


def _is_org(text: str, toks: list[Word], run: _Run) -> bool:
    if run.first > 0:
        before = toks[run.first - 1]
        if before.key in _PLACE_PREFIXES and before.is_cap:
            return True
    nxt = run.last + 1
    if nxt < len(toks) and not toks[run.last].possessive:
        after = toks[nxt]
        if after.key in ORG_WORDS and after.is_cap and text[toks[run.last].end : after.start] == " ":
            return True
    return False


def _affiliated(text: str, toks: list[Word], last: int) -> bool:
    """True for "<name> from/of/at/with the <...> Foundation": a guest speaker or staff, not a patient."""
    nxt = last + 1
    if nxt >= len(toks) or toks[nxt].key not in ("from", "of", "at", "with") or toks[last].possessive:
        return False
    for j in range(nxt + 1, min(len(toks), nxt + 8)):
        if _SENTENCE_BREAK.search(text[toks[j - 1].end : toks[j].start]):
            return False
        if toks[j].is_cap and toks[j].key in ORG_WORDS:
            return True
    return False


def _cue_before(text: str, toks: list[Word], first: int) -> tuple[str, str] | None:
    j = first - 1
    steps = 0
    while j >= 0 and steps < 5:
        gap = text[toks[j].end : toks[j + 1].start]
        if toks[j].possessive:
            gap = text[toks[j].end + 2 : toks[j + 1].start] if gap.startswith(("'s", "’s")) else gap
        if _SENTENCE_BREAK.search(gap) and not (toks[j].key in _TITLE_ABBREVIATIONS and gap[:1] == "."):
            return None
        w = toks[j]
        if w.key in STAFF_TITLES:
            return "staff", w.text
        if w.key == "by" and j > 0 and toks[j - 1].key in CREDIT_VERBS:
            return "staff", w.text
        if w.key == "after" and j > 0 and toks[j - 1].key == "named":
            return "staff", w.text  # an eponym: "named after Donald Ross"
        if w.key in PATIENT_CUES or _is_kin_compound(w.key):
            return "patient", w.text
        if w.key not in FILLERS:
            return None
        j -= 1
        steps += 1
    return None


def _cue_after(text: str, toks: list[Word], run: _Run) -> tuple[str, str] | None:
    last = toks[run.last]
    rest = text[last.end : last.end + 60]
    nxt = run.last + 1
    if last.possessive and nxt < len(toks) and toks[nxt].key in POSSESSIVE_PERSON_WORDS:
        return "patient", f'name of a patient or relative (before "\'s {toks[nxt].text}")'
    if _AGE_AFTER.match(rest):
        return "patient", "name followed by an age"
    if run.first > 0 and toks[run.first - 1].key == "the" and _FAMILY_AFTER.match(rest):
        return "patient", "family name ('the ... family')"
    if (
        nxt < len(toks)
        and toks[nxt].key in CREDENTIALS
        and toks[nxt].text.isupper()
        and re.fullmatch(r"[\s,(]*", text[last.end : toks[nxt].start])
    ):
        return "staff", toks[nxt].text
    if last.possessive or not _APPOSITION.match(rest):
        return None
    for w in toks[nxt : nxt + 5]:
        if w.key in CREDENTIALS and w.text.isupper():
            return "staff", w.text
        if w.key in STAFF_TITLES:
            return "staff", w.text
        if w.key in PATIENT_CUES:
            return "patient", f"name of a patient or relative (before '{w.text}')"
        if w.key not in _FORWARD_FILLERS:
            return None
    return None
