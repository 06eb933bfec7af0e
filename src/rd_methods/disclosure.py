"""Disclosure control before publication: pseudonymise individuals, suppress small cells.

Actors marked ``personal`` in the ``actors`` table are individuals. Everything a notebook
displays names them by a stable pseudonym ("Personne 017"), numbered in the order of
their ``actor_id`` within the campaign, so the same person keeps the same pseudonym in
every page of a campaign. Counts of people below ``disclosure.min_cell`` (default 5) are
suppressed in published tables (the usual threshold rule of statistical disclosure
control, e.g. Eurostat / INSEE practice for small cells).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["DEFAULT_MIN_CELL", "pseudonyms", "display_names", "suppress_small"]

DEFAULT_MIN_CELL = 5


def _is_personal(actors: pd.DataFrame) -> pd.Series:
    return actors["personal"].fillna(False).astype(bool)


def pseudonyms(actors: pd.DataFrame) -> pd.Series:
    """Pseudonyms of the personal actors, indexed by ``actor_id``.

    Examples
    --------
    >>> actors = pd.DataFrame({"actor_id": ["c2", "a1", "c1"], "name": ["Zoé", "Mairie", "Yves"],
    ...                        "personal": [True, False, True]})
    >>> pseudonyms(actors).to_dict()
    {'c1': 'Personne 001', 'c2': 'Personne 002'}
    """
    ids = sorted(actors.loc[_is_personal(actors), "actor_id"].astype(str))
    width = max(3, len(str(len(ids))))
    return pd.Series(
        [f"Personne {i:0{width}d}" for i in range(1, len(ids) + 1)],
        index=pd.Index(ids, name="actor_id"),
        name="display_name",
        dtype=object,
    )


def display_names(actors: pd.DataFrame) -> pd.Series:
    """Name to show for every actor (``actor_id`` → name or pseudonym)."""
    names = actors.set_index(actors["actor_id"].astype(str))["name"].astype(object).copy()
    names.index.name = "actor_id"
    pseudo = pseudonyms(actors)
    names.loc[pseudo.index] = pseudo
    return names.rename("display_name")


def suppress_small(
    data: pd.DataFrame,
    counts: str | Sequence[str],
    min_cell: int = DEFAULT_MIN_CELL,
    also: Sequence[str] = (),
) -> pd.DataFrame:
    """Blank out counts of people below ``min_cell`` (zero is kept: it discloses no one).

    Parameters
    ----------
    data : DataFrame
        A published table about people.
    counts : str or list of str
        Count columns to check.
    min_cell : int
        Smallest count that may be published.
    also : list of str
        Other columns of the same rows to blank too (means, shares computed on the cell).

    Returns
    -------
    DataFrame
        A copy where small cells are NaN and a boolean column ``suppressed`` says which
        rows were touched.
    """
    counts = [counts] if isinstance(counts, str) else list(counts)
    out = data.copy()
    small = np.zeros(len(out), dtype=bool)
    for column in counts:
        values = pd.to_numeric(out[column], errors="coerce")
        mask = (values > 0) & (values < min_cell)
        small |= mask.to_numpy()
        out[column] = values.astype(float).mask(mask)
    for column in also:
        out[column] = pd.to_numeric(out[column], errors="coerce").astype(float).mask(small)
    out["suppressed"] = small
    return out
