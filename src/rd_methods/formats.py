"""One French style for every page: numbers, amounts, shares, p-values, intervals, plurals, tables.

``1 234,5``, ``12 346 €``, ``24 %``, ``−0,5`` (true minus sign), ``< 0,001``,
``[0,37 ; 0,76]``, « 1 projet », « 2 projets », « 1,5 an », and « — » for a missing or
infinite value. Babel's CLDR data for the ``fr_FR`` locale (decimal comma, narrow no-break
space between thousands), never hand-made digit code. Light on purpose (pandas only imported
by :func:`table`): the publisher formats the recorded results of the campaign index with it;
notebooks call it directly (``from rd_methods import formats as fr``) and
:mod:`rd_methods.plots` re-exports the number formats.

Every public page goes through these functions, so a page never shows ``nan``, ``inf``, a
decimal point, a hyphen for a minus sign or a « (s) » plural.
"""

from __future__ import annotations

from babel.numbers import format_decimal, format_percent

__all__ = [
    "LOCALE",
    "MISSING",
    "format_number",
    "format_eur",
    "format_pct",
    "format_p",
    "p_clause",
    "format_interval",
    "plural",
    "join_words",
    "count_text",
    "table",
]

LOCALE = "fr_FR"
MISSING = "\u2014"  # « — », for a missing, undefined or infinite value
MINUS = "\u2212"  # true minus sign


def _missing(value) -> bool:
    """True for None, NaN and ±inf (shown as « — »)."""
    if value is None:
        return True
    try:
        return not (float(value) - float(value) == 0)  # NaN and inf both give NaN
    except (TypeError, ValueError):
        return False


def _minus(text: str) -> str:
    """Hyphen to true minus sign; a value that rounds to zero loses its sign (« 0,00 »)."""
    if not text.startswith("-"):
        return text
    return text[1:] if not any(c in "123456789" for c in text) else MINUS + text[1:]


def format_number(value: float | int | None, decimals: int | None = None) -> str:
    """Format a number the French way: ``1234.5 -> '1 234,5'``.

    ``decimals`` fixes the number of decimals; by default integers show none and other
    numbers up to 2 significant decimals (3 for values below 1). Negative numbers take the
    true minus sign; None, NaN and infinite values give « — ».

    >>> format_number(-1234.5)
    '\u22121\u202f234,5'
    >>> format_number(float("nan")), format_number(0.5, 2)
    ('\u2014', '0,50')
    """
    if _missing(value):
        return MISSING
    try:
        float(value)
    except (TypeError, ValueError):
        return str(value)
    if decimals is None:
        if float(value).is_integer():
            decimals = 0
        else:
            decimals = 3 if abs(value) < 1 else 2 if abs(value) < 100 else 1 if abs(value) < 10_000 else 0
        pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
    else:
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    text = format_decimal(value, format=pattern, locale=LOCALE)
    return _minus(text)


def format_eur(value: float | int | None, decimals: int = 0) -> str:
    """Format an amount in euros: ``12345.6 -> '12 346 €'``."""
    if _missing(value):
        return MISSING
    return f"{format_number(value, decimals)}\u00a0€"


def format_pct(value: float | None, decimals: int = 0) -> str:
    """Format a share (0.237) as a French percentage: ``'24 %'``.

    >>> format_pct(-0.0391, 1)
    '\u22123,9\u00a0%'
    """
    if _missing(value):
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "\u00a0%"
    return _minus(format_percent(value, format=pattern, locale=LOCALE))


def format_p(value: float | None, decimals: int = 3) -> str:
    """A p-value for readers: ``decimals`` decimals, « < 0,001 » below the smallest shown.

    >>> format_p(0.00004), format_p(0.0412), format_p(None)
    ('<\xa00,001', '0,041', '\u2014')
    """
    if _missing(value):
        return MISSING
    floor = 10.0**-decimals
    if value < floor:
        return f"<\u00a0{format_number(floor, decimals)}"
    return format_number(value, decimals)


