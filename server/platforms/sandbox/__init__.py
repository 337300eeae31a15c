"""The built-in sandbox platform."""

from server.platforms.sandbox.adapter import SandboxPlatform
from server.platforms.sandbox.faults import FaultPlan

__all__ = ["FaultPlan", "SandboxPlatform"]
