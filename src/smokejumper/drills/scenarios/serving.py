"""Model and serving scenarios: a worse model version behind the alias, a broken calibration,
a slow and failing model server."""

from smokejumper.drills.registry import register
from smokejumper.drills.scenario import Component, Fault, Scenario, Truth

#: The alias the drills' model serves behind, and the bad version moved to it.
ALIAS = "champion"
BAD_VERSION = "v2"

register(
    Scenario(
        "bad_version",
        "Bad model version after an alias move",
        "The champion alias moves to v2, trained on a broken label join (outcomes inverted); "
        "quality drops right after the move.",
        Fault("bad_version", 1.0),
        Truth(
            "model_regression",
            Component("version", ALIAS, version=BAD_VERSION),
            incident=True,
            monitors=("accuracy",),
        ),
        tags=("model", "changes"),
    )
)
register(
    Scenario(
        "confidence_collapse",
        "Confidence collapse",
        "A rebuilt serving image loads the model with a broken calibration layer: every score "
        "is squeezed towards 0.5.",
        Fault("confidence_collapse", 0.9),
        Truth(
            "model_regression",
            Component("serving", "calibration layer"),
            incident=True,
            monitors=("confidence",),
        ),
        tags=("model",),
    )
)
register(
    Scenario(
        "serving_spike",
        "Latency and error spike",
        "The model server's node pool is starved: responses take six times as long and one "
        "request in ten fails.",
        Fault("serving_spike", 6.0),
        Truth(
            "serving_infrastructure",
            Component("serving", "model server"),
            incident=True,
            monitors=("latency", "errors"),
        ),
        tags=("serving",),
    )
)
