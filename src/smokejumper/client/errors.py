"""Errors of the client SDK. Logging never raises them; only setting a client up wrong does.

>>> from smokejumper.errors import SmokejumperError
>>> issubclass(ClientError, SmokejumperError) and issubclass(SpoolFileError, ClientError)
True
"""

from __future__ import annotations

from smokejumper.errors import SmokejumperError


class ClientError(SmokejumperError):
    """A client cannot work as configured (no token, a malformed URL, a negative size...)."""


class SpoolFileError(ClientError):
    """A file in the spool folder is damaged or not a spooled batch; it is set aside."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(
            f"spool file {path!r} cannot be read: {reason}. It was moved to the spool's "
            "'rejected' folder; delete it, or fix it and move it back to resend it."
        )
        self.path = path
