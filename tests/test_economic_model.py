"""Tests of rd_methods.economic_model: hand-computed shares, HHI and balance on small tables,
the demo campaigns' planted figures (ground_truth.json), validation of the finances table."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rd_methods import economic_model as em
from rd_methods.campaign import Campaign
from rd_methods.cli import main
from rd_methods.paths import raw_dir

TESTS = Path(__file__).resolve().parent


def _small() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two years of accounts, written to be checked by hand."""
    rows = [
        # 2023: income 200 (operating) + a loan of 1,000 (left out)
        (2023, "income", "operating_subsidy", 100.0, "REG", None),
        (2023, "income", "operating_subsidy", 40.0, "DEP", None),
        (2023, "income", "project_subsidy", 20.0, "ADEME", "P1"),
        (2023, "income", "service_sale", 30.0, "ENT", None),
        (2023, "income", "membership_fee", 10.0, None, None),
        (2023, "income", "loan", 1000.0, "BANK", None),
        (2023, "expense", "staff", 180.0, None, None),
        (2023, "expense", "premises", 40.0, None, None),
        # 2024: income 250
        (2024, "income", "operating_subsidy", 100.0, "REG", None),
        (2024, "income", "service_sale", 60.0, "ENT", None),
        (2024, "income", "service_sale", 40.0, "REG", None),
        (2024, "income", "membership_fee", 25.0, None, None),
        (2024, "income", "donation", 25.0, None, None),
        (2024, "income", "share_capital", 500.0, None, None),
        (2024, "expense", "staff", 200.0, None, None),
        (2024, "expense", "subcontracting", 50.0, None, None),
    ]
    f = pd.DataFrame(rows, columns=["year", "direction", "kind", "amount_eur", "actor_id", "project_id"])
    actors = pd.DataFrame({"actor_id": ["REG", "DEP", "ADEME", "ENT", "BANK"],
                           "category": ["local_authority", "local_authority", "public_agency", "enterprise", "enterprise"]})
    return f, actors


# --------------------------------------------------------------------------- hand-computed
def test_revenue_mix_shares_by_hand():
    f, _ = _small()
    mix = em.revenue_mix(f).set_index(["year", "kind"])
    assert mix.loc[(2023, "operating_subsidy"), "amount_eur"] == 140.0
    assert mix.loc[(2023, "operating_subsidy"), "share"] == pytest.approx(140 / 200)
    assert mix.loc[(2023, "project_subsidy"), "share"] == pytest.approx(0.10)
    assert mix.loc[(2023, "service_sale"), "share"] == pytest.approx(0.15)
    assert mix.loc[(2024, "service_sale"), "share"] == pytest.approx(100 / 250)
    assert mix.loc[(2024, "membership_fee"), "group"] == "own_revenue"
    assert (2023, "loan") not in mix.index and (2024, "share_capital") not in mix.index
    assert mix.groupby(level="year")["share"].sum().tolist() == pytest.approx([1.0, 1.0])
    # with capital flows: the loan becomes 1000 / 1200 of 2023's income
    cap = em.revenue_mix(f, include_capital=True).set_index(["year", "kind"])
    assert cap.loc[(2023, "loan"), "share"] == pytest.approx(1000 / 1200)
    assert cap.loc[(2023, "loan"), "group"] == "capital"
    # whole period
    whole = em.revenue_mix(f, by=None).set_index("kind")
    assert whole.loc["operating_subsidy", "share"] == pytest.approx(240 / 450)


