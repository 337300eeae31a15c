"""The approval policy in force: an event's own, never below the server's floor.

The floor is `LIVECUE_MIN_APPROVALS` / `LIVECUE_MIN_CLINICAL_APPROVALS`. The app's sessionmaker carries it
(like its clock and the denylist pepper), so every service that has a session can read it: `effective_policy`
is what approving, showing and auto-sending answers go by, also for an event stored before the floor was raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.config import Settings
from server.db.engine import FLOOR_KEY
from server.errors import Invalid
from server.models import Event


@dataclass(frozen=True)
class Policy:
    """How many approvals an item needs, and how many of them from clinical reviewers."""

    approvals_required: int
    clinical_required: int

    def as_dict(self) -> dict[str, int]:
        """The JSON shape (as in the API's `approval_policy`)."""
        return {"approvals_required": self.approvals_required, "clinical_required": self.clinical_required}


DEFAULT_FLOOR = Policy(Settings.model_fields["min_approvals"].default,
                       Settings.model_fields["min_clinical_approvals"].default)


def floor_of(holder: Any) -> Policy:
    """The floor carried by a session (or anything with an `info` dict); the settings' defaults when none is."""
    info = getattr(holder, "info", None) or {}
    floor = info.get(FLOOR_KEY)
    return Policy(*floor) if isinstance(floor, tuple) else DEFAULT_FLOOR


def effective_policy(session: Any, event: Event) -> Policy:
    """The event's policy raised to the floor of the app that opened `session`."""
    floor = floor_of(session)
    clinical = max(event.clinical_required, floor.clinical_required)
    return Policy(max(event.approvals_required, floor.approvals_required, clinical), clinical)


def default_policy(session: Any) -> Policy:
    """The policy of an event created without one: two approvals, one clinical, or the floor when higher."""
    floor = floor_of(session)
    return Policy(max(2, floor.approvals_required), max(1, floor.clinical_required))


def check_policy(session: Any, policy: Policy) -> None:
    """Refuse (422, naming the field) a policy below the floor, or one needing more clinical than all approvals."""
    floor = floor_of(session)
    if policy.approvals_required < floor.approvals_required:
        raise Invalid(f"approvals_required must be at least {floor.approvals_required} "
                         "(the server's floor, LIVECUE_MIN_APPROVALS)",
                         field="approval_policy.approvals_required", extra={"floor": floor.as_dict()})
    if policy.clinical_required < floor.clinical_required:
        raise Invalid(f"clinical_required must be at least {floor.clinical_required} "
                         "(the server's floor, LIVECUE_MIN_CLINICAL_APPROVALS)",
                         field="approval_policy.clinical_required", extra={"floor": floor.as_dict()})
    if policy.clinical_required > policy.approvals_required:
        raise Invalid(f"clinical_required ({policy.clinical_required}) cannot exceed approvals_required "
                         f"({policy.approvals_required}): clinical approvals are among the approvals",
                         field="approval_policy.clinical_required")
