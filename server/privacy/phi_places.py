"""Geography smaller than a state: street addresses, patient room/bed numbers, postal codes, and towns
or counties tied to a person ("lives in Oakville", "a Scarborough grandfather", "Lou, 57, from Etobicoke").

A street address right after an institution's name ("... Health Sciences Centre, 2075 Bayview Avenue") is
the institution's and passes; any other street address is flagged. Room or bed numbers ("room 412",
"bed 4") are flagged; operating, procedure, recovery, conference and similar rooms ("OR 4", "recovery
room 2") are not. A place named without a person cue ("#SBheart is
trending in Toronto") passes, and so do countries, states and provinces.
"""

from __future__ import annotations

import re

from server.privacy.phi_lexicon import (
    HONORIFICS,
    LARGE_PLACES,
    REGION_CODES,
    STAFF_TITLES,
    STOP_WORDS,
    word_set,
)
from server.privacy.phi_text import caseless
from server.privacy.phi_types import ADDRESS, POSTAL_CODE, Hit, hit

P_POSTAL = 55
P_ADDRESS = 50

_STREET_TYPES = (
    r"Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Boulevard|Blvd\.?|Drive|Dr\.?|Lane|Ln\.?|Court|Ct\.?|Crescent|Cres\.?"
    r"|Way|Place|Pl\.?"
    r"|Terrace|Terr|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Trail|Trl|Square|Sq|Close|Gardens|Grove|Row|Mews"
    r"|Walk|Line|Sideroad|Concession|Alley|Heights|Hts|Park|Gate|Green|Hill|Loop|Path|Pike|Plaza|Point"
)
_NAME_WORD = r"(?:[A-Z][\w'’\-]*\.?|[0-9]{1,3}(?:st|nd|rd|th))"
_DIRECTION = r"(?:\s+(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\b\.?)?"
_UNIT = r"(?:,?\s+(?:Apt\.?|Apartment|Unit|Suite|Ste\.?|#)\s*[0-9A-Za-z\-]{1,6}\b)?"
_CITY = r"(?:,\s+[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2}(?:,?\s+(?:[A-Z]{2}\b|[A-Z][a-z]+))?)?"
_STREET = re.compile(
    rf"(?<![\w.,:/\-])[0-9]{{1,6}}[A-Za-z]?(?:-[0-9]{{1,5}})?\s+{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}}"
    rf"\s+(?:{_STREET_TYPES})(?![\w\-]){_DIRECTION}{_UNIT}{_CITY}"
)
_STREET_NO_NUMBER = re.compile(
    rf"(?i:\b(?:lives|living|lived|resides|residing|home)\s+(?:on|at))\s+(?P<place>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}}"
    rf"\s+(?:{_STREET_TYPES})(?![\w\-]))",
)
# "Sunnybrook Health Sciences Centre, 2075 Bayview Avenue": an institution's own address is not PHI.
_INSTITUTION_BEFORE = re.compile(
    r"\b(?:Hospital|Centre|Center|Clinic|Institute|Health|Foundation|University|College|Campus)"
    r"(?:\s*\([^)]*\))?\s*(?:,|\bat|\bis at|\blocated at|[-–—:])?\s*$"
)
_PO_BOX = re.compile(r"\b(?:P\.?\s?O\.?\s?Box|Post Office Box)\s+[0-9]{1,6}\b", re.IGNORECASE)
_ROOM = re.compile(
    r"\b(?P<label>room|rm\.?|bed|bedspace|bay|cubicle|stretcher)\s*#?\s*(?P<num>[0-9]{1,4}[A-Za-z]?)\b(?!\s*(?:%|am|pm))",
    re.IGNORECASE,
)
_ROOM_OK_BEFORE = re.compile(
    r"(?:operating|procedure|recovery|conference|waiting|meeting|OR|theatre|theater|cath|hybrid|lecture|"
    r"board|class|consult|consultation|exam|examination|treatment|interview|break|control|media|press|"
    r"scrub|utility|supply|equipment|storage|lab|call|sleep|family|quiet|prayer|living|dining|emergency|"
    r"double|single|no|more|any|leg|elbow|head)\s*$",
    re.IGNORECASE,
)
_FACILITY_AFTER = re.compile(
    r"\s+(?:of|in|at)\s+the\s+(?:[\w\-]+\s+){0,2}(?:lab|labs|laboratory|centre|center|library|building|school|"
    r"college|institute|department|museum|hall)\b", re.IGNORECASE)