def p_clause(value: float | None, decimals: int = 3, name: str = "p") -> str:
    """A p-value in a sentence: « p = 0,041 », « p < 0,001 » (never « p = < 0,001 »).

    >>> p_clause(0.0412), p_clause(0.00004), p_clause(None)
    ('p\xa0=\xa00,041', 'p\xa0<\xa00,001', 'p\xa0=\xa0—')
    """
    text = format_p(value, decimals)
    return f"{name}\u00a0{text}" if text.startswith("<") else f"{name}\u00a0=\u00a0{text}"


def format_interval(low, high, formatter=format_number, **options) -> str:
    """An interval the French way, ``[0,37 ; 0,76]`` (« — » if a bound is missing).

    ``formatter`` formats each bound (``format_number``, ``format_pct``, ``format_eur``) with
    ``options`` (e.g. ``decimals=2``).

    >>> format_interval(0.372, 0.761, decimals=2)
    '[0,37\u00a0; 0,76]'
    """
    if _missing(low) or _missing(high):
        return MISSING
    return f"[{formatter(low, **options)}\u00a0; {formatter(high, **options)}]"


def plural(n: float | int, singular: str, plural_form: str | None = None, *, decimals: int | None = None,
           number: bool = True) -> str:
    """A count and its noun with the French rule: singular below 2 (« 0 projet », « 1,5 an »).

    ``plural_form`` defaults to ``singular + "s"``; ``number=False`` gives the noun alone.

    >>> plural(1, "projet"), plural(2, "projet"), plural(1.5, "an", decimals=1)
    ('1 projet', '2 projets', '1,5 an')
    >>> plural(3, "réseau", "réseaux", number=False)
    'réseaux'
    """
    word = singular if abs(n) < 2 else (plural_form or singular + "s")
    return f"{format_number(n, decimals)} {word}" if number else word


def count_text(n: float | int, singular: str, plural_form: str | None = None, *, zero: str | None = None,
               decimals: int | None = None) -> str:
    """A count that reads right at 0, 1 and more: ``zero`` (when given) replaces « 0 … ».

    Like :func:`plural` otherwise; ``singular`` and ``plural_form`` may carry their verb.

    >>> count_text(0, "projet a été lancé", "projets ont été lancés", zero="aucun projet n'a été lancé")
    "aucun projet n'a été lancé"
    >>> count_text(1, "projet a été lancé", "projets ont été lancés"), count_text(3, "projet a été lancé", "projets ont été lancés")
    ('1 projet a été lancé', '3 projets ont été lancés')
    """
    if zero is not None and n == 0:
        return zero
    return plural(n, singular, plural_form, decimals=decimals)


def join_words(words, last: str = "et") -> str:
    """A French enumeration: « a », « a et b », « a, b et c » (empty text for no word).

    >>> join_words(["projets", "emplois", "résultats"]), join_words(["projets"]), join_words([], "ou")
    ('projets, emplois et résultats', 'projets', '')
    """
    words = [str(w) for w in words]
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


def table(frame, columns: dict[str, str], formats: dict | None = None, decimals: int = 2):
    """A pandas Styler for a public page: French column labels, French numbers, « — » for gaps.

    ``columns`` maps the frame's columns to French labels, in display order (other columns
    are dropped); ``formats`` maps a column to a formatter (a function of the value, or one of
    ``"number"``, ``"int"``, ``"pct"``, ``"eur"``, ``"p"``); other numeric columns get
    ``decimals`` decimals; text is shown as is. The index is hidden.
    """
    import pandas as pd

    named = {"number": lambda v: format_number(v, decimals), "int": lambda v: format_number(v, 0),
             "pct": format_pct, "eur": format_eur, "p": format_p}
    shown = frame[list(columns)].rename(columns=columns)
    formatters = {}
    for source, label in columns.items():
        chosen = (formats or {}).get(source)
        if chosen is None and pd.api.types.is_numeric_dtype(frame[source]) and not pd.api.types.is_bool_dtype(frame[source]):
            chosen = "int" if pd.api.types.is_integer_dtype(frame[source]) else "number"
        if chosen is not None:
            formatters[label] = named.get(chosen, chosen) if isinstance(chosen, str) else chosen
    return shown.style.hide(axis="index").format(formatters, na_rep=MISSING)
