"""The ingest route's cache of models and reference profiles follows the store."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from smokejumper.errors import UnknownModelError
from smokejumper.monitoring.schema import Feature, ModelSchema
from smokejumper.service.references import ReferenceCache
from smokejumper.stats.dataset import profile
from smokejumper.store.database import make_engine, session_factory, upgrade
from smokejumper.store.models import register_model, set_reference

SCHEMA = ModelSchema(features=[Feature(name="x", kind="numeric")])


def test_a_replaced_reference_is_read_again(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    sessions = session_factory(engine)
    cache = ReferenceCache()
    other = ReferenceCache()  # another server process on the same store
    try:
        with sessions() as db:
            register_model(db, "m", SCHEMA, 3600)
            db.commit()
        with sessions() as db:
            model, schema, reference = cache.model(db, "m")
            assert (model.name, model.window_seconds, reference) == ("m", 3600, None)
            assert schema == SCHEMA
            with pytest.raises(UnknownModelError, match="nope"):
                cache.model(db, "nope")
        rng = np.random.default_rng(3)
        first = profile(pa.table({"x": rng.normal(size=500)}))
        with sessions() as db:
            set_reference(db, model, first, "test")
            db.commit()
        with sessions() as db:
            _, _, one = cache.model(db, "m")
            _, _, again = cache.model(db, "m")
            assert one is not None
            assert again is one  # parsed once
            assert one.rows == 500
            assert other.get(db, model) is not None
        second = profile(pa.table({"x": rng.normal(5, 1, size=700)}))
        with sessions() as db:
            set_reference(db, model, second, "test")
            db.commit()
        with sessions() as db:
            _, _, fresh = cache.model(db, "m")
            assert fresh is not None
            assert fresh.rows == 700
            seen = other.get(db, model)
            assert seen is not None
            assert seen.rows == 700
    finally:
        engine.dispose()
