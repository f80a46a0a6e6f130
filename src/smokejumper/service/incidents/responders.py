"""An incident's responders: the owners its models declare in their schemas (``owners:``),
by discipline (see :mod:`smokejumper.incidents.responders`). A model not registered (named
on an incident declared by hand, say) has no owners to call."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from smokejumper.errors import UnknownModelError
from smokejumper.incidents import Responder, assemble_responders
from smokejumper.store.models import get_model, schema_of


def responders_of(session: Session, models: Iterable[str]) -> tuple[Responder, ...]:
    """The responders of ``models``, from their schemas' owners."""
    owners = {}
    for model in models:
        try:
            schema = schema_of(get_model(session, model))
        except UnknownModelError:
            continue
        owners[model] = [o.model_dump(exclude_none=True) for o in schema.owners]
    return assemble_responders(owners)
