"""Descriptive summaries of the overview notebook, on hand-made tables."""

import numpy as np
import pandas as pd
import pytest

from rd_methods import overview


@pytest.fixture
def actors():
    return pd.DataFrame(
        {
            "actor_id": ["A1", "A2", "A3", "A4", "A5"],
            "category": ["association", "citizen", "citizen", "enterprise", "citizen"],
            "personal": [False, True, True, False, True],
            "member_college": ["fondateurs", "usagers", None, "partenaires", "usagers"],
            "member_since": pd.to_datetime(["2016-03-01", "2018-06-01", None, None, "2019-12-31"]),
        }
    )


def test_actors_by_category_counts_shares_and_individuals(actors):
    out = overview.actors_by_category(actors)
    assert out["category"].tolist() == ["citizen", "association", "enterprise"]
    assert out["n"].tolist() == [3, 1, 1]
    assert out["n_personal"].tolist() == [3, 0, 0]
    assert out["share"].tolist() == pytest.approx([0.6, 0.2, 0.2])


def test_members_over_time_counts_from_member_since(actors):
    out = overview.members_over_time(actors, [2016, 2018, 2019])
    table = out.pivot(index="year", columns="member_college", values="n").fillna(0)
    # 2016: founder A1 + partner A4 (no date: always counted); 2018: + usager A2; 2019: + A5
    assert table.loc[2016].to_dict() == {"fondateurs": 1, "partenaires": 1, "usagers": 0}
    assert table.loc[2018, "usagers"] == 1
    assert table.loc[2019, "usagers"] == 2


def test_events_per_year_with_participations():
    events = pd.DataFrame(
        {
            "event_id": ["E1", "E2", "E3"],
            "kind": ["workshop", "workshop", "meeting"],
            "held_on": pd.to_datetime(["2017-01-10", "2017-05-02", "2018-02-01"]),
        }
    )
    parts = pd.DataFrame({"event_id": ["E1", "E1", "E2", "E3"], "actor_id": ["A1", "A2", "A1", "A3"]})
    out = overview.events_per_year(events, parts)
    rows = {(r.year, r.kind): (r.n_events, r.n_participations) for r in out.itertuples()}
    assert rows == {(2017, "workshop"): (2, 3), (2018, "meeting"): (1, 1)}


def test_territory_summary_rates_per_thousand():
    panel = pd.DataFrame(
        {
            "territory_code": ["T1", "T1", "T2", "T2"],
            "territory_name": ["Un", "Un", "Deux", "Deux"],
            "year": [2010, 2020, 2010, 2020],
            "treated": [True, True, False, False],
            "population": [10_000, 12_000, 5_000, 5_000],
            "employment": [4_000, 6_000, 2_000, 1_500],
            "jobseekers": [500, 480, 300, 300],
        }
    )
    out = overview.territory_summary(panel)
    t1 = out.set_index("territory_code").loc["T1"]
    assert t1["employment_rate_first"] == pytest.approx(400.0)
    assert t1["employment_rate_last"] == pytest.approx(500.0)
    assert t1["employment_rate_change"] == pytest.approx(100.0)
    assert t1["jobseekers_rate_last"] == pytest.approx(40.0)
    assert out["territory_code"].tolist() == ["T1", "T2"]  # treated first
    t2 = out.set_index("territory_code").loc["T2"]
    assert t2["employment_rate_change"] == pytest.approx(-100.0)
    assert np.isfinite(out["population"]).all()


def test_projects_by_need_and_stage_defaults_to_idea():
    projects = pd.DataFrame({"project_id": ["P1", "P2", "P3"], "need": ["food", "food", "energy"]})
    current = pd.DataFrame({"project_id": ["P1", "P3"], "stage": ["launched", "abandoned"]})
    out = overview.projects_by_need_and_stage(projects, current)
    got = {(r.need, r.stage): r.n for r in out.itertuples()}
    assert got == {("food", "launched"): 1, ("food", "idea"): 1, ("energy", "abandoned"): 1}


