"""The ML incident taxonomy: what kind of failure an incident is, as labels with slugs.

The labels follow the failure modes the field names (Sculley et al. 2015, "Hidden technical
debt in machine learning systems"; the AI Incident Database's taxonomy): drift in the inputs
or in the relation to the target, broken data and pipelines, schema changes, bad model
versions, serving trouble, bias, feedback loops, abuse and changes in the world. Each label
has a ``slug`` (what is stored, sent and written in files), a readable ``name``, what it
covers, and the fishbone ``category`` where a root-cause analysis usually starts (a hint, not
a verdict; causes are systems, never people).

An incident may carry several labels. :func:`taxonomy_label` accepts the slug or the name in
any case and spelling of separators, so ``Data drift``, ``data-drift`` and ``data_drift`` are
one label.

>>> taxonomy_label("Fairness / bias").slug
'fairness_bias'
>>> taxonomy_label("data quality / pipeline failure").name
'Data quality / pipeline failure'
>>> taxonomy_label("weather")
Traceback (most recent call last):
...
smokejumper.errors.IncidentError: unknown taxonomy label 'weather'; known labels: data_drift, \
label_shift, concept_drift, data_quality, schema_change, training_serving_skew, \
model_regression, misconfigured_threshold, serving_infrastructure, fairness_bias, \
feedback_loop, adversarial_abuse, external_change
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from smokejumper.errors import IncidentError

Category = Literal["Data", "Model", "Infrastructure", "External", "Process"]


@dataclass(frozen=True)
class TaxonomyLabel:
    """One kind of ML failure."""

    slug: str
    name: str
    covers: str
    category: Category


#: Every label, in the order pages list them.
TAXONOMY: tuple[TaxonomyLabel, ...] = (
    TaxonomyLabel(
        "data_drift",
        "Data drift",
        "the inputs' distribution moved away from the reference (covariate shift)",
        "Data",
    ),
    TaxonomyLabel(
        "label_shift",
        "Prior / label shift",
        "the share of each outcome changed while its relation to the inputs held",
        "External",
    ),
    TaxonomyLabel(
        "concept_drift",
        "Concept drift",
        "the relation between the inputs and the target changed; the model answers an old question",
        "External",
    ),
    TaxonomyLabel(
        "data_quality",
        "Data quality / pipeline failure",
        "nulls, zeros, duplicates, a volume drop, stale features, a failed or partial run",
        "Data",
    ),
    TaxonomyLabel(
        "schema_change",
        "Schema or unit change",
        "a column renamed, retyped, re-encoded or in other units upstream",
        "Data",
    ),
    TaxonomyLabel(
        "training_serving_skew",
        "Training-serving skew",
        "features computed one way in training and another way in serving",
        "Data",
    ),
    TaxonomyLabel(
        "model_regression",
        "Model regression",
        "a worse model version: bad training or fine-tuning data, a bad build, a wrong alias",
        "Model",
    ),
    TaxonomyLabel(
        "misconfigured_threshold",
        "Misconfigured threshold",
        "a decision threshold or other setting that no longer fits the scores",
        "Process",
    ),
    TaxonomyLabel(
        "serving_infrastructure",
        "Serving infrastructure",
        "latency, errors, timeouts, exhausted resources, an unreachable dependency",
        "Infrastructure",
    ),
    TaxonomyLabel(
        "fairness_bias",
        "Fairness / bias",
        "outcomes or errors differ unfairly between groups of people",
        "Model",
    ),
    TaxonomyLabel(
        "feedback_loop",
        "Feedback loop",
        "the model's own predictions shape the data it is trained or judged on",
        "Model",
    ),
    TaxonomyLabel(
        "adversarial_abuse",
        "Adversarial or abuse",
        "poisoning, evasion, scraping or prompt injection by someone acting on purpose",
        "External",
    ),
    TaxonomyLabel(
        "external_change",
        "External world change",
        "the world changed (a season, a law, a market, a partner's product) around the model",
        "External",
    ),
)

BY_SLUG: dict[str, TaxonomyLabel] = {label.slug: label for label in TAXONOMY}

_ALIASES = {
    "covariate_shift": "data_drift",
    "prior_shift": "label_shift",
    "prior_label_shift": "label_shift",
    "data_quality_pipeline_failure": "data_quality",
    "pipeline_failure": "data_quality",
    "schema_or_unit_change": "schema_change",
    "unit_change": "schema_change",
    "fairness": "fairness_bias",
    "bias": "fairness_bias",
    "adversarial": "adversarial_abuse",
    "abuse": "adversarial_abuse",
    "adversarial_or_abuse": "adversarial_abuse",
    "external_world_change": "external_change",
}


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


for _label in TAXONOMY:
    _ALIASES.setdefault(_key(_label.name), _label.slug)


def taxonomy_label(value: object) -> TaxonomyLabel:
    """The label ``value`` names (slug or name, any case and separators)."""
    key = _key(value) if isinstance(value, str) else ""
    slug = key if key in BY_SLUG else _ALIASES.get(key)
    if slug is None:
        raise IncidentError(f"unknown taxonomy label {value!r}; known labels: {', '.join(BY_SLUG)}")
    return BY_SLUG[slug]


def taxonomy_slugs(values: Iterable[object]) -> tuple[str, ...]:
    """The slugs of ``values``, checked, without repeats, in taxonomy order.

    >>> taxonomy_slugs(["serving infrastructure", "Data drift", "data_drift"])
    ('data_drift', 'serving_infrastructure')
    """
    if isinstance(values, str):
        values = [values]
    wanted = {taxonomy_label(v).slug for v in values}
    return tuple(label.slug for label in TAXONOMY if label.slug in wanted)
