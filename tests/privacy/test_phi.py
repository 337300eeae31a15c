"""Tests for the PHI screen: each kind, the must-pass cases, staff names, offsets, robustness."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.privacy.phi import KINDS, Finding, screen_text


def kinds_of(text: str, allow_names: Iterable[str] = ()) -> set[str]:
    return {f.kind for f in screen_text(text, allow_names=allow_names)}


def spans_of(text: str, kind: str) -> list[str]:
    return [text[f.start : f.end] for f in screen_text(text) if f.kind == kind]


class TestFinding:
    def test_is_frozen_dataclass(self) -> None:
        f = Finding("phone", 0, 3, "looks like a phone number")
        with pytest.raises(dataclasses.FrozenInstanceError):
            f.start = 1  # type: ignore[misc]

    def test_as_dict(self) -> None:
        f = Finding("email", 1, 5, "r")
        assert f.as_dict() == {"kind": "email", "start": 1, "end": 5, "reason": "r"}

    def test_kinds_list(self) -> None:
        assert set(KINDS) >= {"name", "phone", "fax", "email", "ssn", "record_number", "address"}
        assert set(KINDS) >= {"postal_code", "date", "age_over_89", "url", "ip_address", "denylist"}


@pytest.mark.parametrize(
    ("text", "kind", "span"),
    [
        ("Our patient John Smith is on bypass.", "name", "John Smith"),
        ("Mr. Okafor is doing well.", "name", "Okafor"),
        ("Mrs. Alvarez's family says thanks.", "name", "Alvarez"),
        ("Her husband Robert is in the waiting room.", "name", "Robert"),
        ("His daughter, Emily, says hi.", "name", "Emily"),
        ("A retired teacher named Maria agreed to share.", "name", "Maria"),
        ("the patient, mrs. nguyen, is awake", "name", "nguyen"),
        ("Big thanks to the Patel family!", "name", "Patel"),
        ("Kenji's wife is here.", "name", "Kenji"),
        ("Tevita, 45, is today's patient.", "name", "Tevita"),
        ("Call 416-555-0142 for the family line.", "phone", "416-555-0142"),
        ("Clinic: (713) 555-0198 ext. 22", "phone", "(713) 555-0198 ext. 22"),
        ("Mobile +44 20 7946 0958", "phone", "+44 20 7946 0958"),
        ("Fax: 416.555.0177", "fax", "416.555.0177"),
        ("Write to daniel.kovacs82@gmail.com today", "email", "daniel.kovacs82@gmail.com"),
        ("SSN 078-05-1120 was on the sheet", "ssn", "078-05-1120"),
        ("SIN 046 454 286 on the form", "ssn", "046 454 286"),
        ("MRN 00482913 was read aloud", "record_number", "00482913"),
        ("Health plan member ID: XJH448812093 visible", "record_number", "XJH448812093"),
        ("Her account number 0045-2281-7730 showed", "record_number", "0045-2281-7730"),
        ("Driver's licence number S1234-56789-01234 shown", "record_number", "S1234-56789-01234"),
        ("pacemaker serial no. PJN882716S on the box", "record_number", "PJN882716S"),
        ("VIN 1HGCM82633A004352 in the photo", "record_number", "1HGCM82633A004352"),
        ("Licence plate BXRT 482 in the bay", "record_number", "BXRT 482"),
        ("She lives at 42 Willowdale Avenue.", "address", "42 Willowdale Avenue"),
        ("Patient in room 412 again", "address", "room 412"),
        ("Lives in Harris County now.", "address", "Harris County"),
        ("Mail to Toronto ON M4N 3M5", "postal_code", "M4N 3M5"),
        ("Katy, TX 77494", "postal_code", "77494"),
        ("He was admitted on March 3 after collapsing.", "date", "March 3"),
        ("DOB 04/11/1962 on the chart", "date", "04/11/1962"),
        ("Discharged Feb. 27 and walking", "date", "Feb. 27"),
        ("Date of death: 7 Nov 2022.", "date", "7 Nov 2022"),
        ("a 93-year-old grandmother", "age_over_89", "93-year-old"),
        ("She's 92 and sharp", "age_over_89", "92"),
        ("in his late 90s", "age_over_89", "in his late 90s"),
        (
            "See https://www.facebook.com/lou.marchetti.54 for news",
            "url",
            "https://www.facebook.com/lou.marchetti.54",
        ),
        (
            "Portal https://mychart.example.org/patient?id=884213",
            "url",
            "https://mychart.example.org/patient?id=884213",
        ),
        ("Fundraiser: https://bit.ly/3xYzAb1.", "url", "https://bit.ly/3xYzAb1"),
        ("Encoder at 10.24.8.113 dropped", "ip_address", "10.24.8.113"),
        ("IP 2001:db8:85a3::8a2e:370:7334 logged", "ip_address", "2001:db8:85a3::8a2e:370:7334"),
    ],
)
def test_detects_each_kind(text: str, kind: str, span: str) -> None:
    assert span in spans_of(text, kind)


@pytest.mark.parametrize(
    "text",
    [
        "Update 10:15 — the team has opened the chest.",
        "10:15 EST: Dr. Fremes is harvesting the internal mammary artery.",
        "T+00:45 The heart-lung machine is running.",
        "at 9:30am the surgeon made the first incision",
        "About 1 in 4 adults over 65 has coronary artery disease.",
        "There are about 400,000 bypass surgeries a year.",
        "Survival is over 95% at 30 days.",
        "The heart has four chambers.",
        "A graft from the leg vein is sewn onto the artery.",
        "We have done this since 2014.",
        "Follow @Sunnybrook and #SBheart for updates.",
        "Learn more at https://sunnybrook.ca/heart",
        "Live from OR 4 this morning.",
        "Recovery room 2 is ready.",
        "Our oldest patient this year was 88.",
        "The patient is 57 and consented.",
        "Dr. Fremes",
        "Dr. Stephen Fremes is leading the team.",
        "Nurse practitioner Anna Lee will answer questions.",
        "Perfusionist Mark Davies runs the pump.",
        "Posted by Brent Creelman, social media lead.",
        "The CVICU team (nurses Maria and Tom) takes over.",
        "If you have chest pain, call 911.",
        "Join us again on Feb 20 at 7:30 am ET.",
        "Patients over 90 can still have surgery.",
        "Patients aged 90 and older were 1% of cases.",
        "Blood pressure 118/76.",
        "The hospital's switchboard is staffed 24/7.",
    ],
)
def test_must_pass(text: str) -> None:
    assert screen_text(text) == []


class TestStaffAndAllowNames:
    def test_allow_names_pass_even_without_a_title(self) -> None:
        assert screen_text("Thanks Anna Lee for the answers!", allow_names=["Anna Lee"]) == []
        assert kinds_of("Thanks Anna Lee for the answers!") == {"name"}

    def test_allowed_surname_after_mr_passes(self) -> None:
        assert screen_text("Mr. Fremes is closing.", allow_names=["Stephen Fremes"]) == []
        assert kinds_of("Mr. Fremes is closing.") == {"name"}

    def test_allow_names_is_case_and_accent_insensitive(self) -> None:
        assert screen_text("Thanks José Núñez!", allow_names=["jose nunez"]) == []

    def test_staff_credential_after_name(self) -> None:
        assert screen_text("Anna Lee, RN, explains the drains.") == []

    def test_patient_relative_beats_staff_elsewhere(self) -> None:
        text = "Thank you nurse Kelly for caring for my dad, Frank Bianchi!"
        assert spans_of(text, "name") == ["Frank Bianchi"]


class TestOffsetsAndReasons:
    def test_offsets_point_into_the_original_text(self) -> None:
        text = "Ünïcödé intro — call 416-555-0142, says his wife Carol."
        for f in screen_text(text):
            assert text[f.start : f.end] in ("416-555-0142", "Carol")

    def test_findings_are_sorted_and_explained(self) -> None:
        text = "Mrs. Chen, DOB 04/11/1962, MRN 00482913, call 416-555-0142"
        findings = screen_text(text)
        assert findings == sorted(findings, key=lambda f: (f.start, f.end, f.kind))
        assert [f.kind for f in findings] == ["name", "date", "record_number", "phone"]
        assert all(f.reason for f in findings)
        assert "'dob'" in findings[1].reason

    def test_name_inside_email_is_reported_once_as_email(self) -> None:
        assert kinds_of("Reach Maria at maria.lopez@example.com") >= {"email"}
        email = "maria.lopez@example.com"
        text = f"Write to {email}"
        assert [(f.kind, text[f.start : f.end]) for f in screen_text(text)] == [("email", email)]

    def test_fax_and_phone_are_told_apart(self) -> None:
        text = "Tel 905-555-0110 / Fax 905-555-0111"
        assert [f.kind for f in screen_text(text)] == ["phone", "fax"]


class TestContextRules:
    def test_town_after_a_flagged_name(self) -> None:
        text = "Emma from Scarborough asks: does it hurt?"
        assert [(f.kind, text[f.start : f.end]) for f in screen_text(text)] == [
            ("name", "Emma"),
            ("address", "Scarborough"),
        ]

    def test_staff_with_an_affiliation_passes(self) -> None:
        assert screen_text("Tom Smith from the Heart & Stroke Foundation joins us.") == []

    def test_eponyms_pass(self) -> None:
        assert screen_text("The Ross procedure is named after Donald Ross.") == []

    def test_institution_address_passes_but_home_address_does_not(self) -> None:
        assert screen_text("Sunnybrook Health Sciences Centre, 2075 Bayview Avenue.") == []
        assert kinds_of("Cards to 2075 Bayview Avenue please.") == {"address"}

    def test_plural_family_name(self) -> None:
        assert spans_of("the Nguyens are so grateful", "name") == ["Nguyens"]

    def test_code_inside_a_harmless_url_passes(self) -> None:
        assert screen_text("Replay: youtube.com/watch?v=a1B2c3D4e5F") == []


class TestDatesAndAges:
    def test_birth_year_alone_is_flagged_only_when_it_shows_age_90_plus(self) -> None:
        assert kinds_of("He was born in 1920.") == {"age_over_89"}
        assert screen_text("He was born in 2001.") == []

    def test_publication_dates_pass(self) -> None:
        assert (
            screen_text("The surgery is livestreamed on February 20, 2014, with the patient's consent.") == []
        )

    def test_weak_cue_date_is_flagged(self) -> None:
        assert kinds_of("Her first heart attack was on 3 June 2019.") == {"date"}

    @pytest.mark.parametrize(
        "text", ["At 96 she's our oldest patient.", "My nana is 99!", "She celebrated her 90th last month."]
    )
    def test_age_phrasings(self, text: str) -> None:
        assert kinds_of(text) == {"age_over_89"}

    def test_ages_up_to_89_pass(self) -> None:
        assert screen_text("Our patient is an 89-year-old man.") == []


class TestUrls:
    @pytest.mark.parametrize(
        "url",
        [
            "https://sunnybrook.ca/heart",
            "www.heart.org/en/health-topics/heart-attack",
            "youtube.com/sunnybrookhospital",
        ],
    )
    def test_generic_urls_pass(self, url: str) -> None:
        assert screen_text(f"More at {url}") == []

    @pytest.mark.parametrize(
        "url",
        [
            "instagram.com/kate_recovers_2024",
            "https://youtube.com/@DaveAfterBypass",
            "https://heartjourney-mike.blogspot.com/2024/03/day-one.html",
            "http://203.0.113.7/records",
            "https://example.org/stories/meet-maria",
        ],
    )
    def test_identifying_urls_are_flagged(self, url: str) -> None:
        assert "url" in kinds_of(f"See {url} now")


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(st.text())
def test_never_raises_and_spans_are_in_bounds(text: str) -> None:
    for f in screen_text(text, allow_names=["Anna Lee"]):
        assert 0 <= f.start < f.end <= len(text)
        assert f.kind in KINDS


_PIECES = st.sampled_from(
    [
        "Mr. ",
        "Dr. ",
        "patient ",
        "husband ",
        "John",
        " Smith",
        "'s",
        "http://",
        "www.",
        "@",
        "::",
        "1-800-",
        "(416) ",
        "555-0199",
        "Room ",
        "bed 4",
        "born ",
        "MRN ",
        "2014-02-19",
        "Feb. 27",
        " and ",
        ", 93,",
        "-in-law ",
        "\n",
        "é",
    ]
)


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=5)), max_size=15).map("".join))
def test_never_raises_on_phi_shaped_fragments(text: str) -> None:
    for f in screen_text(text):
        assert 0 <= f.start < f.end <= len(text)