def test_funding_concentration_hhi_by_hand():
    f, actors = _small()
    c = em.funding_concentration(f, actors).set_index("year")
    # 2023 with an actor: REG 100, DEP 40, ADEME 20, ENT 30 (fees have none) -> total 190
    s = np.array([100, 40, 20, 30]) / 190
    assert c.loc[2023, "hhi"] == pytest.approx(float((s**2).sum()))
    assert c.loc[2023, "hhi"] == pytest.approx(12900 / 36100, abs=1e-12)  # (100² + 40² + 20² + 30²) / 190²
    assert c.loc[2023, "n_funders"] == 4 and c.loc[2023, "top_actor_id"] == "REG"
    assert c.loc[2023, "top_share"] == pytest.approx(100 / 190)
    assert c.loc[2023, "top3_share"] == pytest.approx(170 / 190)  # REG, DEP, ENT
    assert c.loc[2023, "public_funder_share"] == pytest.approx(160 / 200)
    assert c.loc[2023, "own_revenue_share"] == pytest.approx(40 / 200)
    assert c.loc[2023, "subsidy_share"] == pytest.approx(160 / 200)
    # 2024: REG 140 (subsidy + a sale: a public customer is public money), ENT 60 -> 200 with an actor
    assert c.loc[2024, "hhi"] == pytest.approx(0.7**2 + 0.3**2)
    assert c.loc[2024, "n_equivalent"] == pytest.approx(1 / 0.58)
    assert c.loc[2024, "top3_share"] == pytest.approx(1.0)
    assert c.loc[2024, "public_funder_share"] == pytest.approx(140 / 250)
    assert c.loc[2024, "own_revenue_share"] == pytest.approx(125 / 250)
    assert c.loc[2024, "income_eur"] == 250.0 and c.loc[2024, "income_with_actor_eur"] == 200.0
    # without actors: no public share, the rest unchanged
    bare = em.funding_concentration(f).set_index("year")
    assert bare["public_funder_share"].isna().all()
    assert bare.loc[2023, "hhi"] == pytest.approx(c.loc[2023, "hhi"])
    # a single funder gives 1
    one = f[(f["year"] == 2024) & (f["actor_id"] == "ENT")]
    assert em.funding_concentration(one)["hhi"].iloc[0] == 1.0


def test_operating_balance_and_path_by_hand():
    f, _ = _small()
    b = em.operating_balance(f).set_index("year")
    assert b.loc[2023, "operating_income_eur"] == 200.0 and b.loc[2023, "expense_eur"] == 220.0
    assert b.loc[2023, "balance_eur"] == -20.0 and b.loc[2023, "capital_eur"] == 1000.0
    # needed own revenue 2023: 220 - (200 - 140 - 40) = 200 -> growth 200 / 40 - 1 = 4
    assert b.loc[2023, "own_revenue_needed_eur"] == 200.0 and b.loc[2023, "required_growth"] == pytest.approx(4.0)
    # 2024: 250 - (250 - 100 - 125) = 225 -> 225 / 125 - 1 = 0.8
    assert b.loc[2024, "own_revenue_needed_eur"] == 225.0 and b.loc[2024, "required_growth"] == pytest.approx(0.8)
    p = em.path_to_balance(b.reset_index())
    assert p["own_revenue_cagr"] == pytest.approx(125 / 40 - 1)
    assert p["years_needed"] == pytest.approx(math.log(1.8) / math.log(125 / 40))


def test_cost_per_outcome_by_hand():
    f, _ = _small()
    stages = pd.DataFrame({"project_id": ["P1", "P2", "P2", "P3"], "stage": ["launched", "incubation", "autonomous", "abandoned"],
                           "entered_on": pd.to_datetime(["2023-04-01", "2023-01-01", "2024-06-01", "2024-01-01"])})
    jobs = pd.DataFrame({"project_id": ["P1", "P1", "P2"], "year": [2023, 2024, 2024], "fte": [1.0, 2.0, 3.0]})
    c = em.cost_per_outcome(f, jobs, stages)
    assert c["scope"].tolist() == ["year", "year", "period"]
    assert c["n_launched"].tolist() == [1, 1, 2]  # P2 counted when it became autonomous
    assert c["cost_per_launched_project_eur"].tolist() == pytest.approx([220.0, 250.0, 235.0])
    assert c["cost_per_fte_eur"].tolist() == pytest.approx([220.0, 50.0, 470 / 5])
    assert "coûts partagés" in c.attrs["assumptions"]
    # no launch in a year -> NaN, not infinity
    c2 = em.cost_per_outcome(f, jobs, stages[stages["project_id"] == "P1"])
    assert np.isnan(c2["cost_per_launched_project_eur"].iloc[1])


