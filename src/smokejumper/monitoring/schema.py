"""A model's schema: what each logged prediction carries, and the Arrow layout it is stored in.

>>> schema = ModelSchema(features=[Feature(name="age", kind="numeric")])
>>> [f.name for f in schema.arrow_schema()]
['id', 'timestamp', 'version', 'age', 'prediction', 'confidence', 'latency_ms', 'error']
"""

from __future__ import annotations

from typing import Literal

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, model_validator

from smokejumper.protocol import RECORD_FIELDS

FeatureKind = Literal["numeric", "categorical", "boolean", "text", "datetime"]
PredictionKind = Literal["numeric", "categorical", "boolean"]

#: Columns every stored prediction has besides the features.
SYSTEM_COLUMNS = RECORD_FIELDS

_ARROW = {
    "numeric": pa.float64(),
    "categorical": pa.string(),
    "boolean": pa.bool_(),
    "text": pa.string(),
    "datetime": pa.timestamp("us", tz="UTC"),
}


class Feature(BaseModel):
    """One input feature of the model."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    kind: FeatureKind = "numeric"


Discipline = Literal["ml_engineer", "data_scientist", "data_engineer", "product"]


class Owner(BaseModel):
    """Someone who answers for the model, by discipline: an incident of the model calls its
    owners as responders (and invites them to its Slack channel by their ``slack`` user id).

    >>> Owner(discipline="data_engineer", slack="U02CY", email="cy@example.com").slack
    'U02CY'
    >>> from pydantic import ValidationError
    >>> try:
    ...     Owner(discipline="product")
    ... except ValidationError as err:
    ...     err.errors()[0]["msg"]
    'Value error, an owner needs a name, a slack user id or an email'
    """

    model_config = ConfigDict(extra="forbid")

    discipline: Discipline
    name: str | None = Field(default=None, min_length=1, max_length=200)
    slack: str | None = Field(
        default=None,
        pattern=r"^[UW][A-Z0-9]{2,20}$",
        description="the Slack member id (U0123ABCD), not the display name",
    )
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")

    @model_validator(mode="after")
    def _someone(self) -> Owner:
        if not (self.name or self.slack or self.email):
            raise ValueError("an owner needs a name, a slack user id or an email")
        return self


class DatasetInput(BaseModel):
    """A dataset the model reads, named as OpenLineage names it (the ``namespace`` and
    ``name`` of the pipelines' events), so lineage can tell which models lie downstream of
    a broken pipeline run.

    >>> DatasetInput(namespace="warehouse", name="features.churn").name
    'features.churn'
    """

    model_config = ConfigDict(extra="forbid")

    namespace: str = Field(min_length=1, max_length=500)
    name: str = Field(min_length=1, max_length=1000)


class RecordColumns(BaseModel):
    """What the model's own tables call the prediction record's fields, where the names differ.

    Columnar batches (Arrow bodies, ``log_batch``) may use these names; they are stored under
    the standard ones (``id``, ``timestamp``, ...). JSON records always use the standard names.

    >>> RecordColumns(id="request_id").renames()
    {'request_id': 'id'}
    """

    model_config = ConfigDict(extra="forbid")

    id: str = Field(default="id", min_length=1, max_length=200)
    timestamp: str = Field(default="timestamp", min_length=1, max_length=200)
    version: str = Field(default="version", min_length=1, max_length=200)
    prediction: str = Field(default="prediction", min_length=1, max_length=200)
    confidence: str = Field(default="confidence", min_length=1, max_length=200)
    latency_ms: str = Field(default="latency_ms", min_length=1, max_length=200)
    error: str = Field(default="error", min_length=1, max_length=200)

    def renames(self) -> dict[str, str]:
        """Own name to standard name, for the fields whose names differ."""
        return {own: std for std, own in self.model_dump().items() if own != std}

    def own(self, standard: str) -> str:
        """What the model's tables call the standard field ``standard``."""
        return str(getattr(self, standard))


class ModelSchema(BaseModel):
    """What a model logs per prediction. Feature and segment names must be unique."""

    model_config = ConfigDict(extra="forbid")

    features: list[Feature] = Field(min_length=1)
    prediction_kind: PredictionKind = "numeric"
    segments: list[str] = Field(default_factory=list)
    columns: RecordColumns = Field(default_factory=RecordColumns)
    #: Who answers for the model, by discipline (optional): an incident's responders.
    owners: list[Owner] = Field(default_factory=list, max_length=50)
    #: The OpenLineage datasets the model reads (optional): its place in the lineage graph.
    inputs: list[DatasetInput] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _names(self) -> ModelSchema:
        names = [f.name for f in self.features]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"feature names must be unique; repeated: {', '.join(duplicated)}")
        clashes = sorted(set(names) & set(SYSTEM_COLUMNS))
        if clashes:
            raise ValueError(
                f"feature names {', '.join(clashes)} are reserved for the prediction record; "
                "rename them"
            )
        own = list(self.columns.model_dump().values())
        repeated = sorted({n for n in own if own.count(n) > 1} | (set(own) & set(names)))
        if repeated:
            raise ValueError(
                f"columns: {', '.join(repeated)} would name two fields; give each its own name"
            )
        unknown = sorted(set(self.segments) - set(names))
        if unknown:
            raise ValueError(f"segment columns must be features; unknown: {', '.join(unknown)}")
        return self

    def feature(self, name: str) -> Feature:
        """The feature called ``name``."""
        return next(f for f in self.features if f.name == name)

    def arrow_schema(self) -> pa.Schema:
        """The Arrow schema predictions are stored with."""
        return pa.schema(
            [
                pa.field("id", pa.string(), nullable=False),
                pa.field("timestamp", pa.timestamp("us", tz="UTC"), nullable=False),
                pa.field("version", pa.string()),
                *(pa.field(f.name, _ARROW[f.kind]) for f in self.features),
                pa.field("prediction", _ARROW[self.prediction_kind]),
                pa.field("confidence", pa.float64()),
                pa.field("latency_ms", pa.float64()),
                pa.field("error", pa.bool_()),
            ]
        )
