"""Number-shaped identifiers: phone, fax, SSN/SIN, record numbers (MRN, plan, account, licence,
device, vehicle) and IP addresses.

Every phone number is flagged, a hospital's included (the comms team can override); numbers in other
countries' national formats are checked with libphonenumber (`phonenumbers`). A phone number is a
fax when the nearest label before it is "fax". Record numbers are flagged after a label (MRN, chart,
OHIP, member ID, account, licence, serial, VIN, plate, ...) and, without a label, when a code looks like
an identifier: 7+ digits in a row or in dash groups, a letter/digit code with 5+ digits, a MAC address.
"""

from __future__ import annotations

import ipaddress
import re

import phonenumbers

from server.privacy.phi_types import FAX, IP_ADDRESS, PHONE, RECORD_NUMBER, SSN, Hit, hit

P_LABELLED = 80  # a labelled identifier beats everything number-shaped
P_SSN = 75
P_PHONE = 60
P_IP = 70
P_GENERIC_ID = 40

_SEP = r"[ .\-]"
_NANP = re.compile(
    rf"(?<![\w+/.\-])(?:\+?1{_SEP}?)?(?:\([2-9][0-9]{{2}}\)\s?|[2-9][0-9]{{2}}{_SEP})"
    rf"[2-9][0-9]{{2}}{_SEP}?[0-9]{{4}}"
    r"(?:\s*(?:ext\.?|x|extension)\s*[0-9]{1,6})?(?![\w\-])",
    re.IGNORECASE,
)
_INTERNATIONAL = re.compile(r"(?<![\w+])\+[1-9][0-9]{0,2}(?:[ .\-]?\(?[0-9]{1,5}\)?){2,5}(?![\w\-])")
_TRUNK = re.compile(
    r"(?<![\w+/.\-])(?:\(0[0-9]{1,4}\)|0[0-9]{2,4})[ \-]?[0-9]{3,4}[ \-]?[0-9]{3,4}(?![\w\-])"
)
_LOCAL = re.compile(r"(?<![\w+/.\-:])[2-9][0-9]{2}[\-.][0-9]{4}(?![\w\-.:])")
_BARE_10 = re.compile(r"(?<![\w+/.\-])1?[2-9][0-9]{9}(?![\w\-])")
# A phone number in a national format of another country ("06 12 34 56 78", "0161 496 0000", "04 1234 5678"):
# a run of 8-15 digits in groups, checked with libphonenumber against the countries below (any "+" number
# against its own country code).
_NATIONAL = re.compile(r"(?<![\w+/.\-])(?:\+|\(0?|0)[0-9](?:[ .\-]?\(?[0-9]\)?){7,16}(?![\w\-])")
_REGIONS = ("GB", "FR", "AU", "DE", "ES", "IT", "IE", "NZ", "MX", "IN", "BR", "NL", "BE", "CH", "PH", "NG", "ZA")
_PHONE_CONTEXT = re.compile(
    r"\b(?:call|phone|tel|telephone|cell|mobile|text|reach|contact|line|ph|whatsapp|sms|dial)\b[^.!?\n]{0,25}$",
    re.IGNORECASE,
)
_FAX_CONTEXT = re.compile(r"\b(?:fax|facsimile|f:)", re.IGNORECASE)
_PHONE_WORD = re.compile(r"\b(?:call|phone|tel|telephone|cell|mobile|text|ph|t:)", re.IGNORECASE)

_SSN_DASHED = re.compile(
    r"(?<![\w\-])(?!000|666|9[0-9]{2})[0-9]{3}([\- ])(?!00)[0-9]{2}\1(?!0000)[0-9]{4}(?![\w\-])"
)
_SSN_LABELLED = re.compile(
    r"\b(?:ssn|ss#|social security(?: number| no\.?| #)?|sin|social insurance(?: number| no\.?| #)?)"
    r"\s*(?:is|was|:|#|no\.?|number)?\s*[:#]?\s*([0-9]{3}[\- ]?[0-9]{2,3}[\- ]?[0-9]{3,4})(?![\w\-])",
    re.IGNORECASE,
)