def test_impact_by_transition_counts_a_project_in_each_of_its_transitions():
    projects = pd.DataFrame({"project_id": ["a", "b", "c", "d"],
                             "transitions": ["ecological;social", "social", " economic ; ecological", None]})
    stages = pd.DataFrame({"project_id": ["a", "c"], "stage": ["launched", "launched"],
                           "entered_on": pd.to_datetime(["2022-01-01", "2023-01-01"])})
    jobs = pd.DataFrame({"project_id": ["a", "a", "c"], "year": [2023, 2024, 2024], "fte": [9.0, 2.0, 1.5]})
    contrib = pd.DataFrame({"project_id": ["a", "b", "d", "c"], "value_eur": [100.0, 50.0, 10.0, np.nan],
                            "valued": [True, True, True, False]})
    impact_map = pd.DataFrame({"outcome_id": ["O1", "O2", "O3"], "transition": ["ecological", "economic;social", None]})
    pv = pd.DataFrame({"outcome_id": ["O1", "O2", "O3"], "present_value": [1000.0, 300.0, 7.0]})
    t = em.impact_by_transition(projects, stages=stages, jobs=jobs, contributions=contrib,
                                impact_map=impact_map, sroi_values=pv).set_index("transition")
    assert t["n_projects"].to_dict() == {"ecological": 2, "economic": 1, "social": 2, "all": 4}
    assert t["n_shared"].to_dict() == {"ecological": 2, "economic": 1, "social": 1, "all": 0}
    assert t["n_launched"].to_dict() == {"ecological": 2, "economic": 1, "social": 1, "all": 2}
    assert t["fte"].to_dict() == {"ecological": 3.5, "economic": 1.5, "social": 2.0, "all": 3.5}
    assert t["contributions_eur"].to_dict() == {"ecological": 100.0, "economic": 0.0, "social": 150.0, "all": 160.0}
    assert t["sroi_present_value_eur"].to_dict() == {"ecological": 1000.0, "economic": 300.0, "social": 300.0, "all": 1300.0}
    assert t.attrs["n_without_transition"] == 1 and "chacune" in t.attrs["note"]
    # robust to missing columns: no transitions at all, no impact-map transition
    bare = em.impact_by_transition(projects.drop(columns="transitions"), impact_map=impact_map.drop(columns="transition"),
                                   sroi_values=pv).set_index("transition")
    assert bare.loc["ecological", "n_projects"] == 0 and bare.loc["all", "n_projects"] == 4
    assert bare["sroi_present_value_eur"].isna().all()


def test_transition_indicators_own_transition_wins_over_the_project():
    projects = pd.DataFrame({"project_id": ["a", "b"], "transitions": ["ecological;social", "economic"]})
    outcomes = pd.DataFrame({
        "project_id": ["a", "a", "b", None, "b"],
        "value_type": ["environmental", "social", "environmental", "political", "environmental"],
        "indicator": ["Émissions évitées", "Personnes", "Émissions évitées", "Sociétaires", "Émissions évitées"],
        "value": [3.0, 10.0, 4.0, 50.0, 99.0], "unit": ["tCO2e", "personnes", "tCO2e", "sociétaires", "tCO2e"],
        "year": [2024, 2024, 2024, 2024, 2023], "evidence": ["estimated", "declared", "measured", "measured", "measured"],
        "transition": [None, "social", "ecological", None, None],
    })
    ind = em.transition_indicators(outcomes, projects).set_index(["transition", "indicator"])
    assert ind.loc[("ecological", "Émissions évitées"), "value"] == 7.0  # a (via project) + b (own transition)
    assert ind.loc[("ecological", "Émissions évitées"), "evidence"] == "estimated, measured"
    assert ind.loc[("social", "Émissions évitées"), "value"] == 3.0
    assert ("economic", "Émissions évitées") not in ind.index  # b's own transition wins
    assert ind.loc[("social", "Personnes"), "value"] == 10.0 and ("ecological", "Personnes") not in ind.index
    assert "Sociétaires" not in ind.index.get_level_values("indicator")  # no project, no transition


