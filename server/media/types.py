"""The value the media pipeline hands to uploaders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MediaKind = Literal["image", "video"]


@dataclass(frozen=True)
class SanitizedMedia:
    """A file stripped of identifying metadata, ready to upload (width/height 0 when unknown)."""

    data: bytes
    mime_type: str
    width: int
    height: int
    sha256: str
    kind: MediaKind

    def __repr__(self) -> str:
        return (
            f"SanitizedMedia(mime_type={self.mime_type!r}, width={self.width}, height={self.height}, "
            f"bytes={len(self.data)}, sha256={self.sha256[:12]}…, kind={self.kind!r})"
        )
