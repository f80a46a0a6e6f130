"""Energy distance (``scipy.stats.energy_distance``), in reference standard deviations.

Needs raw data; no p-value (a permutation test would cost seconds per column).
"""

from __future__ import annotations

from scipy import stats

from smokejumper.stats.ecdf import scaled_samples
from smokejumper.stats.methods.base import NUMERIC, ColumnPair, DriftMethod, MethodResult, register
from smokejumper.stats.noise import energy_floor, squared_spread_integral


@register
class EnergyDistance(DriftMethod):
    name = "energy"
    title = "Energy distance"
    kinds = NUMERIC
    effect = "energy distance in reference standard deviations"
    threshold = 0.1
    has_p_value = False
    needs_raw = True

    def compute(self, pair: ColumnPair) -> MethodResult:
        ref, _ = pair.numeric()
        a, b, std = scaled_samples(ref.std, *pair.raw())
        distance = float(stats.energy_distance(a, b))
        if std > 0:
            return MethodResult(distance / std, None, distance / std)
        note = "reference has no spread: distance is in the column's own units"
        return MethodResult(distance, None, distance, note=note)

    def noise_floor(self, pair: ColumnPair) -> float | None:
        ref, _ = pair.numeric()
        a, b, std = scaled_samples(ref.std, *pair.raw())
        floor = energy_floor(squared_spread_integral(a), a.size, b.size)
        return floor / std if std > 0 else floor