# --------------------------------------------------------------------------- the demo's planted figures
@pytest.mark.parametrize("campaign", ["demo-2024", "demo-2025"])
def test_demo_planted_figures_are_recovered(campaign):
    folder = raw_dir() / campaign
    if not (folder / "ground_truth.json").exists():
        pytest.skip(f"{campaign} not generated")
    truth = json.loads((folder / "ground_truth.json").read_text("utf-8"))
    camp = Campaign.load(folder)
    gt, gtt = truth["economic_model"], truth["transitions"]
    f = camp["finances"]
    first, last = camp.period
    conc = em.funding_concentration(f, camp["actors"]).set_index("year")
    for y in range(first, last + 1):
        assert round(conc.loc[y, "subsidy_share"], 6) == gt["subsidy_share_by_year"][str(y)]
        assert round(conc.loc[y, "own_revenue_share"], 6) == gt["own_revenue_share_by_year"][str(y)]
        assert round(conc.loc[y, "hhi"], 6) == gt["hhi_by_year"][str(y)]
        assert round(conc.loc[y, "public_funder_share"], 6) == gt["public_funder_share_by_year"][str(y)]
    # the planted path: about 80 % subsidies at the start, 55 % at the end
    assert conc.loc[first, "subsidy_share"] == pytest.approx(gt["planted_subsidy_share_start"], abs=0.01)
    assert conc.loc[last, "subsidy_share"] == pytest.approx(gt["planted_subsidy_share_end"], abs=0.01)
    assert conc["own_revenue_share"].is_monotonic_increasing
    bal = em.operating_balance(f).set_index("year")
    assert round(bal.loc[last, "balance_eur"], 2) == gt["operating_balance_last"]
    assert bal["expense_eur"].round(2).to_dict() == {int(k): v for k, v in gt["expense_by_year"].items()}
    cost = em.cost_per_outcome(f, camp["jobs"], camp["project_stages"], period=camp.period)
    period = cost[cost["scope"] == "period"].iloc[0]
    assert int(period["n_launched"]) == gt["n_launched"]
    assert round(period["fte"], 2) == gt["fte_last_year"]
    assert round(period["cost_per_launched_project_eur"], 2) == gt["cost_per_launched_project_eur"]
    assert round(period["cost_per_fte_eur"], 2) == gt["cost_per_fte_eur"]
    t = em.impact_by_transition(camp["projects"], stages=camp["project_stages"], jobs=camp["jobs"]).set_index("transition")
    for name, planted in gtt["by_transition"].items():
        assert t.loc[name, "n_projects"] == planted["n_projects"], name
        assert t.loc[name, "n_launched"] == planted["n_launched"], name
        assert round(t.loc[name, "fte"], 2) == planted["fte_last_year"], name
    assert int(t.loc[["ecological", "economic", "social"], "n_shared"].max()) > 0
    assert t.loc["all", "n_projects"] == truth["pipeline"]["projects"]


