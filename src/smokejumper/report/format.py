"""Small number formatting shared by the renderers.

>>> fmt(0.000012345), fmt(None), fmt(12.5), p_fmt(1e-300)
('1.23e-05', '-', '12.5', '<1e-16')
"""

from __future__ import annotations


def fmt(value: float | None, digits: int = 3) -> str:
    """A number in at most ``digits`` significant digits, ``-`` for none."""
    if value is None:
        return "-"
    return f"{value:.{digits}g}"


def p_fmt(value: float | None) -> str:
    """A p-value; values below double precision's resolution print as ``<1e-16``."""
    if value is None:
        return "-"
    return "<1e-16" if value < 1e-16 else fmt(value)


def limit_fmt(threshold: float | None, noise_floor: float | None) -> str:
    """A threshold, with the noise floor when that is higher (small samples).

    >>> limit_fmt(0.1, 0.05), limit_fmt(0.1, 0.2)
    ('0.1', '0.1 (noise 0.2)')
    """
    if threshold is not None and noise_floor is not None and noise_floor > threshold:
        return f"{fmt(threshold)} (noise {fmt(noise_floor, 2)})"
    return fmt(threshold)


def verdict(drift: bool, status: str, broken: bool = False) -> str:
    """One word for a column's verdict (``BROKEN`` when a quality check failed).

    >>> verdict(True, "tested"), verdict(False, "skipped", broken=True)
    ('DRIFT', 'BROKEN')
    """
    if broken:
        return "BROKEN"
    if status == "error":
        return "ERROR"
    if status == "skipped":
        return "skipped"
    return "DRIFT" if drift else "ok"
