"""Regenerate the sample data shipped in src/smokejumper/data (run once; output is committed).

A loan-approval model's inputs: a reference month and a current month in which income is
reported in a new unit by a broken upstream job (x1.25), the applicant mix moved towards
contractors, and credit scores went missing more often. Age, region and the rest are unchanged.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROWS = 5000
OUT = Path(__file__).resolve().parents[1] / "src" / "smokejumper" / "data"


def month(rng: np.random.Generator, start: datetime, *, shifted: bool) -> pa.Table:
    employment = ["salaried", "self-employed", "contractor", "retired"]
    mix = [0.35, 0.2, 0.4, 0.05] if shifted else [0.6, 0.2, 0.15, 0.05]
    income = rng.lognormal(mean=10.6, sigma=0.45, size=ROWS) * (1.25 if shifted else 1.0)
    score = rng.normal(680, 60, size=ROWS).round()
    score_missing = rng.random(ROWS) < (0.08 if shifted else 0.02)
    seconds = np.sort(rng.integers(0, 30 * 86400, size=ROWS))
    return pa.table(
        {
            "applicant_id": [f"A{start:%y%m}-{i:05d}" for i in range(ROWS)],
            "applied_at": pa.array([start + timedelta(seconds=int(s)) for s in seconds],
                                   pa.timestamp("s", tz="UTC")),
            "age": rng.integers(21, 75, size=ROWS),
            "income": income.round(2),
            "credit_score": pa.array(score, mask=score_missing),
            "loan_amount": rng.gamma(2.0, 6000, size=ROWS).round(2),
            "open_accounts": rng.poisson(3.0, size=ROWS),
            "employment": rng.choice(employment, size=ROWS, p=mix),
            "region": rng.choice(["north", "south", "east", "west"], size=ROWS),
            "has_mortgage": rng.random(ROWS) < 0.35,
        }
    )


def main() -> None:
    rng = np.random.default_rng(20261127)
    OUT.mkdir(parents=True, exist_ok=True)
    pq.write_table(month(rng, datetime(2026, 9, 1, tzinfo=UTC), shifted=False),
                   OUT / "loans_reference.parquet")
    pq.write_table(month(rng, datetime(2026, 10, 1, tzinfo=UTC), shifted=True),
                   OUT / "loans_current.parquet")


if __name__ == "__main__":
    main()
