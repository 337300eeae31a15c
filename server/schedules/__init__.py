"""Schedule files: an event's run of show written ahead as YAML, and the checker for them."""

from server.schedules.check import check_schedule
from server.schedules.format import Schedule, format_offset, parse_offset
from server.schedules.problems import Problem
from server.schedules.schema import json_schema

__all__ = ["Problem", "Schedule", "check_schedule", "format_offset", "json_schema", "parse_offset"]
