"""PHI screen: find the HIPAA Safe Harbor identifiers in a caption or answer before it is posted.

`screen_text` runs every detector (names, capitalised words not on the allow-list, file names, "Name:" labels,
numbers, web, places, dates/ages, and the event's denylist),
then drops a finding that lies inside a higher-priority one of another kind (a name inside an email, the
digits of a phone number inside a URL), and drops unlabelled "looks like a code" numbers that are part of
any link or email (a video id in a harmless URL). Denylist findings are kept as they are. Findings are
sorted by position; offsets are Python string indices into the original text.
"""

from __future__ import annotations

from collections.abc import Iterable

from server.privacy.denylist import Denylist
from server.privacy.phi_capitalised import find_file_names, find_labelled_names
from server.privacy.phi_dates import find_dates
from server.privacy.phi_names import AllowNames, find_names
from server.privacy.phi_numbers import P_GENERIC_ID, find_numbers
from server.privacy.phi_places import find_places, place_after_name
from server.privacy.phi_text import words
from server.privacy.phi_types import EMAIL, KINDS, URL, Finding, Hit
from server.privacy.phi_web import find_web, link_spans

__all__ = ["KINDS", "Denylist", "Finding", "screen_text"]


def screen_text(
    text: str, denylist: Denylist | None = None, allow_names: Iterable[str] = ()
) -> list[Finding]:
    """Return the PHI findings in `text`, sorted by position."""
    web = find_web(text)
    blocked = [(h.finding.start, h.finding.end) for h in web if h.finding.kind in (EMAIL, URL)]
    hits = [*web, *find_numbers(text), *find_places(text), *find_dates(text)]
    allow = AllowNames(allow_names)
    names = find_names(text, words(text), allow, blocked)
    hits += names
    hits += find_labelled_names(text)
    hits += [h for h in find_file_names(text, allow.words) if not _inside_any(h.finding, blocked)]
    hits += [h for h in (place_after_name(text, n.finding.end) for n in names) if h is not None]
    links = link_spans(text)
    hits = [h for h in hits if not (h.priority <= P_GENERIC_ID + 1 and _inside_any(h.finding, links))]
    findings = _resolve(hits)
    if denylist is not None:
        findings.extend(denylist.find(text))
    return sorted(set(findings), key=lambda f: (f.start, f.end, f.kind))


def _resolve(hits: list[Hit]) -> list[Finding]:
    """Drop hits contained in a higher-priority hit of another kind, and duplicates of a kind."""
    ordered = sorted(hits, key=lambda h: (-h.priority, h.finding.start, -(h.finding.end - h.finding.start)))
    kept: list[Hit] = []
    for h in ordered:
        f = h.finding
        if f.end <= f.start:
            continue
        if any(
            _contains(k.finding, f) and (k.priority > h.priority or k.finding.kind == f.kind) for k in kept
        ):
            continue
        kept.append(h)
    return [h.finding for h in kept]


def _inside_any(f: Finding, spans: list[tuple[int, int]]) -> bool:
    return any(s <= f.start and f.end <= e for s, e in spans)


def _contains(outer: Finding, inner: Finding) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end
