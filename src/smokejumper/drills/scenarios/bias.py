"""Fairness scenarios: the model's errors grow for one group of applicants only, while the
traffic as a whole looks much as it did."""

from smokejumper.drills.registry import register
from smokejumper.drills.scenario import Component, Fault, Scenario, Truth

#: The region the world changes for (the loans pool's declared segment column is ``region``).
REGION = "south"

register(
    Scenario(
        "segment_bias",
        "Bias emerging in one segment only",
        f"A regional housing-subsidy scheme starts in the {REGION}: it guarantees large loans "
        "there, so they turn safe, and draws well-scored applicants carrying debts the bureau "
        "does not see yet, so there a good score now warns of default. Nothing the model sees "
        "moves and the default rate barely does, but the model is now wrong about one "
        f"applicant in two in the {REGION}, as right as before everywhere else, and overall "
        "accuracy hovers at its floor.",
        Fault("segment_concept", 2.0, ("region",), value=REGION),
        Truth(
            "fairness_bias",
            Component("segment", f"region={REGION}"),
            incident=True,
            monitors=("fairness",),
        ),
        tags=("world", "fairness"),
    )
)
