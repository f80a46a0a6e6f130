"""Text the service stores or looks up by: names, ids, labels. PostgreSQL text cannot hold the
NUL character, so text holding one is refused where it is parsed, with the reason, on every
store alike (rather than failing in the database, or only on PostgreSQL).

>>> from pydantic import BaseModel
>>> class Named(BaseModel):
...     name: Text
>>> Named(name="churn").name
'churn'
>>> check_text("ch\\x00urn")
Traceback (most recent call last):
...
ValueError: holds the NUL character (\\u0000), which cannot be stored; remove it (at position 2)
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

NUL = "\x00"


def check_text(value: str) -> str:
    """``value``, or :class:`ValueError` when it holds the NUL character."""
    if NUL in value:
        raise ValueError(
            "holds the NUL character (\\u0000), which cannot be stored; remove it "
            f"(at position {value.index(NUL)})"
        )
    return value


#: A string without the NUL character (for pydantic models).
Text = Annotated[str, AfterValidator(check_text)]
