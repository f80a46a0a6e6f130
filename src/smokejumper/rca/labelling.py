"""Did the labels move, and did the model's behaviour within each class hold? From the labelled
rows around the onset (``timestamp``, ``label``, ``prediction``), pure.

A **prior (label) shift** changes how often each outcome happens, not what each outcome looks
like: ``P(y)`` moves while ``P(x | y)`` holds. Three readings tell it from the other causes
that also move the labels:

* the **labels' class shares** before and after the onset differ: a chi-squared test of
  homogeneity on the 2 x k table of counts (uncorrected, as
  ``scipy.stats.chi2_contingency(table, correction=False)``; with two classes its statistic is
  the square of the two-proportion z), with Cramér's V as its size;
* **each class's predictions held**: within each class, the predictions after the onset against
  those before, as a standardised mean difference (numeric scores: Cohen's d on the pooled
  standard deviation) or, for class predictions, Cohen's h on the share predicted right. A
  prior shift leaves them as they were; concept drift (the same inputs now lead to other
  outcomes) and a covariate shift (other inputs within each class) move them;
* the **predictions moved as the new class mix implies**: with numeric scores, the mean
  prediction after the onset against ``sum_c share_after(c) * mean_before(c)`` (each class's
  mean score before, mixed in the new proportions), as the ratio of the observed move to the
  implied one (1: all of it; 0: the predictions did not move, as under concept drift).

The standardised differences are effect sizes, not tests: with ``n`` labelled rows of a class
each side their sampling error is about ``sqrt(2 / n)`` (0.06 at 500), which is why "held"
means under :data:`HELD_FULL` and "moved" over :data:`HELD_NONE`, not "not significant".

>>> from datetime import UTC, datetime, timedelta
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> onset = datetime(2026, 11, 1, 12, tzinfo=UTC)
>>> def side(start, n, rate):
...     y = (rng.random(n) < rate).astype(int)
...     score = np.clip(rng.normal(0.25 + 0.4 * y, 0.1), 0, 1)
...     at = [start + timedelta(seconds=int(s)) for s in rng.integers(0, 6 * 3600, n)]
...     return at, [str(v) for v in y], list(score)
>>> b, a = side(onset - timedelta(hours=6), 2000, 0.3), side(onset, 2000, 0.6)
>>> table = pa.table({"timestamp": b[0] + a[0], "label": b[1] + a[1],
...                   "prediction": b[2] + a[2]})
>>> found = compare_labels(table, onset)
>>> found.moved, round(found.share_before, 2), round(found.share_after, 2)
('1', 0.3, 0.61)
>>> found.p_value < 1e-9, found.worst_shift < HELD_FULL, 0.8 < found.explained < 1.25
(True, True, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from smokejumper.stats.methods.chisquare import chi_squared

#: At least this many labels each side before anything is said.
MIN_LABELS = 100
#: A class is judged for "held" with at least this many labelled rows each side.
MIN_CLASS = 30
#: More distinct labels than this is not a classification (a regression target).
MAX_CLASSES = 20
#: "Held": every class's standardised shift under ``HELD_FULL``; none at ``HELD_NONE`` or over.
HELD_FULL = 0.1
HELD_NONE = 0.25


@dataclass(frozen=True)
class ClassShift:
    """One class's predictions before and after: their standardised ``shift`` (Cohen's d on
    scores, Cohen's h on the share predicted right) and the labelled rows each side."""

    label: str
    shift: float
    before: int
    after: int


@dataclass(frozen=True)
class LabelComparison:
    """The labels before and after the onset (see the module docstring). ``moved`` is the class
    whose share changed most; ``explained`` None when the predictions are not numeric or the
    new mix implies no measurable move."""

    classes: tuple[str, ...]
    counts_before: tuple[int, ...]
    counts_after: tuple[int, ...]
    statistic: float
    p_value: float
    cramers_v: float
    moved: str
    share_before: float
    share_after: float
    per_class: tuple[ClassShift, ...]
    mean_before: float | None
    mean_after: float | None
    mean_implied: float | None
    explained: float | None

    @property
    def worst_shift(self) -> float:
        """The largest absolute shift of a judged class (inf when none could be judged)."""
        return max((abs(c.shift) for c in self.per_class), default=math.inf)

    @property
    def held(self) -> float:
        """How clearly every class's predictions held: 1 under :data:`HELD_FULL`, 0 from
        :data:`HELD_NONE`, linear between."""
        worst = self.worst_shift
        if not math.isfinite(worst):
            return 0.0
        return min(1.0, max(0.0, (HELD_NONE - worst) / (HELD_NONE - HELD_FULL)))


