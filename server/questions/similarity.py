"""Near-duplicate similarity of audience questions, pure (no database), with flat cost per new question.

How it works:
- `features(text)` turns a question into a weighted term set (see `similarity_text`).
- `similar` counts only *core* terms (topic terms; context terms if a question has no topic term) as
  overlap; context terms and numbers only enlarge the union.
- `bucket_keys(text)` derives a few canonical keys from the core: the core itself plus the core with up
  to `deletions(n)` terms removed. Similarity never exceeds the plain Jaccard of the cores, so two
  questions at `SAME_GROUP_THRESHOLD` (0.6) differ by at most 40% of the larger core and always share
  a key (checked by a property test). This holds while cores have at most `MAX_CORE` terms, which
  covers normal questions.
- A new question is compared only with questions found in its buckets, at most `max_candidates` of
  them (most specific key first). Each bucket keeps at most `max_groups_per_bucket` groups (least
  recently active evicted) and `per_group_per_bucket` questions per group. So one `add` costs a bounded
  number of comparisons, however many questions are stored. The price: a very generic key (two common
  concepts) remembers only recently active groups, so an old group can be missed. In
  `bench/grouping_bench.py` data at 100,000 stored, 6 of 91 probes that a full scan would have
  grouped started new groups instead.

DB-backed use (as in `server/questions/grouping_db.py`): store rows (event_id, key, group_id, question_id)
indexed on (event_id, key). Fetch candidates with `WHERE key IN (:keys)` ordered newest first with a
LIMIT, and score them with `similar`.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from itertools import combinations
from typing import Final, NamedTuple

from server.questions.similarity_text import CONTEXT_WEIGHT, TERM_WEIGHT, features

SAME_GROUP_THRESHOLD: Final = 0.6
MAX_CORE: Final = 6
KEY_PREFIX: Final = "g1:"
MAX_KEY_LENGTH: Final = 120  # longer keys are replaced by a digest, so they fit an indexed DB column


def deletions(core_size: int) -> int:
    """Return how many core terms a key may drop so pairs at the threshold still share a key."""
    if core_size <= 2:
        return 0
    return max(1, int(core_size * (1.0 - SAME_GROUP_THRESHOLD) + 1e-9))


def core_terms(feats: Mapping[str, float]) -> frozenset[str]:
    """Return the terms that can make two questions the same: topic terms, else context terms (no numbers)."""
    topic = frozenset(t for t, w in feats.items() if w >= TERM_WEIGHT)
    if topic:
        return topic
    return frozenset(t for t, w in feats.items() if w == CONTEXT_WEIGHT)


def _core(feats: Mapping[str, float]) -> list[str]:
    """Return the sorted core terms used for keys, at most MAX_CORE of them."""
    core = sorted(core_terms(feats))
    if len(core) > MAX_CORE:
        # Keep concept terms first, then the longest (most specific) words; deterministic.
        core = sorted(sorted(core, key=lambda t: (not t.startswith("~"), -len(t), t))[:MAX_CORE])
    return core


def keys_for_features(feats: Mapping[str, float]) -> list[str]:
    """Return the bucket keys for an already computed weighted term set."""
    core = _core(feats)
    if not core:
        return []
    keys: list[str] = []
    for drop in range(deletions(len(core)) + 1):
        for subset in combinations(core, len(core) - drop):
            if subset:
                keys.append(_key("+".join(subset)))
    return keys


def _key(joined: str) -> str:
    """Return the bucket key for joined core terms, hashing it if it would be too long."""
    key = KEY_PREFIX + joined
    if len(key) <= MAX_KEY_LENGTH:
        return key
    return KEY_PREFIX + "h:" + hashlib.sha1(joined.encode("utf-8"), usedforsecurity=False).hexdigest()


def bucket_keys(text: str) -> list[str]:
    """Return the bucket keys of a question (serialisable strings for an indexed DB lookup)."""
    return keys_for_features(features(text))


def feature_similarity(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Return the similarity of two weighted term sets: shared core weight over the weight of the union.

    Only core terms count as overlap; context terms and numbers only enlarge the union. So sharing
    "surgery" and "heart" never makes "how long is recovery after heart surgery" the same question as
    "how long is heart surgery", and a score >= the threshold implies the cores overlap enough to
    share a bucket key.
    """
    return _sig_similarity(_sig(dict(a)), _sig(dict(b)))


def signature(feats: Mapping[str, float]) -> Signature:
    """The comparison form of a weighted term set, for a caller that compares one text many times (a batch's
    grouping compares each candidate with every question of the batch): `feature_similarity` recomputes it
    on every call, which was most of the grouping's cost in the form's profile (bench/form_bench.py)."""
    return _sig(dict(feats))


def signature_similarity(a: Signature, b: Signature) -> float:
    """`feature_similarity` of two precomputed signatures (the same number)."""
    return _sig_similarity(a, b)


class _Sig(NamedTuple):
    """A stored question's core terms, weights and total weight, precomputed for fast comparison."""

    core: frozenset[str]
    weights: dict[str, float]
    total: float


