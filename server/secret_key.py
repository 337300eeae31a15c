"""The server's secret key: encrypts stored platform tokens and peppers the denylist hashes."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet

from server.config import Settings
from server.datadir import private_dir


def load_key(secret_key: str | None, data_dir: Path) -> bytes:
    """The key from settings, else a generated file in the data directory (mode 0600)."""
    if secret_key:
        return secret_key.encode()
    path = data_dir / "secret.key"
    if not path.exists():
        private_dir(data_dir)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_bytes().strip()
        with os.fdopen(fd, "wb") as handle:
            handle.write(Fernet.generate_key())
    return path.read_bytes().strip()


def settings_key(settings: Settings) -> bytes:
    """The key in effect for these settings."""
    text = settings.secret_key.get_secret_value() if settings.secret_key else None
    return load_key(text, settings.data_dir)
