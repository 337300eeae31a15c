"""Literal pre-checks for the triage regexes: a pattern is skipped when a word it needs is absent.

Python's `re` tries a pattern at every position of the text, so running ~150 cue regexes over every message
costs most of triage, although on a typical message almost none of them match. Each pattern is therefore
parsed once, at import, into a *requirement*: a set of keys of which every match must contain at least one:

- ``("w", word)``: a whole word, i.e. a maximal ``\\w+`` run of the text ("kill" in ``\\bkill myself\\b``);
- ``("p", abc)``: a word starting with these three characters ("sui" in ``\\bsuicid\\w*``);
- ``("s", text)``: a substring.

For a text, one pass over its words (`Prefilter.mask`) gives a bitmask of the patterns that may match; the
others cannot match and are not run. The analysis is conservative: anything it does not model (flags,
back references, classes, unbounded repeats) imposes no requirement, so the pattern always runs.

Compiling the ~175 triage regexes and analysing them cost ~0.8 s of CPU, which every server process paid at
import, before it could serve (issue 19: a restart after `kill -9` must serve and post again within 2 s). So
patterns are `LazyPattern`s (`triage_lazy`), compiled on first use, and a pattern's analysis waits until the
first `mask` or `warm_steps`, which the app runs in small steps once it is serving
(`server.triage.triage.warm_up`). A message triaged before that simply pays the rest of the work first; the
results are the same.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence, Set
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

from server.triage.triage_lazy import LazyPattern, Regex

Key = tuple[str, str]

_EDGE = "\x00"  # a zero-width word edge (\b, ^, $, \A, \Z) inside an exact string
_MAX_STRINGS = 512  # cap on the exact strings one run of pattern items may expand to
_MAX_CLASS = 10  # largest character class expanded into single characters
_WORD = re.compile(r"\w+")
_EDGES = {sre.AT_BOUNDARY, sre.AT_BEGINNING, sre.AT_BEGINNING_STRING, sre.AT_END, sre.AT_END_STRING}
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT}
# Words so frequent that requiring them filters almost nothing (only steers the choice of keys).
_COMMON = frozenset(
    "a an and are am as at be but by can do for from get go had has have he her him his how i im in is it "
    "its just like me my no not of on or our she so that the them they this to up was we what when will "
    "with you your".split()
)


# Results per parse-tree node, keyed by (opcode, id(argument)): valid during one `requirement()` call.
_exact_memo: dict[tuple[Any, int], frozenset[str] | None] = {}
_edge_memo: dict[tuple[Any, int, bool], tuple[bool, bool]] = {}
_analysis_lock = threading.Lock()


class _Unsupported(Exception):
    """The pattern uses something the analysis does not model (it then gets no requirement)."""


def _class_chars(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    """Return the characters of a small positive class like ``[12]``, else None."""
    chars: set[str] = set()
    for op, av in items:
        if op is sre.LITERAL:
            chars.add(chr(av))
        elif op is sre.RANGE and av[1] - av[0] < _MAX_CLASS:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        else:
            return None
    return frozenset(chars) if len(chars) <= _MAX_CLASS else None


def _product(left: Set[str], right: Set[str]) -> frozenset[str] | None:
    if len(left) * len(right) > _MAX_STRINGS:
        return None
    return frozenset(a + b for a in left for b in right)


def _exact_seq(items: Iterable[tuple[Any, Any]]) -> frozenset[str] | None:
    """Return every string (with `_EDGE` marks) a sequence of items can match, if few, else None."""
    out: frozenset[str] | None = frozenset({""})
    for op, av in items:
        part = _exact(op, av)
        if part is None or out is None:
            return None
        out = _product(out, part)
    return out


def _exact(op: Any, av: Any) -> frozenset[str] | None:
    """Return every string one item can match (zero-width items as "" or `_EDGE`), if few, else None."""
    if op is sre.LITERAL:
        return frozenset({chr(av)})
    key = (op, id(av))
    if key not in _exact_memo:
        _exact_memo[key] = _exact_node(op, av)
    return _exact_memo[key]


def _exact_node(op: Any, av: Any) -> frozenset[str] | None:
    if op is sre.IN:
        return _class_chars(av)
    if op is sre.AT:
        return frozenset({_EDGE if av in _EDGES else ""})
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return frozenset({""})
    if op is sre.SUBPATTERN:
        if av[1] or av[2]:
            raise _Unsupported("scoped flags")
        return _exact_seq(av[3])
    if op is sre.ATOMIC_GROUP:
        return _exact_seq(av)
    if op is sre.BRANCH:
        out: set[str] = set()
        for alternative in av[1]:
            strings = _exact_seq(alternative)
            if strings is None:
                return None
            out |= strings
        return frozenset(out) if len(out) <= _MAX_STRINGS else None
    if op in _REPEATS and av[1] <= 2:  # x? x{0,2} x{2}: every count spelled out
        body = _exact_seq(av[2])
        repeated: frozenset[str] | None = frozenset({""})
        out = set()
        for count in range(av[1] + 1):
            if body is None or repeated is None:
                return None
            if count >= av[0]:
                out |= repeated
            repeated = _product(repeated, body)
        return frozenset(out) if len(out) <= _MAX_STRINGS else None
    if op in (sre.GROUPREF, sre.GROUPREF_EXISTS):
        raise _Unsupported("back reference")
    return None


def _badness(key: Key) -> int:
    """Rough chance that a text contains the key (lower is more selective)."""
    kind, value = key
    if kind == "w":
        return 50 if value in _COMMON else 20 if len(value) <= 2 else 5 if len(value) == 3 else 1
    if kind == "p":
        return 8
    return 6 if len(value) >= 6 else 12


def _string_key(text: str) -> Key | None:
    """Return the most selective key that every occurrence of this exact string implies."""
    keys: list[Key] = []
    for m in _WORD.finditer(text):
        piece, left, right = m.group(), m.start() > 0, m.end() < len(text)
        if left and right:
            keys.append(("w", piece))
        elif left and len(piece) >= 3:
            keys.append(("p", piece[:3]))
        elif len(piece) >= 3:
            keys.append(("s", piece))
    return min(keys, key=_badness, default=None)


def _requirement_of_strings(strings: Set[str] | None) -> frozenset[Key] | None:
    if not strings:
        return None
    keys = {_string_key(s) for s in strings}
    return None if None in keys else frozenset(k for k in keys if k is not None)


def _best(options: list[frozenset[Key] | None]) -> frozenset[Key] | None:
    real = [o for o in options if o]
    return min(real, key=lambda keys: sum(map(_badness, keys)), default=None)


def _edge_info(op: Any, av: Any, at_end: bool) -> tuple[bool, bool]:
    """Return (can match empty, every non-empty match starts/ends with a non-word character or an edge)."""
    key = (op, id(av), at_end)
    if key not in _edge_memo:
        _edge_memo[key] = _edge_info_node(op, av, at_end)
    return _edge_memo[key]


def _edge_info_node(op: Any, av: Any, at_end: bool) -> tuple[bool, bool]:
    strings = _exact(op, av)
    if strings is not None:
        nonempty = [s for s in strings if s]
        return len(nonempty) < len(strings), all(_WORD.match(s[-1 if at_end else 0]) is None for s in nonempty)
    if op is sre.SUBPATTERN:
        return _seq_edge_info(av[3], at_end)
    if op is sre.ATOMIC_GROUP:
        return _seq_edge_info(av, at_end)
    if op in _REPEATS:
        empty, nonword = _seq_edge_info(av[2], at_end)
        return empty or av[0] == 0, nonword
    if op is sre.BRANCH:
        infos = [_seq_edge_info(alternative, at_end) for alternative in av[1]]
        return any(empty for empty, _ in infos), all(nonword for _, nonword in infos)
    if op in (sre.ANY, sre.NOT_LITERAL, sre.IN):
        return False, False  # one character, maybe a word character
    raise _Unsupported(str(op))


def _seq_edge_info(items: Sequence[tuple[Any, Any]], at_end: bool) -> tuple[bool, bool]:
    empty, nonword = True, True
    for op, av in reversed(items) if at_end else items:
        item_empty, item_nonword = _edge_info(op, av, at_end)
        if empty:  # every item nearer the edge can match empty, so this one may supply the edge character
            nonword = nonword and item_nonword
        empty = empty and item_empty
    return empty, nonword


def _starts_bounded(items: Sequence[tuple[Any, Any]], right: bool) -> bool:
    """True if what `items` match starts with a non-word character or an edge (`right` if they match empty)."""
    for op, av in items:
        empty, nonword = _edge_info(op, av, at_end=False)
        if not nonword:
            return False
        if not empty:
            return True
    return right


def _requirement_seq(
    items: Sequence[tuple[Any, Any]], left: bool = False, right: bool = False
) -> frozenset[Key] | None:
    """Return a key set one of which every match of the sequence contains, or None.

    `left`/`right`: the sequence is known to be preceded/followed by a non-word character or a text edge.
    A run of exact items is expanded into its strings; `_EDGE` marks a known word edge at either end.
    """
    options: list[frozenset[Key] | None] = []
    run: frozenset[str] | None = None  # exact strings of the current run of exact items
    bounded = left  # what precedes the next item ends with a non-word character or an edge
    for index, (op, av) in enumerate(items):
        part = _exact(op, av)
        if part is None:
            after = _starts_bounded(items[index + 1 :], right)
            options += [_requirement_of_strings(run), _requirement(op, av, bounded, after)]
            run = None
            empty, nonword = _edge_info(op, av, at_end=True)
            bounded = nonword and (bounded or not empty)
            continue
        joined = _product(run, part) if run is not None else None
        if joined is None:  # start a run (closing the current one if it would grow too large)
            options.append(_requirement_of_strings(run))
            joined = _product({_EDGE if bounded else ""}, part) or part
        run = joined
        bounded = all(s and _WORD.match(s[-1]) is None for s in run)
    if right and run is not None:
        run = _product(run, {_EDGE}) or run
    options.append(_requirement_of_strings(run))
    return _best(options)


def _requirement(op: Any, av: Any, left: bool, right: bool) -> frozenset[Key] | None:
    if op is sre.SUBPATTERN:
        if av[1] or av[2]:
            raise _Unsupported("scoped flags")
        return _requirement_seq(av[3], left, right)
    if op is sre.ATOMIC_GROUP:
        return _requirement_seq(av, left, right)
    if op in _REPEATS and av[0] >= 1:
        return _requirement_seq(av[2])
    if op is sre.BRANCH:
        keys: set[Key] = set()
        for alternative in av[1]:
            sub = _requirement_seq(alternative, left, right)
            if sub is None:
                return None
            keys |= sub
        return frozenset(keys)
    if op in (sre.GROUPREF, sre.GROUPREF_EXISTS):
        raise _Unsupported("back reference")
    return None


def requirement(pattern: Regex) -> frozenset[Key] | None:
    """Return keys one of which every match of `pattern` contains; None when nothing is required."""
    if not isinstance(pattern.pattern, str) or pattern.flags & (re.IGNORECASE | re.ASCII | re.LOCALE):
        return None
    with _analysis_lock:
        tree = sre_parse.parse(pattern.pattern, pattern.flags)  # kept alive while its ids key the memos
        try:
            return _requirement_seq(tree)
        except _Unsupported:
            return None
        finally:
            _exact_memo.clear()
            _edge_memo.clear()


class Prefilter:
    """Bit-indexed requirements of many patterns; `mask(text)` has a 1 bit for each pattern that may match.

    `add` only registers a pattern; its analysis runs at the first `mask` (or earlier, in `warm_steps`). The
    tables are replaced whole under a lock and the pending list emptied only after, so a `mask` from another
    thread either settles first or sees complete tables: a pattern is never skipped for want of its analysis.
    """

    def __init__(self) -> None:
        self.patterns: list[Regex] = []  # by bit
        self._always = 0
        self._words: dict[str, int] = {}
        self._prefixes: dict[str, int] = {}
        self._substrings: dict[str, int] = {}
        self._memo: dict[str, int] = {}
        self._pending: list[int] = []  # bits added but not yet in the tables
        self._analysed: dict[int, frozenset[Key] | None] = {}  # requirements worked out ahead by warm_steps
        self._settle_lock = threading.Lock()

    def add(self, pattern: Regex) -> int:
        """Register a pattern; return its bit."""
        bit = len(self.patterns)
        self.patterns.append(pattern)
        self._pending.append(bit)
        return bit

    def settle(self) -> None:
        """Put every pattern added so far into the tables (analysing those `warm_steps` has not reached)."""
        with self._settle_lock:
            pending = list(self._pending)
            if not pending:
                return
            always, words = self._always, dict(self._words)
            prefixes, substrings = dict(self._prefixes), dict(self._substrings)
            for bit in pending:
                keys = self._analysed.pop(bit) if bit in self._analysed else requirement(self.patterns[bit])
                if keys is None:
                    always |= 1 << bit
                for kind, value in keys or ():
                    table = words if kind == "w" else prefixes if kind == "p" else substrings
                    table[value] = table.get(value, 0) | 1 << bit
            self._words, self._prefixes, self._substrings, self._always = words, prefixes, substrings, always
            self._memo = {}
            del self._pending[:len(pending)]

    def warm_steps(self) -> Iterator[None]:
        """Analyse and compile the patterns one at a time, yielding between (a few ms each), then settle."""
        for bit in list(self._pending):
            if bit not in self._analysed:
                self._analysed[bit] = requirement(self.patterns[bit])
                yield
        for pattern in list(self.patterns):
            if isinstance(pattern, LazyPattern) and pattern._compiled is None:
                pattern.compiled  # noqa: B018  compiling is the point
                yield
        self.settle()

    def mask(self, text: str) -> int:
        """Return the bits of the patterns that may match `text` (the last few texts are memoised)."""
        if self._pending:
            self.settle()
        found = self._memo.get(text)
        if found is not None:
            return found
        found = self._always
        words = set(_WORD.findall(text))
        for word in words & self._words.keys():
            found |= self._words[word]
        for prefix in {w[:3] for w in words} & self._prefixes.keys():
            found |= self._prefixes[prefix]
        for value, bits in self._substrings.items():
            if bits & ~found and value in text:
                found |= bits
        if len(self._memo) >= 8:
            self._memo.clear()
        self._memo[text] = found
        return found


PREFILTER = Prefilter()


class Guarded:
    """A regex whose `search`, `finditer` and `sub` skip texts that lack the words it needs."""

    __slots__ = ("pattern", "bit")

    def __init__(self, pattern: Regex) -> None:
        self.pattern = pattern
        self.bit = PREFILTER.add(pattern)

    def may_match(self, text: str) -> bool:
        """False only when the pattern certainly has no match in `text`."""
        return bool(PREFILTER.mask(text) >> self.bit & 1)

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text) if self.may_match(text) else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(text) if self.may_match(text) else iter(())

    def sub(self, repl: str | Callable[[re.Match[str]], str], text: str) -> str:
        return self.pattern.sub(repl, text) if self.may_match(text) else text


def guarded(pattern: str) -> Guarded:
    """Register `pattern` (compiled on first use) and its literal pre-check."""
    return Guarded(LazyPattern(pattern))