_CA_POSTAL = re.compile(
    r"\b[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z][ \-]?[0-9][ABCEGHJ-NPRSTV-Z][0-9]\b", re.IGNORECASE
)
_UK_POSTAL = re.compile(r"\b(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR) [0-9][ABD-HJLNP-UW-Z]{2}\b")
_ZIP4 = re.compile(r"(?<![\w\-])[0-9]{5}-[0-9]{4}(?![\w\-])")
_ZIP_LABELLED = re.compile(
    r"\b(?:zip(?:\s*code)?|postal\s*code|postcode)\s*(?:is|:)?\s*(?P<code>[0-9]{5}|[0-9]{3}(?:xx|\*\*))\b",
    re.IGNORECASE,
)
_ZIP_AFTER_REGION = re.compile(r"\b(?P<region>[A-Z]{2}|[A-Z][a-z]+),?\s+(?P<code>[0-9]{5})(?![\w\-])")
_AU_POSTCODE = re.compile(r"\b(?:NSW|VIC|QLD|TAS|ACT|NT|SA|WA)\s+(?P<code>[0-9]{4})\b")

_PLACE = r"(?P<place>[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+){0,2})"
_RESIDENCE_CUE = re.compile(
    r"(?i:\b(?:lives|live|living|lived|resides|residing|resided|residents? of|native of|hometown|grew up|"
    r"moved (?:here |back )?(?:from|to)|moving (?:back )?to|relocated to|settled in|(?:is |are )?based in|"
    r"comes from|came from|hails from|is from|are from|was from|'s from|’s from|"
    r"drove (?:in |down |up )?from|flew (?:in )?from|travell?ed (?:here )?from|home)"
    r"(?:\s+(?:in|at|of|is))?(?:\s+(?:the\s+)?(?:town|city|village|county|region|area)\s+of)?)\s+" + _PLACE
)
# Every _RESIDENCE_CUE match holds one of these (lowercased): "lives"/"living", "resides", "hometown", ...
_RESIDENCE_WORDS = ("liv", "resid", "native", "grew up", "from", "home", "moved", "moving", "relocated", "settled",
                    "based")
_PERSON_FROM = re.compile(
    r"\b(?:[0-9]{1,3},?|man|woman|patient|family|grandfather|grandmother|grandma|grandpa|father|mother|dad|mom|"
    r"mum|son|daughter|husband|wife|couple|teen|boy|girl|donor|recipient)\s+from\s+" + _PLACE
)
_DEMONYM_PERSON = re.compile(
    r"\b[Aa]n?\s+" + _PLACE + r"\s+(?:man|woman|grandfather|grandmother|grandma|grandpa|father|mother|"
    r"dad|mom|mum|teen|teenager|boy|girl|resident|native|senior|retiree|couple|family|veteran|widow|widower)\b"
)
_ASCII_DIGIT = re.compile(r"[0-9]")
_ASCII_UPPER = re.compile(r"[A-Z]")
_NOT_LOCAL_SUFFIX = re.compile(r"(?:ian|ean|ese|ish|ic|ern)$")
_NOT_PLACE = (
    STOP_WORDS
    | STAFF_TITLES
    | HONORIFICS
    | word_set(
        "black white indigenous muslim christian jewish catholic hindu sikh buddhist young old elderly "
        "retired local proud brave happy"
    )
) - frozenset(("county", "city"))


