"""Model registration, listing and references."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from smokejumper.errors import ModelExistsError
from smokejumper.monitoring import ingest
from smokejumper.monitoring.schema import ModelSchema
from smokejumper.server.auth import require
from smokejumper.server.body import read_body, reference_profile
from smokejumper.server.state import state
from smokejumper.stats.dataset import profile as profile_of
from smokejumper.store import models as repo
from smokejumper.store.models import DEFAULT_WINDOW_SECONDS
from smokejumper.store.tables import Model

router = APIRouter(prefix="/api/v1/models", tags=["models"])


class ModelOptions(BaseModel):
    """How to register a model."""

    model_config = ConfigDict(extra="forbid")

    exist_ok: bool = Field(
        default=False,
        description="a model of this name with the same schema and window is no error (200)",
    )


class ModelIn(BaseModel):
    """A model to register; unknown keys are refused (422 naming them), not ignored."""

    model_config = ConfigDict(extra="forbid")

    name: str
    model_schema: ModelSchema = Field(alias="schema")
    window_seconds: int = DEFAULT_WINDOW_SECONDS
    options: ModelOptions = Field(default_factory=ModelOptions)


class ModelOut(BaseModel):
    """A registered model (``id`` names its folder in the raw log)."""

    id: int
    name: str
    model_schema: ModelSchema = Field(serialization_alias="schema")
    window_seconds: int
    created_at: datetime
    has_reference: bool


def _out(model: Model, has_reference: bool) -> ModelOut:
    return ModelOut(
        id=model.id,
        name=model.name,
        model_schema=repo.schema_of(model),
        window_seconds=model.window_seconds,
        created_at=model.created_at,
        has_reference=has_reference,
    )


@router.post("", status_code=201, response_model_by_alias=True)
def register(
    body: ModelIn,
    request: Request,
    response: Response,
    _: Annotated[str, Depends(require("write"))],
) -> ModelOut:
    """Register a model with its schema and window size (409 if the name is taken).

    With ``options.exist_ok`` an identical model already registered answers 200. Monitors of
    the monitors file that waited for this model are created now.
    """
    app = state(request)
    with app.sessions() as db:
        try:
            model = repo.register_model(db, body.name, body.model_schema, body.window_seconds)
        except ModelExistsError:
            if not body.options.exist_ok:
                raise
            db.rollback()
            response.status_code = 200
            model = _same_as_registered(db, body)
            return _out(model, repo.reference_of(db, model) is not None)
        app.pending.apply(db)
        return _out(model, False)


def _same_as_registered(db: Session, body: ModelIn) -> Model:
    """The registered model of ``body``'s name, or :class:`ModelExistsError` if it differs."""
    model = repo.get_model(db, body.name)
    if repo.schema_of(model) != body.model_schema or model.window_seconds != body.window_seconds:
        raise ModelExistsError(
            f"a model named {body.name!r} is already registered with another schema or window; "
            "pick another name (options.exist_ok only accepts an identical model)"
        )
    return model


@router.get("", response_model_by_alias=True)
def list_all(request: Request, _: Annotated[str, Depends(require("read"))]) -> list[ModelOut]:
    """Every registered model."""
    with state(request).sessions() as db:
        return [_out(m, repo.reference_of(db, m) is not None) for m in repo.list_models(db)]


@router.get("/{name}", response_model_by_alias=True)
def get_one(name: str, request: Request, _: Annotated[str, Depends(require("read"))]) -> ModelOut:
    """One model."""
    with state(request).sessions() as db:
        model = repo.get_model(db, name)
        return _out(model, repo.reference_of(db, model) is not None)


@router.put("/{name}/reference")
async def put_reference(
    name: str,
    request: Request,
    _: Annotated[str, Depends(require("write"))],
    first_hours: Annotated[
        float | None,
        Query(gt=0, description="take the reference from the first N hours of predictions"),
    ] = None,
) -> dict[str, Any]:
    """Set the model's reference from a profile file, Parquet or CSV body, or from its own
    first hours of predictions; every stored window is then profiled on the new bins."""
    app = state(request)
    body = await read_body(request)

    def store() -> dict[str, Any]:
        with app.sessions() as db:
            model = repo.get_model(db, name)
            schema = repo.schema_of(model)
            if first_hours is not None:
                data = ingest.first_hours(db, app.raw_log, model, schema, first_hours)
                profile, source = profile_of(data), f"first {first_hours:g} h of predictions"
            else:
                profile, source = reference_profile(body, request.headers.get("content-type", ""))
            repo.set_reference(db, model, profile, source)
            batches = ingest.reprofile(db, app.raw_log, model, schema, profile)
            return {
                "model": name,
                "rows": profile.rows,
                "columns": list(profile.columns),
                "source": source,
                "reprofiled_batches": batches,
            }

    return await run_in_threadpool(store)