def test_french_number_formats():
    from rd_methods import plots

    assert plots.format_number(1234.5) == "1\u202f234,5"
    assert plots.format_eur(12345.6) == "12\u202f346\u00a0€"
    assert plots.format_pct(0.237) == "24\u00a0%"
    assert plots._axis_eur(1_200_000) == "1,2\u00a0M€"
    assert plots._axis_eur(500) == "500\u00a0€"
    assert plots.label("need", "food") == "Alimentation"
    assert plots.label("need", "unknown_code") == "unknown_code"


def test_french_style_helpers():
    from rd_methods import formats as fr

    assert fr.format_number(-0.5, 1) == "\u22120,5"
    assert fr.format_number(-0.0001, 2) == "0,00"  # no « −0,00 »
    assert fr.format_number(float("inf")) == fr.format_pct(float("-inf")) == fr.format_eur(None) == "\u2014"
    assert fr.format_p(0.0004) == "<\u00a00,001" and fr.format_p(0.05) == "0,050"
    assert fr.format_interval(-1.234, 2.5, decimals=1) == "[\u22121,2\u00a0; 2,5]"
    assert fr.format_interval(0.1, 0.25, fr.format_pct) == "[10\u00a0%\u00a0; 25\u00a0%]"
    assert [fr.plural(n, "vague") for n in (0, 1, 1.9, 2)] == ["0 vague", "1 vague", "1,9 vague", "2 vagues"]


def test_french_table_formats_every_cell():
    import pandas as pd

    from rd_methods import formats as fr

    frame = pd.DataFrame({"name": ["a", "b"], "n": [1200, 3], "share": [0.391, None], "p": [0.0001, 0.2],
                          "x": [-1.5, float("nan")]})
    html = fr.table(frame, {"name": "Nom", "n": "Effectif", "share": "Part", "p": "p", "x": "Écart"},
                    {"share": "pct", "p": "p"}).to_html()
    for shown in ["Effectif", "1\u202f200", "39\u00a0%", "<\u00a00,001", "0,200", "\u22121,50", "\u2014"]:
        assert shown in html, shown
    assert "nan" not in html and "0.2" not in html


def test_key_results_hand_values(actors):
    events = pd.DataFrame({"event_id": ["E1", "E2", "E3"], "held_on": pd.to_datetime(["2018-01-01"] * 3)})
    projects = pd.DataFrame({"project_id": ["P1", "P2"]})
    tables = {"actors": actors, "events": events, "projects": projects}
    keys = overview.key_results(tables, ["actors", "events", "projects", "project_stages", "jobs"], (2016, 2018))
    value = keys.set_index("key")["value"]
    # members at the end of 2018: A1 (2016), A2 (2018), A4 (no date: always); A5 joins on 2019-12-31
    assert value.to_dict() == {"overview.n_tables": 3, "overview.n_actors": 5, "overview.n_members_last": 3,
                               "overview.n_events": 3}
    assert keys.set_index("key").loc["overview.n_members_last", "label"] == "Sociétaires fin 2018"
    # projects are counted only with their stages (the notebook's section needs both)
    stages = pd.DataFrame({"project_id": ["P1"], "stage": ["idea"], "entered_on": pd.to_datetime(["2017-01-01"])})
    keys = overview.key_results({**tables, "project_stages": stages}, ["actors"], (2016, 2018))
    assert keys.set_index("key").loc["overview.n_projects", "value"] == 2


def test_key_results_without_members(actors):
    keys = overview.key_results({"actors": actors.assign(member_college=None)}, ["actors"], (2016, 2018))
    assert keys["key"].tolist() == ["overview.n_tables", "overview.n_actors"]


def test_key_results_on_demo_match_the_truth():
    from rd_methods.campaign import Campaign
    from rd_methods.schemas import TABLES

    camp = Campaign.load("demo-2025")
    value = overview.key_results(camp.tables, TABLES, camp.period).set_index("key")["value"]
    assert value["overview.n_tables"] == len(TABLES) == 16
    assert value["overview.n_projects"] == camp.ground_truth["pipeline"]["projects"]
    assert value["overview.n_actors"] == len(camp["actors"])
    assert value["overview.n_events"] == len(camp["events"])
