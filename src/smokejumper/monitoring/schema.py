"""A model's schema: what each logged prediction carries, and the Arrow layout it is stored in.

>>> schema = ModelSchema(features=[Feature(name="age", kind="numeric")])
>>> [f.name for f in schema.arrow_schema()]
['id', 'timestamp', 'version', 'age', 'prediction', 'confidence', 'latency_ms', 'error']
"""

from __future__ import annotations

from typing import Literal

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, model_validator

FeatureKind = Literal["numeric", "categorical", "boolean", "text", "datetime"]
PredictionKind = Literal["numeric", "categorical", "boolean"]

#: Columns every stored prediction has besides the features.
SYSTEM_COLUMNS = ("id", "timestamp", "version", "prediction", "confidence", "latency_ms", "error")

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


class ModelSchema(BaseModel):
    """What a model logs per prediction. Feature and segment names must be unique."""

    model_config = ConfigDict(extra="forbid")

    features: list[Feature] = Field(min_length=1)
    prediction_kind: PredictionKind = "numeric"
    segments: list[str] = Field(default_factory=list)

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