# --------------------------------------------------------------------------- validation
def test_validate_rejects_negative_amount_and_unknown_kind(tmp_path, capsys):
    folder = tmp_path / "fin"
    folder.mkdir()
    (folder / "campaign.yml").write_text((TESTS / "broken" / "unknown_category" / "campaign.yml").read_text("utf-8")
                                         .replace("id: unknown_category", "id: fin"), "utf-8")
    (folder / "actors.csv").write_text("actor_id,name,category,personal\nA1,Coop,social_economy,false\n"
                                       "A2,Région,local_authority,false\n", "utf-8")
    (folder / "finances.csv").write_text(
        "year,direction,kind,amount_eur,actor_id,project_id,description\n"
        "2024,income,operating_subsidy,1000,A2,,Subvention\n"
        "2024,expense,staff,-50,,,Salaires\n"
        "2024,income,gift,20,,,Don\n"
        "2024,expense,service_sale,30,,,Vente comptée en dépense\n", "utf-8")
    assert main(["validate", str(folder)]) == 1
    out = capsys.readouterr().out
    lines = [ln for ln in out.splitlines() if ln.startswith("  - finances.csv")]
    assert any("ligne 3, colonne amount_eur" in ln and "[règle ge]" in ln and "-50" in ln for ln in lines), out
    assert any("ligne 4, colonne kind" in ln and "[règle isin]" in ln and "gift" in ln and "valeur inconnue" in ln
               for ln in lines), out
    assert any("ligne 5, colonne kind" in ln and "[règle kind_matches_direction]" in ln for ln in lines), out
    assert len(lines) == 3, out
    # the clean rows alone validate
    shutil.copy(folder / "finances.csv", tmp_path / "bak.csv")
    (folder / "finances.csv").write_text(
        "year,direction,kind,amount_eur,actor_id\n2024,income,operating_subsidy,1000,A2\n", "utf-8")
    assert main(["validate", str(folder)]) == 0


# --------------------------------------------------------------------------- notebook
@pytest.mark.slow
def test_notebook_runs_and_records_the_planted_figures(tmp_path):
    """Execute notebooks/70_economic_model.ipynb on demo-2025 and read back its recorded results."""
    if not (raw_dir() / "demo-2025" / "ground_truth.json").exists():
        pytest.skip("demo campaign demo-2025 not generated yet")
    import papermill as pm

    from rd_methods import results
    from rd_methods.paths import notebooks_dir

    out = tmp_path / "70_economic_model.ipynb"
    pm.execute_notebook(str(notebooks_dir() / "70_economic_model.ipynb"), str(out), kernel_name="rd-methods",
                        parameters={"campaign": "demo-2025"}, progress_bar=False)
    truth = json.loads((raw_dir() / "demo-2025" / "ground_truth.json").read_text())
    gt = truth["economic_model"]
    rec = results.collect(out).set_index("key")
    assert round(rec.loc["economic_model.own_revenue_share_last", "value"], 6) == gt["own_revenue_share_last"]
    assert round(rec.loc["economic_model.subsidy_share_last", "value"], 6) == gt["subsidy_share_last"]
    assert round(rec.loc["economic_model.hhi_last", "value"], 6) == gt["hhi_last"]
    assert round(rec.loc["economic_model.public_funder_share_last", "value"], 6) == gt["public_funder_share_last"]
    assert round(rec.loc["economic_model.cost_per_launched_project_eur", "value"], 2) == gt["cost_per_launched_project_eur"]
    assert round(rec.loc["economic_model.cost_per_fte_eur", "value"], 2) == gt["cost_per_fte_eur"]
    assert round(rec.loc["economic_model.operating_balance_last", "value"], 2) == gt["operating_balance_last"]
    for name, planted in truth["transitions"]["by_transition"].items():
        assert rec.loc[f"transitions.n_projects_{name}", "value"] == planted["n_projects"]
        assert round(rec.loc[f"transitions.fte_{name}", "value"], 2) == planted["fte_last_year"]


