"""Drift scenarios: the inputs, the outcomes or the world move away from what the model
learned, and the two that must not open an incident (a known daily pattern, harmless drift)."""

from smokejumper.drills.registry import register
from smokejumper.drills.scenario import Component, Fault, Scenario, Truth

INCOME = Component("feature", "income")

register(
    Scenario(
        "sudden_drift",
        "Sudden covariate drift",
        "A partner starts sending thin-income applicants overnight; the model, linear in income, "
        "under-rates their risk, and accuracy falls.",
        Fault("covariate_shift", -3.5, ("income",)),
        Truth("data_drift", INCOME, incident=True, monitors=("drift",)),
        tags=("drift",),
    )
)
register(
    Scenario(
        "gradual_drift",
        "Gradual covariate drift",
        "The same shift towards thin-income applicants, growing over six windows.",
        Fault("covariate_shift", -3.5, ("income",), ramp_windows=6),
        Truth("data_drift", INCOME, incident=True, monitors=("drift",)),
        tags=("drift",),
    )
)
register(
    Scenario(
        "drift_without_harm",
        "Drift without harm (must not open an incident)",
        "Older applicants arrive after a campaign; the world ignores age, so accuracy holds: "
        "a drift warning, not a page.",
        Fault("covariate_shift", 1.5, ("age",)),
        Truth("data_drift", Component("feature", "age"), incident=False, monitors=("drift",)),
        tags=("drift", "no_incident"),
    )
)
register(
    Scenario(
        "seasonal",
        "Seasonal pattern in the reference (must not open an incident)",
        "Traffic swings by 40% over the day and younger applicants come at night, as they did "
        "in the training data that made the reference: nothing is wrong.",
        None,
        Truth(None, Component("none", ""), incident=False, monitors=()),
        seasonal=True,
        tags=("no_incident",),
    )
)
register(
    Scenario(
        "concept_drift",
        "Concept drift",
        "Credit scores stop predicting defaults and large loans turn safe (a new lending rule "
        "outside the data); the inputs stay as they were, accuracy falls.",
        Fault("concept_drift", 1.0),
        Truth(
            "concept_drift",
            Component("world", "default behaviour"),
            incident=True,
            monitors=("accuracy",),
        ),
        tags=("world",),
    )
)
register(
    Scenario(
        "prior_shift",
        "Prior (label) shift",
        "A downturn: the share of defaults doubles, each kind of applicant defaulting as before.",
        Fault("label_shift", 0.6),
        Truth(
            "label_shift",
            Component("world", "default rate"),
            incident=True,
            monitors=("prediction_drift", "drift"),
        ),
        tags=("world",),
    )
)
