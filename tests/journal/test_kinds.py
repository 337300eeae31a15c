"""One vocabulary of journal kinds: what the server writes, the enum and what the console words agree."""

from __future__ import annotations

import re
from pathlib import Path

from server.journal.kinds import JournalKind

ROOT = Path(__file__).resolve().parents[2]
WORDS = ROOT / "console_ui" / "js" / "lib" / "words.js"


def test_kinds_are_subject_dot_event() -> None:
    for kind in JournalKind:
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", kind.value), kind
        assert kind.name == kind.value.upper().replace(".", "_"), kind


def test_the_console_words_only_kinds_the_server_writes() -> None:
    handled = set(re.findall(r"case '([a-z_]+\.[a-z_]+)'", WORDS.read_text(encoding="utf-8")))
    assert handled, "words.js names no journal kinds any more: update this test"
    assert handled <= {kind.value for kind in JournalKind}, handled - {kind.value for kind in JournalKind}