def test_notebook_is_discovered_and_requires_finances():
    """The runner publishes notebook 70 for a campaign with finances, lists it not applicable otherwise."""
    from rd_methods.publish.runner import discover_notebooks

    spec = next(s for s in discover_notebooks() if s.stem == "70_economic_model")
    assert spec.requires == ("finances",)
    assert {"campaign", "data_dir", "include_capital", "growth_from_year"} <= set(spec.parameters)
    assert "Modèle économique" in spec.title


# --------------------------------------------------------------------------- key results (one definition per figure)
@pytest.mark.parametrize("campaign", ["demo-2024", "demo-2025"])
def test_key_results_are_the_planted_figures(campaign):
    folder = raw_dir() / campaign
    if not (folder / "ground_truth.json").exists():
        pytest.skip(f"{campaign} not generated")
    truth = json.loads((folder / "ground_truth.json").read_text("utf-8"))
    gt, gtt = truth["economic_model"], truth["transitions"]
    camp = Campaign.load(folder)
    keys = em.key_results(camp["finances"], camp["actors"], jobs=camp["jobs"], stages=camp["project_stages"],
                          projects=camp["projects"])
    assert list(keys.columns) == ["key", "value", "label", "unit", "note"]
    k = keys.set_index("key")["value"]
    last = str(camp.period[1])
    assert round(k["economic_model.subsidy_share_last"], 6) == gt["subsidy_share_by_year"][last]
    assert round(k["economic_model.own_revenue_share_last"], 6) == gt["own_revenue_share_by_year"][last]
    assert round(k["economic_model.hhi_last"], 6) == gt["hhi_by_year"][last]
    assert round(k["economic_model.public_funder_share_last"], 6) == gt["public_funder_share_by_year"][last]
    assert round(k["economic_model.operating_balance_last"], 2) == gt["operating_balance_last"]
    assert round(k["economic_model.cost_per_launched_project_eur"], 2) == gt["cost_per_launched_project_eur"]
    assert round(k["economic_model.cost_per_fte_eur"], 2) == gt["cost_per_fte_eur"]
    for name, planted in gtt["by_transition"].items():
        assert k[f"transitions.n_projects_{name}"] == planted["n_projects"], name
        assert round(k[f"transitions.fte_{name}"], 2) == planted["fte_last_year"], name
    labels = keys.set_index("key")["label"]
    assert labels["economic_model.hhi_last"].endswith(f"{last})")
    assert "(s)" not in " ".join(keys["label"]) + " ".join(keys["unit"].dropna())


def test_key_results_by_hand_without_projects():
    f, actors = _small()
    keys = em.key_results(f, actors)
    k = keys.set_index("key")["value"]
    # 2024: operating income 250, subsidies 100, own revenue 60 + 40 + 25 = 125, expense 230 (see _small)
    assert k["economic_model.subsidy_share_last"] == pytest.approx(100 / 250)
    assert k["economic_model.own_revenue_share_last"] == pytest.approx(125 / 250)
    bal = em.operating_balance(f).set_index("year")
    assert k["economic_model.operating_balance_last"] == bal.loc[2024, "balance_eur"]
    assert not keys["key"].str.startswith("transitions.").any()  # no projects table: no transition figure
    assert math.isnan(k["economic_model.cost_per_launched_project_eur"])  # no stages: no launched project


@pytest.mark.parametrize("campaign", ["demo-2024", "demo-2025"])
def test_launched_projects_agree_with_the_pipeline_definition(campaign):
    """« projets lancés » is one number: the economic model's count over the period equals
    pipeline.status_counts' launched projects (every launch of the demos is inside the period)."""
    from rd_methods import pipeline
    from rd_methods.campaign import Campaign

    camp = Campaign.load(campaign)
    costs = em.cost_per_outcome(camp["finances"], camp["jobs"], camp["project_stages"], period=camp.period)
    counts = pipeline.status_counts(camp["project_stages"]).set_index("status")["n"]
    assert int(costs.loc[costs["scope"] == "period", "n_launched"].iloc[0]) == counts["launched"]
