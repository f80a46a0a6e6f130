"""What one delivery attempt came to: delivered, retry (later, perhaps after ``retry_after``
seconds) or dead (retrying cannot help; the error keeps the receiver's answer).

>>> Outcome.retry("POST https://hooks.example: 503 Service Unavailable", retry_after=30)
Outcome(status='retry', error='POST https://hooks.example: 503 Service Unavailable', \
retry_after=30.0, detail='')
>>> Outcome.dead("token=abc123 refused").scrubbed(["abc123"]).error
'token=<secret> refused'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

Status = Literal["delivered", "retry", "dead"]

#: Shown in place of a secret's value.
REDACTED = "<secret>"


@dataclass(frozen=True)
class Outcome:
    """The result of sending one notification through one integration.

    ``error`` says what went wrong (empty when delivered); ``retry_after`` is the delay the
    receiver asked for (``Retry-After``), a floor for the next attempt; ``detail`` is a note on
    a success (nothing to send, some recipients refused).
    """

    status: Status
    error: str = ""
    retry_after: float | None = None
    detail: str = ""

    @classmethod
    def delivered(cls, detail: str = "") -> Outcome:
        """The receiver took it."""
        return cls("delivered", detail=detail)

    @classmethod
    def retry(cls, error: str, retry_after: float | None = None) -> Outcome:
        """A failure that may pass: try again later, not before ``retry_after`` seconds."""
        return cls("retry", error, None if retry_after is None else float(retry_after))

    @classmethod
    def dead(cls, error: str) -> Outcome:
        """A failure that retrying cannot fix (refused as invalid, misconfigured)."""
        return cls("dead", error)

    @property
    def ok(self) -> bool:
        """Whether it was delivered."""
        return self.status == "delivered"

    def scrubbed(self, secrets: Iterable[str]) -> Outcome:
        """The outcome with every secret value (of 4 characters or more) in its texts
        replaced by ``<secret>``: a receiver may echo what it was sent."""
        error, detail = self.error, self.detail
        for secret in sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True):
            error, detail = error.replace(secret, REDACTED), detail.replace(secret, REDACTED)
        return replace(self, error=error, detail=detail)
