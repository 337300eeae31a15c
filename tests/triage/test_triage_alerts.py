"""Alerts that no label can take away: risk cues in English, French and Spanish, the classes of error of issue 14,
figures of speech, humour, languages nobody screens.

These are behaviours, not the evaluation: `bench/triage_eval.py` measures the sets.
"""

from __future__ import annotations

import pytest

from server.triage.triage import TriageResult, triage
from server.triage.triage_risk import assess, literal
from server.triage.triage_text import normalize

DANGER = [
    # a plan that ends with a kind word
    "Tonight I'm taking all my pills. Thank you all, you're lovely ❤️",
    # a past operation beside an acute symptom
    "had my bypass in May and since an hour ago my chest is crushing and my arm is numb",
    # humour around a real symptom
    "lol my chest is so tight right now and I'm sweating, probably nothing haha",
    # a person not breathing / not responding
    "my husband isn't responding and his lips are going blue",
    # French
    "je veux en finir ce soir, merci pour ce beau direct",
    "mon père s'est effondré, il ne répond plus",
    "j'ai une douleur dans la poitrine depuis 20 minutes",
    # Spanish
    "quiero morirme, gracias por todo",
    "mi mamá se desmayó y no responde",
    "me duele el pecho desde hace media hora",
]

NOT_DANGER = [
    "I'm dying to see the heart start beating again!",
    "the suspense is killing me 😂",
    "that alarm nearly gave me a heart attack lol",
    "I'd pass out if I had to do this job",
    "je suis morte de rire 😂",
    "me muero de los nervios jaja",
    "no chest pain here, just curious: how long is recovery?",
    "I get chest tightness when I climb stairs, should I see my doctor?",
]


@pytest.mark.parametrize("text", DANGER)
def test_risk_cues_alert_whatever_else_the_message_says(text: str) -> None:
    result = triage(text)
    assert result.alert, result
    assert result.reasons and all(isinstance(r, str) and r for r in result.reasons)
    assert result.label == "emergency"


@pytest.mark.parametrize("text", NOT_DANGER)
def test_figures_of_speech_and_habits_do_not_alert(text: str) -> None:
    result = triage(text)
    assert not result.alert, result.reasons
    assert result.reasons == ()


def test_humour_lowers_the_score_but_keeps_the_alert() -> None:
    plain = triage("my chest is so tight right now and I'm sweating")
    joking = triage("lol my chest is so tight right now and I'm sweating haha")
    assert plain.alert and joking.alert
    assert joking.score < plain.score


def test_a_shopping_word_does_not_make_a_medical_question_spam() -> None:
    result = triage("I buy my blood pressure pills online because they're cheaper, is that safe with my BP at 150?")
    assert result.label == "personal_medical"


def test_a_language_nobody_screens_is_marked() -> None:
    result = triage("Wie lange dauert so eine Bypass-Operation normalerweise?")
    assert not result.screened and result.language == "de"
    assert result.reason.startswith("language not screened (de)")
    french = triage("Combien de temps dure l'opération en général ?")
    assert french.screened and french.language == "fr"


def test_short_and_english_messages_count_as_screened() -> None:
    for text in ("ok lol", "wow", "🙏🙏", "pls help", "how long does it take?"):
        result = triage(text)
        assert result.screened, text


def test_result_shape() -> None:
    result = triage("how long does the bypass take?")
    assert isinstance(result, TriageResult)
    assert result.label == "question" and result.alert is False and result.reasons == ()
    assert set(result.probabilities) == {"emergency", "personal_medical", "question", "comment", "spam", "abuse"}
    assert abs(sum(result.probabilities.values()) - 1.0) < 1e-6


def test_figures_are_cut_out_before_matching() -> None:
    text = normalize("I'm dying to know and my heart skipped a beat").text
    assert "dying" not in literal(text)
    assert assess(normalize("me muero de risa").text).reasons == ()
