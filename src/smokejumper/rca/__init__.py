"""Root-cause analysis, pure: evidence collectors (one module each, found by a registry), the
evidence they return, and hypotheses ranked from it with an explainable score.

The service gathers a :class:`~smokejumper.rca.inputs.DiagnosisInputs` from the store and calls
:func:`~smokejumper.rca.diagnosis.diagnose`; nothing here reads a clock, a file or a database.
See docs/rca.md.
"""

from smokejumper.rca.diagnosis import Diagnosis, diagnose
from smokejumper.rca.evidence import CATEGORIES, Cause, Evidence, Ref
from smokejumper.rca.hypotheses import Hypothesis, combine, confidence
from smokejumper.rca.inputs import DiagnosisInputs, ModelFacts, Observed

__all__ = [
    "CATEGORIES",
    "Cause",
    "Diagnosis",
    "DiagnosisInputs",
    "Evidence",
    "Hypothesis",
    "ModelFacts",
    "Observed",
    "Ref",
    "combine",
    "confidence",
    "diagnose",
]
