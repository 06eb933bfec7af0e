"""Descriptive summaries of one campaign, for the overview notebook (``00_campaign_overview``).

Plain counts and rates, no inference: what the campaign's tables hold, who the actors
are, how membership, projects and events evolve, and where the territory stands.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

__all__ = [
    "table_inventory",
    "actors_by_category",
    "members_over_time",
    "projects_by_need_and_stage",
    "events_per_year",
    "territory_summary",
    "key_results",
]


def table_inventory(tables: Mapping[str, pd.DataFrame], expected: Iterable[str]) -> pd.DataFrame:
    """One row per table of the data contract: present or not, rows and columns.

    Parameters
    ----------
    tables : mapping of table name to DataFrame
        The tables present in the campaign.
    expected : iterable of str
        Every table name of the contract, in the order to show.

    Examples
    --------
    >>> table_inventory({"actors": pd.DataFrame({"a": [1, 2]})}, ["actors", "jobs"])
        table  present  n_rows  n_columns
    0  actors     True       2          1
    1    jobs    False       0          0
    """
    rows = []
    for name in expected:
        frame = tables.get(name)
        rows.append(
            {
                "table": name,
                "present": frame is not None,
                "n_rows": 0 if frame is None else len(frame),
                "n_columns": 0 if frame is None else frame.shape[1],
            }
        )
    return pd.DataFrame(rows)


def actors_by_category(actors: pd.DataFrame) -> pd.DataFrame:
    """Actors per category with their share and the number of individuals (``personal``)."""
    out = (
        actors.groupby("category", observed=True)
        .agg(n=("actor_id", "size"), n_personal=("personal", "sum"))
        .reset_index()
    )
    out["n_personal"] = out["n_personal"].astype(int)
    out["share"] = out["n"] / out["n"].sum()
    return out.sort_values(["n", "category"], ascending=[False, True], ignore_index=True)


def members_over_time(actors: pd.DataFrame, years: Iterable[int]) -> pd.DataFrame:
    """Members (actors with a ``member_college``) at the end of each year, by college.

    An actor counts as a member from ``member_since``; a member without a date counts
    in every year (the contract records no exit date, so membership never ends here).
    """
    members = actors.loc[actors["member_college"].notna(), ["actor_id", "member_college", "member_since"]]
    since_year = members["member_since"].dt.year
    rows = []
    for year in years:
        active = members[since_year.isna() | (since_year <= year)]
        counts = active.groupby("member_college", observed=True).size()
        for college, n in counts.items():
            rows.append({"year": int(year), "member_college": college, "n": int(n)})
    return pd.DataFrame(rows, columns=["year", "member_college", "n"])


def projects_by_need_and_stage(projects: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Projects by need and current stage (``current`` has ``project_id, stage``)."""
    merged = projects[["project_id", "need"]].merge(current[["project_id", "stage"]], on="project_id", how="left")
    merged["stage"] = merged["stage"].fillna("idea")
    return merged.groupby(["need", "stage"], observed=True).size().rename("n").reset_index()


def events_per_year(events: pd.DataFrame, participations: pd.DataFrame | None = None) -> pd.DataFrame:
    """Events per year and kind, with the number of participations when given."""
    ev = events.assign(year=events["held_on"].dt.year.astype("Int64"))
    out = ev.groupby(["year", "kind"], observed=True).size().rename("n_events").reset_index()
    if participations is not None:
        per = participations.merge(ev[["event_id", "year", "kind"]], on="event_id", how="inner")
        counts = per.groupby(["year", "kind"], observed=True).size().rename("n_participations").reset_index()
        out = out.merge(counts, on=["year", "kind"], how="left")
        out["n_participations"] = out["n_participations"].fillna(0).astype(int)
    return out


def territory_summary(panel: pd.DataFrame, per: int = 1000) -> pd.DataFrame:
    """First and last year of each territory: population and outcomes per ``per`` inhabitants.

    Returns one row per territory with ``treated``, population of the last year, and for
    employment and jobseekers the rate in the first and last year and its change.
    """
    first_year, last_year = panel["year"].min(), panel["year"].max()
    rows = []
    for (code, name), grp in panel.groupby(["territory_code", "territory_name"], sort=True):
        grp = grp.set_index("year")
        row = {
            "territory_code": code,
            "territory_name": name,
            "treated": bool(grp["treated"].iloc[0]),
            "population": float(grp.loc[last_year, "population"]) if last_year in grp.index else float("nan"),
        }
        for outcome in ("employment", "jobseekers"):
            for label, year in (("first", first_year), ("last", last_year)):
                value = float("nan")
                if year in grp.index:
                    value = grp.loc[year, outcome] / grp.loc[year, "population"] * per
                row[f"{outcome}_rate_{label}"] = value
            row[f"{outcome}_rate_change"] = row[f"{outcome}_rate_last"] - row[f"{outcome}_rate_first"]
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs.update(first_year=int(first_year), last_year=int(last_year), per=per)
    return out.sort_values(["treated", "territory_name"], ascending=[False, True], ignore_index=True)


def key_results(tables: Mapping[str, pd.DataFrame], expected: Iterable[str], period: tuple[int, int]) -> pd.DataFrame:
    """The overview's recorded figures (keys ``overview.*``), one row each.

    ``n_tables`` (tables of the contract present), ``n_actors``, ``n_members_last``
    (members at the end of the last year, when any actor has a ``member_college``),
    ``n_projects`` (rows of ``projects``, when ``projects`` and ``project_stages`` are both
    present) and ``n_events`` (rows of ``events``).

    Parameters
    ----------
    tables : mapping of table name to DataFrame
        The campaign's tables (``actors`` at least).
    expected : iterable of str
        Every table name of the contract.
    period : (int, int)
        First and last year of the campaign.

    Examples
    --------
    >>> actors = pd.DataFrame({"actor_id": ["a", "b"], "member_college": [None, "x"],
    ...                        "member_since": pd.to_datetime([None, "2021-03-01"])})
    >>> key_results({"actors": actors}, ["actors", "jobs"], (2020, 2022))[["key", "value"]].values.tolist()
    [['overview.n_tables', 1], ['overview.n_actors', 2], ['overview.n_members_last', 1]]
    """
    first, last = period
    actors = tables["actors"]
    inventory = table_inventory(tables, expected)
    rows = [
        {"key": "overview.n_tables", "value": int(inventory["present"].sum()), "label": "Tables présentes"},
        {"key": "overview.n_actors", "value": len(actors), "label": "Acteurs recensés"},
    ]
    members = members_over_time(actors, range(first, last + 1))
    if not members.empty:
        rows.append({"key": "overview.n_members_last", "value": int(members.loc[members["year"] == last, "n"].sum()),
                     "label": f"Sociétaires fin {last}"})
    if tables.get("projects") is not None and tables.get("project_stages") is not None:
        rows.append({"key": "overview.n_projects", "value": len(tables["projects"]), "label": "Idées de projets captées"})
    if tables.get("events") is not None:
        rows.append({"key": "overview.n_events", "value": len(tables["events"]), "label": "Événements tenus"})
    from rd_methods.results import key_frame

    return key_frame(rows)