_LABEL = (
    r"mrn|m\.r\.n\.|medical record(?: number| no\.?| #)?|med rec(?: no\.?| #)?"
    r"|chart(?: number| no\.?| #| id)?"
    r"|patient (?:id|number|no\.?|#)|hospital (?:number|no\.?|id)|health card(?: number| no\.?| #)?"
    r"|ohip(?: number| no\.?| #)?|health (?:plan|insurance)(?: member| beneficiary| subscriber)?"
    r" (?:id|number|no\.?|#)|member (?:id|number|no\.?|#)|beneficiary (?:id|number|no\.?|#)"
    r"|medicare(?: card)? (?:number|no\.?|#|id)|medicaid (?:number|no\.?|#|id)"
    r"|(?:insurance )?policy (?:number|no\.?|#|id)|insurance (?:number|no\.?|#|id)|group (?:number|no\.?|#)"
    r"|subscriber (?:id|number)|account(?: number| no\.?| #| id)?|acct\.?(?: #| no\.?| number)?"
    r"|(?:driver'?s |driving )?licen[cs]e(?: number| no\.?| #| id)?|dl ?#|certificate(?: number| no\.?| #)"
    r"|cert\.? ?(?:#|no\.?)|serial(?: number| no\.?| #)|s/n|sn:|device (?:id|identifier|serial|number)"
    r"|udi|imei|mac address|vin|vehicle identification number|(?:licen[cs]e )?plates?(?: number| no\.?| #)?"
    r"|registration (?:number|no\.?|#)|passport(?: number| no\.?| #)?|case (?:number|no\.?|#)"
    r"|claim (?:number|no\.?|#)|visit (?:number|no\.?|#)|encounter (?:number|id)|accession (?:number|no\.?|#)"
    r"|specimen (?:id|number)|badge (?:number|#)|employee (?:id|number)|id (?:number|no\.?|#)|id:"
)
_GROUP = r"(?:[A-Za-z]*[0-9][A-Za-z0-9]*|[A-Z0-9]{1,24})"
_LABELLED_ID = re.compile(
    rf"(?<![\w])(?P<label>{_LABEL})\s*(?:is|was|:|=)?\s*[:#]?\s*(?:#\s*)?"
    rf"(?P<id>(?-i:{_GROUP}(?:(?:[\-/.]|\s){_GROUP})*))",
    re.IGNORECASE,
)
_DIGIT_RUN = re.compile(r"(?<![\w.,:/+\-])[0-9]+(?:-[0-9]+)*(?![\w,\-]|[.:/][0-9])")
_CODE = re.compile(r"(?<![\w\-])(?=[A-Za-z0-9\-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*(?![\w\-])")
_HASH_NUMBER = re.compile(r"(?<![\w&])#[0-9]{5,}\b")
_MAC = re.compile(
    r"(?<![\w:\-])[0-9A-F]{2}(?:([:\-])[0-9A-F]{2})(?:\1[0-9A-F]{2}){4}(?![\w:\-])", re.IGNORECASE
)
_YEAR_RANGE = re.compile(r"(?:19|20)[0-9]{2}-(?:19|20)?[0-9]{2}")
_ISO_DATE = re.compile(r"(?:19|20)[0-9]{2}-[01]?[0-9]-[0-3]?[0-9]")
_IPV4 = re.compile(r"(?<![\w.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![\w]|\.[0-9])")
_IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:%\w+)?(?![\w:])")
_ASCII_DIGIT = re.compile(r"[0-9]")

_SUBKINDS = {
    "vin": "vehicle identification number",
    "plate": "licence plate",
    "licen": "licence number",
    "serial": "device serial number",
    "device": "device identifier",
    "udi": "device identifier",
    "imei": "device identifier",
    "mac": "device identifier",
    "account": "account number",
    "acct": "account number",
    "member": "health plan number",
    "beneficiary": "health plan number",
    "health plan": "health plan number",
    "policy": "health plan number",
    "insurance": "health plan number",
    "medicare": "health plan number",
    "medicaid": "health plan number",
    "ohip": "health card number",
    "health card": "health card number",
    "certificate": "certificate number",
}


def find_numbers(text: str) -> list[Hit]:
    """Return phone, fax, SSN, record-number and IP findings.

    Most detectors need a minimum number of ASCII digits (a phone number 7, an SSN 9, an IPv4 address 4, a
    long number or code 5, a labelled identifier 1); they are skipped when the text has fewer.
    """
    digits = len(_ASCII_DIGIT.findall(text))
    return [
        *(_phones(text) if digits >= 7 else ()),
        *(_ssns(text) if digits >= 9 else ()),
        *(_labelled_ids(text) if digits >= 1 else ()),
        *(_generic_ids(text) if digits >= 5 else _macs(text)),
        *(_ips(text, digits >= 4)),
    ]


def _phones(text: str) -> list[Hit]:
    out: list[Hit] = []
    spans: list[tuple[int, int]] = []
    for pattern in (_NANP, _INTERNATIONAL, _TRUNK, _LOCAL, _BARE_10):
        for m in pattern.finditer(text):
            digits = sum(ch.isdigit() for ch in m.group())
            if pattern is _INTERNATIONAL and not 8 <= digits <= 15:
                continue
            if pattern is _TRUNK and not 9 <= digits <= 11:
                continue
            if pattern is _TRUNK and not re.search(r"[ ()\-]", m.group()):
                continue
            if pattern is _BARE_10 and not _PHONE_CONTEXT.search(text[max(0, m.start() - 40) : m.start()]):
                continue
            if any(m.start() < e and s < m.end() for s, e in spans):
                continue
            spans.append((m.start(), m.end()))
            out.append(_phone_or_fax(text, m.start(), m.end()))
    for m in _NATIONAL.finditer(text) if len(_ASCII_DIGIT.findall(text)) >= 8 else ():
        if not any(m.start() < e and s < m.end() for s, e in spans) and _valid_somewhere(m.group()):
            spans.append((m.start(), m.end()))
            out.append(_phone_or_fax(text, m.start(), m.end()))
    return out


