"""Model registration, listing and references."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import Base64Bytes, BaseModel, ConfigDict, Field

from smokejumper.monitoring.schema import ModelSchema
from smokejumper.server.auth import require
from smokejumper.server.body import read_body, reference_profile
from smokejumper.server.openapi import REFERENCE_BODY, refusals
from smokejumper.server.state import state
from smokejumper.service import models as service
from smokejumper.service.ingest import MAX_FIRST_HOURS
from smokejumper.store.database import as_utc
from smokejumper.store.models import DEFAULT_WINDOW_SECONDS

router = APIRouter(prefix="/api/v1/models", tags=["models"])


class ModelOptions(BaseModel):
    """How to register a model."""

    model_config = ConfigDict(extra="forbid")

    exist_ok: bool = Field(
        default=False,
        description="a model of this name with the same schema and window is no error (200)",
    )


class ReferenceUpload(BaseModel):
    """A reference file sent with the registration, base64-encoded."""

    model_config = ConfigDict(extra="forbid")

    content_type: str = Field(
        description="text/csv, application/vnd.apache.parquet, or application/octet-stream "
        "for a Smokejumper profile file"
    )
    data: Base64Bytes = Field(description="the file's bytes, base64")


class ModelIn(BaseModel):
    """A model to register; unknown keys are refused (422 naming them), not ignored."""

    model_config = ConfigDict(extra="forbid")

    name: str
    model_schema: ModelSchema = Field(alias="schema")
    window_seconds: int = DEFAULT_WINDOW_SECONDS
    options: ModelOptions = Field(default_factory=ModelOptions)
    reference: ReferenceUpload | None = Field(
        default=None,
        description="set the reference in the same unit of work: both are stored or neither",
    )


class ModelOut(BaseModel):
    """A registered model (``id`` names its folder in the raw log)."""

    id: int
    name: str
    model_schema: ModelSchema = Field(serialization_alias="schema")
    window_seconds: int
    created_at: datetime
    has_reference: bool


class ReferenceOut(BaseModel):
    """What setting a reference did; only the model's features are kept from it."""

    model: str
    rows: int
    columns: list[str]
    source: str
    reprofiled_batches: int
    ignored_columns: list[str] = Field(description="columns of the data that are not features")
    missing_features: list[str] = Field(description="features the reference lacks (no drift)")
    phases: int = Field(
        default=0,
        description="hours of the week (UTC) the reference has rows in, from its time: what "
        "monitors with a seasonality compare windows with (0: it carries no time)",
    )
    time_column: str | None = Field(
        default=None, description="the column the phases were taken from (null: none)"
    )
    time_note: str | None = Field(
        default=None, description="why a column named as the model's timestamp gave no phases"
    )


class RegisteredOut(ModelOut):
    """A model registered, with the reference this request set (null if none)."""

    reference: ReferenceOut | None = None


def _reference_out(name: str, done: service.ReferenceSet) -> ReferenceOut:
    return ReferenceOut(
        model=name,
        rows=done.profile.rows,
        columns=list(done.profile.columns),
        source=done.source,
        reprofiled_batches=done.reprofiled_batches,
        ignored_columns=list(done.ignored),
        missing_features=list(done.missing),
        phases=len(done.phases),
        time_column=done.time_column,
        time_note=done.time_note,
    )


def _out(found: service.Registered) -> ModelOut:
    model = found.model
    return ModelOut(
        id=model.id,
        name=model.name,
        model_schema=ModelSchema.model_validate_json(model.schema_json),
        window_seconds=model.window_seconds,
        created_at=as_utc(model.created_at),
        has_reference=found.has_reference,
    )


@router.post(
    "", status_code=201, response_model_by_alias=True, responses=refusals(400, 409, 413, 422)
)
def register(
    body: ModelIn,
    request: Request,
    response: Response,
    _: Annotated[str, Depends(require("write"))],
) -> RegisteredOut:
    """Register a model with its schema and window size (409 if the name is taken), and its
    reference when given: both are stored, or neither (422 saying why).

    With ``options.exist_ok`` an identical model already registered answers 200 (its reference
    is set from the one given if it has none yet, and kept otherwise). Monitors of the monitors
    file that waited for this model are created now.
    """
    app = state(request)
    upload = body.reference
    found = service.register(
        app.sessions,
        app.pending,
        body.name,
        body.model_schema,
        body.window_seconds,
        exist_ok=body.options.exist_ok,
        reference=(
            (lambda: reference_profile(upload.data, upload.content_type))
            if upload is not None
            else None
        ),
        raw_log=app.raw_log,
    )
    if not found.created:
        response.status_code = 200
    done = found.reference
    return RegisteredOut(
        **_out(found).model_dump(),
        reference=_reference_out(body.name, done) if done is not None else None,
    )


@router.get("", response_model_by_alias=True, responses=refusals())
def list_all(request: Request, _: Annotated[str, Depends(require("read"))]) -> list[ModelOut]:
    """Every registered model."""
    return [_out(found) for found in service.registered(state(request).sessions)]


@router.get("/{name}", response_model_by_alias=True, responses=refusals(404, 422))
def get_one(name: str, request: Request, _: Annotated[str, Depends(require("read"))]) -> ModelOut:
    """One model."""
    return _out(service.registered(state(request).sessions, name)[0])


@router.put("/{name}/reference", responses=refusals(404, 413, 422), openapi_extra=REFERENCE_BODY)
async def put_reference(
    name: str,
    request: Request,
    _: Annotated[str, Depends(require("write"))],
    first_hours: Annotated[
        float | None,
        Query(
            gt=0,
            le=MAX_FIRST_HOURS,
            allow_inf_nan=False,
            description="take the reference from the first N hours of predictions",
        ),
    ] = None,
) -> dict[str, Any]:
    """Set the model's reference from a profile file, Parquet or CSV body, or from its own
    first hours of predictions; every stored window is then profiled on the new bins. Only
    the model's features are kept: other columns are ignored and named in the answer."""
    app = state(request)
    body = await read_body(request)

    def store() -> dict[str, Any]:
        content_type = request.headers.get("content-type", "")
        done = service.set_reference(
            app.sessions,
            app.raw_log,
            name,
            lambda: reference_profile(body, content_type),
            first_hours,
        )
        return _reference_out(name, done).model_dump()

    return await run_in_threadpool(store)