def find_places(text: str) -> list[Hit]:
    """Return address and postal-code findings.

    Street addresses, PO boxes, room numbers and postal codes all need an ASCII digit; a street without a
    number needs "lives"/"resides"/"home", and a town tied to a person a capitalised ASCII word.
    """
    out: list[Hit] = []
    digits = _ASCII_DIGIT.search(text) is not None
    folded = caseless(text)
    for m in _STREET.finditer(text) if digits else ():
        if not _INSTITUTION_BEFORE.search(text[max(0, m.start() - 40) : m.start()]):
            out.append(hit(ADDRESS, m.start(), m.end(), "looks like a street address", P_ADDRESS))
    if any(word in folded for word in ("liv", "resid", "home")):  # lives/living/lived, resides, home
        for m in _STREET_NO_NUMBER.finditer(text):
            reason = "street where a person lives"
            out.append(hit(ADDRESS, m.start("place"), m.end("place"), reason, P_ADDRESS))
    if digits:
        for m in _PO_BOX.finditer(text):
            out.append(hit(ADDRESS, m.start(), m.end(), "looks like a post-office box", P_ADDRESS))
        for m in _ROOM.finditer(text):
            if _FACILITY_AFTER.match(text, m.end()):  # "Room 2 of the simulation lab": a facility's room
                continue
            if not _ROOM_OK_BEFORE.search(text[max(0, m.start() - 20) : m.start()]):
                reason = f"patient {m.group('label').casefold().rstrip('.')} number"
                out.append(hit(ADDRESS, m.start(), m.end(), reason, P_ADDRESS))
        out.extend(_postal_codes(text))
    if _ASCII_UPPER.search(text):
        out.extend(_person_places(text, folded))
    return out


def _postal_codes(text: str) -> list[Hit]:
    out = [
        hit(POSTAL_CODE, m.start(), m.end(), "looks like a postal code", P_POSTAL)
        for m in _CA_POSTAL.finditer(text)
    ]
    out += [
        hit(POSTAL_CODE, m.start(), m.end(), "looks like a postcode", P_POSTAL)
        for m in _UK_POSTAL.finditer(text)
    ]
    out += [
        hit(POSTAL_CODE, m.start(), m.end(), "looks like a ZIP+4 code", P_POSTAL)
        for m in _ZIP4.finditer(text)
    ]
    for pattern in (_ZIP_LABELLED, _AU_POSTCODE):
        for m in pattern.finditer(text):
            out.append(hit(POSTAL_CODE, m.start("code"), m.end("code"), "labelled postal code", P_POSTAL))
    for m in _ZIP_AFTER_REGION.finditer(text):
        region = m.group("region")
        if region in REGION_CODES or region.casefold() in LARGE_PLACES:
            out.append(hit(POSTAL_CODE, m.start("code"), m.end("code"), "ZIP code after a state", P_POSTAL))
    return out


_FROM_AFTER_NAME = re.compile(r",?\s+(?:\(\d{1,3}\)\s+)?(?:from|of)\s+" + _PLACE)


def place_after_name(text: str, end: int) -> Hit | None:
    """Return the town in "<name> from <Town>" when text[end:] starts that way, else None."""
    m = _FROM_AFTER_NAME.match(text, end)
    if m is None:
        return None
    length = _place_end(m.group("place"))
    if length is None:
        return None
    return hit(
        ADDRESS, m.start("place"), m.start("place") + length, "town a named person comes from", P_ADDRESS
    )


def _person_places(text: str, folded: str) -> list[Hit]:
    out: list[Hit] = []
    for pattern, reason, possible in (
        (_RESIDENCE_CUE, "where a person lives or comes from", any(word in folded for word in _RESIDENCE_WORDS)),
        (_PERSON_FROM, "town a person comes from", "from" in text),
        (_DEMONYM_PERSON, "town or city tied to a person", True),
    ):
        if not possible:
            continue
        for m in pattern.finditer(text):
            end = _place_end(m.group("place"))
            if end is not None:
                out.append(hit(ADDRESS, m.start("place"), m.start("place") + end, reason, P_ADDRESS))
    return out


def _place_end(place: str) -> int | None:
    """Return the length of the leading words that can be a local place name; None if there are none."""
    keys: list[str] = []
    end = 0
    for m in re.finditer(r"\S+", place):
        key = m.group().casefold().strip("'’")
        if key in _NOT_PLACE:
            break
        keys.append(key)
        end = m.end()
    if not keys or all(k in LARGE_PLACES for k in keys):
        return None
    if len(keys) == 1 and _NOT_LOCAL_SUFFIX.search(keys[0]):
        return None
    return end