def _valid_somewhere(candidate: str) -> bool:
    """True when libphonenumber finds `candidate` a valid number (of its "+" country, or of one of _REGIONS)."""
    digits = sum(ch.isdigit() for ch in candidate)
    if not 8 <= digits <= 15:
        return False
    regions: tuple[str | None, ...] = (None,) if candidate.startswith("+") else _REGIONS
    for region in regions:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return True
    return False


def _phone_or_fax(text: str, start: int, end: int) -> Hit:
    before = text[max(0, start - 30) : start]
    fax_at = max((m.end() for m in _FAX_CONTEXT.finditer(before)), default=-1)
    phone_at = max((m.end() for m in _PHONE_WORD.finditer(before)), default=-1)
    if fax_at > phone_at and not re.search(r"[0-9]{3}", before[fax_at:]):
        return hit(FAX, start, end, "looks like a fax number", P_PHONE + 1)
    return hit(PHONE, start, end, "looks like a phone number", P_PHONE)


def _ssns(text: str) -> list[Hit]:
    out = [
        hit(SSN, m.start(), m.end(), "looks like a Social Security number", P_SSN)
        for m in _SSN_DASHED.finditer(text)
    ]
    for m in _SSN_LABELLED.finditer(text):
        if sum(ch.isdigit() for ch in m.group(1)) == 9:
            reason = "number labelled as a Social Security / Social Insurance number"
            out.append(hit(SSN, m.start(1), m.end(1), reason, P_LABELLED + 1))
    return out


def _labelled_ids(text: str) -> list[Hit]:
    out: list[Hit] = []
    for m in _LABELLED_ID.finditer(text):
        label = m.group("label").casefold()
        ident = _trim_identifier(m.group("id"))
        digits = sum(ch.isdigit() for ch in ident)
        is_plate = "plate" in label
        if digits < (1 if is_plate else 3) or len(ident) < 4:
            continue
        if label.startswith(("licen", "account")) and digits < 5 and not is_plate:
            continue
        sub = next(
            (v for k, v in _SUBKINDS.items() if k in label), "medical record or other identifying number"
        )
        start = m.start("id")
        out.append(
            hit(
                RECORD_NUMBER,
                start,
                start + len(ident),
                f"{sub} (after the label '{m.group('label')}')",
                P_LABELLED,
            )
        )
    return out


def _trim_identifier(ident: str) -> str:
    """Drop trailing groups that are plain words rather than parts of the identifier."""
    parts = re.split(r"(\s+)", ident)
    kept: list[str] = []
    for part in parts:
        if part.isspace():
            kept.append(part)
            continue
        if kept and not any(ch.isdigit() for ch in part) and not (part.isupper() and len(part) <= 4):
            break
        kept.append(part)
    return "".join(kept).rstrip(" .-/")


def _generic_ids(text: str) -> list[Hit]:
    out: list[Hit] = []
    for m in _DIGIT_RUN.finditer(text):
        value = m.group()
        digits = sum(ch.isdigit() for ch in value)
        if digits < 7 or _YEAR_RANGE.fullmatch(value) or _ISO_DATE.fullmatch(value):
            continue
        out.append(
            hit(
                RECORD_NUMBER,
                m.start(),
                m.end(),
                "long number that could identify a person or record",
                P_GENERIC_ID,
            )
        )
    for m in _CODE.finditer(text):
        if sum(ch.isdigit() for ch in m.group()) >= 5:
            out.append(
                hit(RECORD_NUMBER, m.start(), m.end(), "code that looks like an identifier", P_GENERIC_ID)
            )
    for m in _HASH_NUMBER.finditer(text):
        out.append(hit(RECORD_NUMBER, m.start(), m.end(), "numbered identifier", P_GENERIC_ID))
    return out + _macs(text)


def _macs(text: str) -> list[Hit]:
    if ":" not in text and "-" not in text:  # a MAC address needs its separators
        return []
    return [
        hit(RECORD_NUMBER, m.start(), m.end(), "device identifier (MAC address)", P_GENERIC_ID + 1)
        for m in _MAC.finditer(text)
    ]


def _ips(text: str, ipv4: bool) -> list[Hit]:
    out: list[Hit] = []
    patterns = ((_IPV4,) if ipv4 else ()) + ((_IPV6,) if ":" in text else ())
    for pattern in patterns:
        for m in pattern.finditer(text):
            candidate = m.group().split("%")[0]
            try:
                ipaddress.ip_address(candidate)
            except ValueError:
                continue
            if pattern is _IPV6 and (
                "::" not in candidate and candidate.count(":") < 7 or _groups(candidate) < 2
            ):
                continue
            out.append(hit(IP_ADDRESS, m.start(), m.end(), "looks like an IP address", P_IP))
    return out


def _groups(candidate: str) -> int:
    return sum(1 for part in candidate.split(":") if part)
