"""One vocabulary of platform names: the capability table's keys, used by every schema that names a platform."""

from __future__ import annotations

from typing import get_args

import pytest
from pydantic import ValidationError

from server.events.schemas import PlatformAccount
from server.platforms.capabilities import CAPABILITIES, PLATFORM_NAMES, PlatformName
from server.schedules.format import PlatformAccountSpec
from server.textrules import PLATFORMS


def test_the_names_are_the_capability_tables_keys() -> None:
    assert PLATFORM_NAMES == tuple(CAPABILITIES) == PLATFORMS
    assert set(get_args(PlatformName)) == set(CAPABILITIES)


@pytest.mark.parametrize("model", [PlatformAccount, PlatformAccountSpec])
def test_schemas_take_exactly_those_names(model: type[PlatformAccount | PlatformAccountSpec]) -> None:
    for name in PLATFORM_NAMES:
        assert model.model_validate({"platform": name, "account": "hospital"}).platform == name
    with pytest.raises(ValidationError):
        model.model_validate({"platform": "myspace", "account": "hospital"})