def _numeric(column: pa.ChunkedArray) -> np.ndarray | None:
    if not (pa.types.is_floating(column.type) or pa.types.is_integer(column.type)):
        return None
    values = pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
    return np.asarray(values, dtype=np.float64)


def _both_sides(usable: np.ndarray, after: np.ndarray) -> bool:
    """Whether both sides have :data:`MIN_LABELS` usable predictions."""
    return int((usable & after).sum()) >= MIN_LABELS and int((usable & ~after).sum()) >= MIN_LABELS


def _cohen_d(before: np.ndarray, after: np.ndarray) -> float:
    spread = math.sqrt((float(before.var(ddof=1)) + float(after.var(ddof=1))) / 2)
    gap = float(after.mean() - before.mean())
    if spread == 0:
        return 0.0 if gap == 0 else math.copysign(math.inf, gap)
    return gap / spread


def _cohen_h(before: float, after: float) -> float:
    return 2 * math.asin(math.sqrt(after)) - 2 * math.asin(math.sqrt(before))


def compare_labels(labelled: pa.Table, onset: datetime) -> LabelComparison | None:
    """The labels of ``labelled`` before ``onset`` against those from it; None when either
    side has under :data:`MIN_LABELS` labels, or the labels are not classes."""
    if labelled.num_rows == 0:
        return None
    stamps = labelled.column("timestamp")
    after = np.asarray(
        pc.greater_equal(stamps, pa.scalar(onset, stamps.type)).to_numpy(zero_copy_only=False),
        dtype=bool,
    )
    labels = np.asarray(labelled.column("label").to_pylist(), dtype=object)
    if int(after.sum()) < MIN_LABELS or int((~after).sum()) < MIN_LABELS:
        return None
    classes = tuple(sorted({str(v) for v in labels}))
    if len(classes) < 2 or len(classes) > MAX_CLASSES:
        return None
    before_counts = np.array([np.sum((labels == c) & ~after) for c in classes], dtype=float)
    after_counts = np.array([np.sum((labels == c) & after) for c in classes], dtype=float)
    stat, p, v = chi_squared(before_counts, after_counts)
    shares_b = before_counts / before_counts.sum()
    shares_a = after_counts / after_counts.sum()
    moved = int(np.argmax(np.abs(shares_a - shares_b)))
    scores = _numeric(labelled.column("prediction"))
    per_class: list[ClassShift] = []
    means: tuple[float | None, float | None, float | None] = (None, None, None)
    explained = None
    usable = np.isfinite(scores) if scores is not None else None
    if scores is not None and usable is not None and _both_sides(usable, after):
        class_means = []
        for c in classes:
            b = scores[(labels == c) & ~after & usable]
            a = scores[(labels == c) & after & usable]
            class_means.append(float(b.mean()) if len(b) else math.nan)
            if len(b) >= MIN_CLASS and len(a) >= MIN_CLASS:
                per_class.append(ClassShift(c, _cohen_d(b, a), len(b), len(a)))
        was = float(scores[~after & usable].mean())
        now = float(scores[after & usable].mean())
        known = np.isfinite(class_means)
        implied = float(np.dot(shares_a[known], np.asarray(class_means)[known]))
        implied /= float(shares_a[known].sum()) or 1.0
        means = (was, now, implied)
        spread = float(scores[after & usable].std(ddof=1))
        error = spread / math.sqrt(int((after & usable).sum()))
        if abs(implied - was) > 2 * error:
            explained = (now - was) / (implied - was)
    elif scores is None:
        predicted = np.asarray(
            pc.cast(labelled.column("prediction"), pa.string()).to_pylist(), dtype=object
        )
        if not set(classes) & {str(v) for v in predicted if v is not None}:
            predicted = np.array([], dtype=object)  # predictions of another vocabulary
        for c in classes if len(predicted) else ():
            b = predicted[(labels == c) & ~after]
            a = predicted[(labels == c) & after]
            if len(b) >= MIN_CLASS and len(a) >= MIN_CLASS:
                shift = _cohen_h(float(np.mean(b == c)), float(np.mean(a == c)))
                per_class.append(ClassShift(c, shift, len(b), len(a)))
    return LabelComparison(
        classes=classes,
        counts_before=tuple(int(x) for x in before_counts),
        counts_after=tuple(int(x) for x in after_counts),
        statistic=stat,
        p_value=p,
        cramers_v=v,
        moved=classes[moved],
        share_before=float(shares_b[moved]),
        share_after=float(shares_a[moved]),
        per_class=tuple(per_class),
        mean_before=means[0],
        mean_after=means[1],
        mean_implied=means[2],
        explained=explained,
    )
