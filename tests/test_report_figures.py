"""Figures of the territorial-effects, SROI, economic-model, synthesis and comparison pages
(rd_methods.report_figures) and the figure stamp (plots.stamp, plots.show): each figure is
drawn from the demo campaign's real method output, with French labels, no truncated label,
the SROI break-even line, and the source and synthetic-data mark drawn on the figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from rd_methods import counterfactual as cf  # noqa: E402
from rd_methods import economic_model as em  # noqa: E402
from rd_methods import plots  # noqa: E402
from rd_methods import report_figures as figures  # noqa: E402
from rd_methods import sroi as S  # noqa: E402
from rd_methods import synthesis as syn  # noqa: E402
from rd_methods.paths import raw_dir  # noqa: E402


def _texts(fig) -> list[str]:
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        out += [t.get_text() for t in ax.get_yticklabels() + ax.get_xticklabels()]
        legend = ax.get_legend()
        if legend is not None:
            out += [t.get_text() for t in legend.get_texts()]
    return [t for t in out if t]


def _check(fig) -> list[str]:
    texts = _texts(fig)
    fig.canvas.draw()  # draws without raising
    joined = " ".join(texts)
    assert "…" not in joined  # no truncated label
    assert "nan" not in joined.split() and "_" not in joined  # no code name, no missing value
    plt.close(fig)
    return texts


@pytest.fixture(scope="module")
def camp():
    if not (raw_dir() / "demo-2025" / "ground_truth.json").exists():
        pytest.skip("demo-2025 not generated")
    from rd_methods.campaign import Campaign

    return Campaign.load("demo-2025")


def test_stamp_draws_source_and_synthetic_mark_once():
    fig, _ = plt.subplots()
    plots.stamp(fig, source="Source : campagne demo-2025, table finances", synthetic=True)
    plots.stamp(fig, source="Source : campagne demo-2025, table finances", synthetic=True)
    assert sorted(t.get_text() for t in fig.texts) == ["Données synthétiques", "Source : campagne demo-2025, table finances"]
    plt.close(fig)
    fig, _ = plt.subplots()
    plots.stamp(fig, source="Source : x")
    assert [t.get_text() for t in fig.texts] == ["Source : x"]  # real data: no synthetic mark
    plt.close(fig)


def test_show_gives_the_alt_text_caps_the_width_and_refuses_no_alt(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, metadata=None: shown.append((obj, metadata)))
    fig, _ = plt.subplots(figsize=(14, 4))
    plots.show(fig, alt="Le ratio dépasse 1.", source="Source : test", synthetic=True)
    (obj, meta), = shown
    assert obj is fig and meta == {"image/png": {"alt": "Le ratio dépasse 1."}}
    assert fig.get_size_inches()[0] == pytest.approx(plots.MAX_WIDTH)
    assert fig.get_size_inches()[1] == pytest.approx(4 * plots.MAX_WIDTH / 14)
    with pytest.raises(ValueError, match="alt"):
        plots.show(plt.figure(), alt=" ")
    plt.close("all")


def test_territorial_figures(camp):
    a = cf.territorial_analysis(camp["territory_panel"], "employment", start=2017, n_placebo_years=3)
    name = "Espace Communautaire Lons Agglomération, un nom de territoire assez long pour être coupé"
    texts = _check(figures.territory_trends(a.panel, a.y, 2017, name, "Emplois pour 1 000 habitants"))
    assert any(t.replace("\n", " ") == name for t in texts)  # wrapped, not truncated
    _check(figures.event_study(a.event, 2017, "Écart"))
    _check(figures.placebos(a.space, a.time_placebos, "Effet estimé"))
    texts = _check(figures.synthetic_control(a.synth, 2017, "Lons", "Emplois"))
    assert "territoire synthétique" in texts
    assert 0 <= figures.hidden_placebos(a.synth) < a.n_comparisons


def test_sroi_figures_and_the_break_even_line(camp):
    a = S.analysis(camp["sroi_impact_map"], camp["sroi_inputs"], camp.discount_rate, n_draws=500, sobol_n=64, seed=1)
    sens = a.sensitivity[a.sensitivity["swing"] > 0].head(12)
    labels = [S.sensitivity_label(r.assumption, r.outcome_id, a.outcome_names, a.grouped) for r in sens.itertuples()]
    fig = figures.sroi_tornado(sens, labels, a.result.ratio, 0.2)
    ax = fig.axes[0]
    assert any(line.get_xdata()[0] == 1 for line in ax.get_lines())  # the break-even line at ratio = 1
    texts = _check(fig)
    assert "Seuil de rentabilité sociale (ratio = 1)" in texts
    assert len([t for t in texts if " — " in t]) == len(sens)  # one labelled bar per assumption
    assert "Seuil de rentabilité sociale (ratio = 1)" in _check(figures.sroi_monte_carlo(a.monte_carlo, a.result.ratio))
    texts = _check(figures.sroi_by_group(a.result.by_stakeholder_group))
    assert "Bénéficiaires" in texts
    _check(figures.sroi_by_year(a.result))
    top = a.sobol.head(5)
    _check(figures.sroi_sobol(top, [S.parameter_label(p, g, a.outcome_names, a.grouped)
                                     for p, g in zip(top["parameter"], top["group"], strict=True)]))


def test_economic_figures(camp):
    f = camp["finances"]
    texts = _check(figures.revenue_by_kind(em.revenue_mix(f)))
    assert "Subventions de fonctionnement" in texts
    conc = em.funding_concentration(f, camp["actors"]).set_index("year")
    assert "HHI : seuil de concentration forte, 0,25" in _check(figures.funding_concentration(conc))
    _check(figures.operating_balance(em.operating_balance(f)))


def test_synthesis_and_comparison_figures():
    links = syn.rate_links(syn.evaluate_evidence(pd.DataFrame({"key": ["sroi.ratio"], "value": [1.9],
                                                               "ci_low": [1.2], "ci_high": [3.1]})))
    texts = _check(figures.contribution_chain(links))
    assert "Chaîne de changement et solidité de chaque maillon" in texts
    a = pd.DataFrame({"key": ["sroi.ratio"], "value": [1.8], "ci_low": [1.2], "ci_high": [2.9],
                      "label": ["Ratio SROI : valeur sociale par euro investi, toutes parties prenantes"]})
    b = a.assign(value=[1.9], ci_low=[1.3], ci_high=[3.1])
    comp = syn.compare_campaigns({"demo-2024": a, "demo-2025": b})
    texts = _check(figures.campaign_intervals(comp, ["demo-2024", "demo-2025"]))
    assert any(t.replace("\n", " ") == a["label"][0] for t in texts)
    assert figures.campaign_intervals(comp.assign(ci_low=None), ["demo-2024", "demo-2025"]) is None
