"""Data scenarios: what reaches the model is broken upstream (a pipeline, a schema, a feature
store, the traffic itself)."""

from smokejumper.drills.registry import register
from smokejumper.drills.scenario import Component, Fault, Scenario, Truth

#: The feature pipeline a drill model's inputs come from (its OpenLineage job and dataset).
PIPELINE_JOB = "etl.loans_features"
PIPELINE_NAMESPACE = "drills"
PIPELINE_DATASET = "features.loans"
#: The application gateway's hourly landing job, and the dataset of applications it writes
#: for the model to score (the volume drop's upstream, announced through OpenLineage).
GATEWAY_JOB = "gateway.loan_applications"
GATEWAY_DATASET = "applications.loans"

register(
    Scenario(
        "pipeline_failure",
        "Silent upstream pipeline failure",
        "The credit-bureau join of the features job fails quietly: it writes a tenth of its "
        "usual rows (its OpenLineage run says so) and credit_score arrives null for 40% of the "
        "applications.",
        Fault("pipeline_nulls", 0.4, ("credit_score",)),
        Truth(
            "data_quality",
            Component("pipeline", PIPELINE_JOB, version="onset"),
            incident=True,
            monitors=("nulls", "quality"),
        ),
        tags=("data", "lineage"),
    )
)
register(
    Scenario(
        "unit_change",
        "Unit change upstream",
        "The loan service starts sending loan_amount in cents instead of euros.",
        Fault("rescale", 100.0, ("loan_amount",)),
        Truth(
            "schema_change",
            Component("feature", "loan_amount"),
            incident=True,
            monitors=("range_loan_amount",),
        ),
        tags=("data",),
    )
)
register(
    Scenario(
        "unseen_categories",
        "Unseen categories",
        "The lender opens in a new region: a third of the applications come from 'central', "
        "which the model never saw.",
        Fault("new_category", 0.3, ("region",)),
        Truth(
            "data_drift",
            Component("feature", "region"),
            incident=True,
            monitors=("unseen_region",),
        ),
        tags=("data",),
    )
)
register(
    Scenario(
        "stale_features",
        "Stale features (feature-store outage)",
        "The online feature store stops refreshing: income and credit_score are served from a "
        "frozen cache for 70% of the requests.",
        Fault("frozen", 0.7, ("income", "credit_score")),
        Truth(
            "data_quality",
            Component("feature", "credit_score"),
            incident=True,
            monitors=("quality",),
        ),
        tags=("data",),
    )
)
register(
    Scenario(
        "volume_drop",
        "Volume drop upstream",
        "The application gateway loses a partition: 90% of the traffic never reaches the model. "
        "The gateway's hourly landing job reports its runs through OpenLineage (the row count "
        "of each hour's applications), and the model declares that dataset as its input.",
        Fault("volume_drop", 0.9),
        Truth(
            "data_quality",
            Component("pipeline", GATEWAY_JOB, version="onset"),
            incident=True,
            monitors=("volume",),
        ),
        tags=("data", "gateway"),
    )
)
