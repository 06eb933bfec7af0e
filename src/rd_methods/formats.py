"""French number formats for pages and figures: ``1 234,5``, ``12 346 €``, ``24 %``.

Babel's CLDR data for the ``fr_FR`` locale (decimal comma, narrow no-break space between
thousands), never hand-made string code. Light on purpose (no matplotlib): the publisher
formats the recorded results of the campaign index with it; :mod:`rd_methods.plots`
re-exports these functions for notebooks.
"""

from __future__ import annotations

from babel.numbers import format_decimal, format_percent

__all__ = ["LOCALE", "format_number", "format_eur", "format_pct"]

LOCALE = "fr_FR"


def format_number(value: float | int | None, decimals: int | None = None) -> str:
    """Format a number the French way: ``1234.5 -> '1 234,5'``.

    ``decimals`` fixes the number of decimals; by default integers show none and other
    numbers up to 2 significant decimals (3 for values below 1).
    """
    if value is None:
        return "—"
    try:
        if value != value:  # NaN
            return "—"
    except TypeError:
        return str(value)
    if decimals is None:
        if float(value).is_integer():
            decimals = 0
        else:
            decimals = 3 if abs(value) < 1 else 2 if abs(value) < 100 else 1 if abs(value) < 10_000 else 0
        pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
    else:
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def format_eur(value: float | int | None, decimals: int = 0) -> str:
    """Format an amount in euros: ``12345.6 -> '12 346 €'``."""
    if value is None or value != value:
        return "—"
    return f"{format_number(value, decimals)}\u00a0€"


def format_pct(value: float | None, decimals: int = 0) -> str:
    """Format a share (0.237) as a French percentage: ``'24 %'``."""
    if value is None or value != value:
        return "—"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "\u00a0%"
    return format_percent(value, format=pattern, locale=LOCALE)
