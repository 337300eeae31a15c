"""Media pipeline: verify uploads, strip identifying metadata, fit platform limits, store by content hash."""

from server.media.errors import MediaRejected, MediaStoreError
from server.media.fit import fit_to_limits
from server.media.placeholder import placeholder_image
from server.media.sanitize import check_declared_type, sanitize_image, sanitize_media
from server.media.store import MediaStore
from server.media.types import MediaKind, SanitizedMedia
from server.media.video import sanitize_video

__all__ = [
    "MediaKind",
    "MediaRejected",
    "MediaStore",
    "MediaStoreError",
    "SanitizedMedia",
    "check_declared_type",
    "fit_to_limits",
    "placeholder_image",
    "sanitize_image",
    "sanitize_media",
    "sanitize_video",
]