Signature = _Sig  # the public name of a precomputed comparison form (see `signature`)


def _sig(feats: dict[str, float]) -> _Sig:
    """Precompute the comparison form of a weighted term set."""
    return _Sig(core_terms(feats), feats, sum(feats.values()))


def _sig_similarity(a: _Sig, b: _Sig) -> float:
    """Similarity on precomputed signatures (see `feature_similarity`)."""
    common = a.core & b.core
    if not common:
        return 0.0
    wa, wb = a.weights, b.weights
    inter = sum(wa[t] for t in common)
    union = a.total + sum(w for t, w in wb.items() if t not in wa)
    return inter / union


def similar(a_text: str, b_text: str) -> float:
    """Return the similarity of two questions in [0, 1]; same group when >= SAME_GROUP_THRESHOLD."""
    return _sig_similarity(_sig(features(a_text)), _sig(features(b_text)))


class GroupIndex:
    """In-memory index that assigns each new question to an existing near-duplicate group or a new one."""

    def __init__(
        self,
        *,
        threshold: float = SAME_GROUP_THRESHOLD,
        max_groups_per_bucket: int = 8,
        per_group_per_bucket: int = 4,
        max_candidates: int = 32,
    ) -> None:
        """Create an empty index; bucket limits bound the work per `add`."""
        self.threshold = threshold
        self.max_groups_per_bucket = max_groups_per_bucket
        self.per_group_per_bucket = per_group_per_bucket
        self.max_candidates = max_candidates
        self._sigs: dict[str, _Sig] = {}
        self._group: dict[str, str] = {}
        self._members: dict[str, list[str]] = {}
        self._buckets: dict[str, OrderedDict[str, list[str]]] = {}
        self.comparisons = 0

    def __len__(self) -> int:
        """Return the number of stored questions."""
        return len(self._group)

    def __contains__(self, question_id: object) -> bool:
        """Return True if the question id has been added."""
        return question_id in self._group

    @staticmethod
    def signature(text: str) -> list[str]:
        """Return the bucket keys to persist for a question (same as `bucket_keys`)."""
        return bucket_keys(text)

    def candidates_for_keys(self, keys: Iterable[str]) -> list[str]:
        """Return up to `max_candidates` question ids from the buckets, in key order, newest groups first."""
        seen: dict[str, None] = {}
        limit = self.max_candidates
        for key in keys:
            bucket = self._buckets.get(key)
            if bucket is None:
                continue
            for members in reversed(bucket.values()):
                for qid in members:
                    seen[qid] = None
                if len(seen) >= limit:
                    return list(seen)[:limit]
        return list(seen)

    def add(self, question_id: str, text: str) -> str:
        """Store a question and return its group id (an existing group's id, or question_id if new)."""
        existing = self._group.get(question_id)
        if existing is not None:
            return existing
        feats = features(text)
        keys = keys_for_features(feats)
        sig = _sig(feats)
        sigs = self._sigs
        best_qid, best_score = None, 0.0
        for qid in self.candidates_for_keys(keys):
            self.comparisons += 1
            score = _sig_similarity(sig, sigs[qid])
            if score > best_score:
                best_qid, best_score = qid, score
                if score >= 1.0:
                    break
        group_id = self._group[best_qid] if best_qid is not None and best_score >= self.threshold else question_id
        sigs[question_id] = sig
        self._group[question_id] = group_id
        self._members.setdefault(group_id, []).append(question_id)
        if best_score >= 1.0 and group_id != question_id:
            # Same terms as a stored member of this group: it adds no coverage, so only mark activity.
            for key in keys:
                bucket = self._buckets.get(key)
                if bucket is not None and group_id in bucket:
                    bucket.move_to_end(group_id)
            return group_id
        for key in keys:
            self._file(key, group_id, question_id)
        return group_id

    def _file(self, key: str, group_id: str, question_id: str) -> None:
        """Put a question into one bucket, keeping the bucket's size bounded."""
        bucket = self._buckets.setdefault(key, OrderedDict())
        members = bucket.get(group_id)
        if members is None:
            bucket[group_id] = [question_id]
            if len(bucket) > self.max_groups_per_bucket:
                bucket.popitem(last=False)
            return
        members.append(question_id)
        if len(members) > self.per_group_per_bucket:
            del members[1]  # keep the group's first question and the most recent ones
        bucket.move_to_end(group_id)

    def best_match_exhaustive(self, text: str) -> tuple[str | None, float]:
        """Return (question id, similarity) of the most similar stored question by full scan: O(n), for tests."""
        sig = _sig(features(text))
        best_qid, best_score = None, 0.0
        for qid, other in self._sigs.items():
            score = _sig_similarity(sig, other)
            if score > best_score:
                best_qid, best_score = qid, score
        return best_qid, best_score

    def group_of(self, question_id: str) -> str:
        """Return the group id of a stored question; raise KeyError if unknown."""
        return self._group[question_id]

    def members(self, group_id: str) -> list[str]:
        """Return the question ids in a group, in insertion order (empty if unknown)."""
        return list(self._members.get(group_id, ()))
