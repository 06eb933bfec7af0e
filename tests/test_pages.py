"""The pages of notebooks 20, 40 and 55: French sentences, tables and figures built by the package.

Each page module is run on demo-2025 (with small draws) as its notebook runs it; every sentence,
table and figure text must follow the one French style (no « (s) », no ``nan``, no decimal
point, true minus sign, no « 0,000 » p-value, no item id) and every figure comes with an
alternative text. Sentences are also checked at 0 and 1.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from rd_methods import network as nw  # noqa: E402
from rd_methods import network_page, plots, resilience_page, survey, survey_page  # noqa: E402
from rd_methods import resilience as rs  # noqa: E402

STYLE = [
    ("nan/inf", re.compile(r"(?<![\w-])(nan|NaN|inf|-inf|None)(?![\w-])")),
    ("decimal point", re.compile(r"(?<![\w.])\d+\.\d+(?![\w.])")),
    ("(s) plural", re.compile(r"\w\((s|x|e|es|nt)\)")),
    ("hyphen as minus", re.compile(r"(?<![\w\d])-\d")),
    ("p-value 0,000", re.compile(r"\b0,000\b")),
    ("nested parentheses", re.compile(r"\([^()]*\(")),
]


def assert_french(text: str, *, where: str = "") -> None:
    """The checks of the style scan of published pages, on one text."""
    for name, rule in STYLE:
        found = rule.search(text)
        assert not found, f"{where}: {name}: …{text[max(0, found.start() - 40): found.end() + 40]}…"


def visible(table) -> str:
    """The text a reader sees in a Styler table (cells, headers, caption), tags stripped."""
    parts: list[str] = []

    class Text(HTMLParser):
        def handle_data(self, data):
            if self.lasttag != "style":
                parts.append(data)

    Text().feed(table.to_html())
    return " ".join(" ".join(parts).split())


def check_figure(fig, alt: str) -> str:
    assert isinstance(alt, str) and len(alt) > 40, alt
    fig.canvas.draw()  # tick labels are formatted at draw time
    shown = list(fig.texts) + [t for lg in fig.legends for t in lg.get_texts()] + [fig._suptitle or fig.text(0, 0, "")]
    for ax in fig.axes:
        shown += [ax.title, ax._left_title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
        shown += [t for t in ax.get_legend().get_texts()] if ax.get_legend() else []
        shown += [*ax.get_xticklabels(), *ax.get_yticklabels()] if ax.axison else []
    texts = [t.get_text() for t in shown if t.get_text()]
    joined = " ".join(texts)
    assert "…" not in joined  # no truncated label
    assert_french(alt, where="alt")
    plt.close(fig)
    return joined


@pytest.fixture(scope="module")
def demo():
    from rd_methods.campaign import Campaign

    return Campaign.load("demo-2025")


# --------------------------------------------------------------------------- plots


def test_network_map_draws_the_best_connected_actors_beyond_max_nodes():
    G = nx.barabasi_albert_graph(60, 2, seed=1)
    nx.set_node_attributes(G, {v: ("association" if v % 2 else "citizen") for v in G}, "category")
    hub = max(G.degree, key=lambda nd: nd[1])[0]
    fig = plots.network_map({"2024": G, "2025": G.subgraph(range(8))}, hub, max_nodes=10)
    left, right = fig.axes[0], fig.axes[1]
    assert left.get_title() == "2024 : les 10 acteurs les plus connectés sur 60"
    assert right.get_title() == "2025"  # small enough: drawn whole
    points = [c for c in left.collections if isinstance(c, matplotlib.collections.PathCollection)]
    assert len(points[0].get_offsets()) == 10 and len(points[1].get_offsets()) == 1  # the hub is kept, starred
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["Associations", "Citoyens", "Structure évaluée"]
    plt.close(fig)


def test_stamp_writes_source_and_synthetic_mark_below_everything_once():
    fig, ax = plt.subplots()
    ax.set_xlabel("Année")
    plots.stamp(fig, source="Source : campagne demo-2025, table territory_panel", synthetic=True)
    plots.stamp(fig, source="autre", synthetic=True)
    texts = {t.get_text(): t for t in fig.texts}
    assert set(texts) == {"Source : campagne demo-2025, table territory_panel", "Données synthétiques"}
    label_bottom = ax.xaxis.label.get_window_extent(fig.canvas.get_renderer()).y0
    source_top = texts["Données synthétiques"].get_window_extent(fig.canvas.get_renderer()).y1
    assert source_top <= label_bottom  # not over the axis title
    plt.close(fig)


def test_show_needs_an_alt_text_and_caps_the_width(capsys):
    fig, _ = plt.subplots(figsize=(16, 4))
    with pytest.raises(ValueError, match="alternative"):
        plots.show(fig, " ")
    plots.show(fig, "Une figure", source="Source : test")
    assert tuple(fig.get_size_inches()) == pytest.approx((plots.MAX_WIDTH, 4 * plots.MAX_WIDTH / 16))
    assert not plt.fignum_exists(fig.number)


# --------------------------------------------------------------------------- network page


def test_network_page_on_the_demo(demo):
    ties = demo.tables.get("ties")
    tables = (demo["actors"], demo["participations"], demo["events"], ties)
    graphs = {y: G for y, G in nw.graphs_over_time(*tables).items() if y >= 2023}
    last = max(graphs)
    G, org = graphs[last], demo.organisation
    metrics = nw.metrics_over_time(graphs=graphs, seed=1)
    profile = nw.broker_profile(G, org)
    rules = {r: nw.build_graph(*tables, period=last, projection=r) for r in nw.PROJECTIONS}
    comparison = nw.projection_comparison(rules, org, seed=1)
    tests = pd.concat([nw.brokerage_test(g, org, n_null=5, seed=1).assign(projection=r) for r, g in rules.items()])
    dep = nw.dependence(G, org, n_baseline=5, seed=1)
    matched = nw.dependence(G, org, null="degree_matched", n_baseline=5, seed=1)
    dyn = nw.tie_dynamics_over_time(graphs)
    roles = nw.brokerage_roles(G)
    texts = [
        network_page.data_text(demo["events"], demo["participations"], ties, graphs, projection="star_large",
                               max_event_size=100),
        network_page.betweenness_note(metrics), network_page.metrics_text(metrics),
        network_page.broker_text(profile, "La structure", last), network_page.roles_text(roles, org, last),
        network_page.projection_text(comparison, nw.two_mode_profile(G, org), last),
        network_page.brokerage_test_text(tests, 5), network_page.dependence_text(dep, matched, "bipartite", last),
        network_page.dynamics_text(dyn),
    ]
    for text in texts:
        assert_french(text, where=text[:40])
    assert "premier courtier du réseau sous les trois règles" in texts[5]  # the planted broker
    assert "9 événements comptent plus de 100 participants" in texts[0]
    tables = [network_page.category_table(G, min_cell=5, year=last), network_page.metrics_table(metrics),
              network_page.profile_table(profile),
              network_page.top_table(nw.top_actors(G, k=5, seed=1), last),
              network_page.top_roles_table(roles, G, last), network_page.projection_table(comparison),
              network_page.brokerage_test_table(tests), network_page.dynamics_table(dyn)]
    for table in tables:
        assert_french(visible(table), where="table")
    assert "Densité" in visible(tables[1]) and "Étoile (grands événements)" in visible(tables[5])
    for fig, alt in [network_page.network_figure(graphs, org, seed=1, max_nodes=300),
                     network_page.metrics_figure(metrics), network_page.dependence_figure(dep, "bipartite", last),
                     network_page.dynamics_figure(dyn)]:
        assert_french(check_figure(fig, alt), where=alt[:40])
    with pytest.raises(ValueError, match="projection"):
        network_page.check_parameters("year", "star", "bipartite")


def test_network_sentences_at_zero_and_one():
    part = pd.DataFrame({"event_id": ["e1", "e1"], "actor_id": ["a", "b"]})
    G = nx.Graph([("a", "b")], period=(2020, 2020))
    text = network_page.data_text(pd.DataFrame({"event_id": ["e1"]}), part, None, {2020: G},
                                  projection="clique", max_event_size=100)
    assert "1 événement, de 2020 à 2020, et de 2 participations de 2 acteurs distincts" in text
    assert "ne fournit pas de liens directs" in text and "ties" not in text
    dyn = pd.DataFrame({"year": [2021], "jaccard": [0.5], "new": [1], "lost": [0], "persisting": [1],
                        "new_cross_share": [1.0]})
    assert "1 lien est nouveau, 0 a disparu et 1 est maintenu" in network_page.dynamics_text(dyn)


# --------------------------------------------------------------------------- survey page


def test_survey_page_on_the_demo(demo):
    resp, items = demo["survey_responses"], demo["survey_items"]
    rel = survey.reliability(resp, items, wave=1)
    om = survey.omega(resp, items, wave=1, n_boot=10, seed=1)
    ba = survey.before_after(resp, items=items, wave_before=1, wave_after=2)
    inv = survey.invariance(resp, items, 1, 2)
    chk = survey.attrition_check(resp, items, 1, 2)
    weights, wtable, wtext = survey_page.weighting(resp, survey.population_from_campaign(demo.meta), 1)
    wch = survey.weighted_change(resp, items, {"nonresponse": weights.loc[weights["wave"] == 1],
                                               "attrition": survey.attrition_weights(resp, items, 1, 2,
                                                                                     base_weights=weights)}, 1, 2)
    mi = survey.mice_change(resp, items, 1, 2, n_imputations=2, seed=1)
    cmp = survey.compare_groups(resp, items, group="stakeholder_group", wave=1, min_cell=5)
    texts = [survey_page.respondents_text(resp, items, 1, min_cell=5), wtext,
             survey_page.reliability_text(rel, om, items), survey_page.missing_text(resp, items, 1),
             survey_page.retention_text(resp, 1, 2), survey_page.change_text(ba),
             survey_page.invariance_text(inv, items), survey_page.attrition_text(chk, 0.2),
             survey_page.weighted_change_text(wch), survey_page.mice_text(mi, 2), survey_page.ordinal_text(cmp),
             survey_page.groups_text(cmp, 5)]
    item_ids = set(items["item_id"])
    for text in texts:
        assert_french(text, where=text[:40])
        assert not any(re.search(rf"\b{i}\b", text) for i in item_ids), text  # wording, never the id
    assert "2 vagues, 1 et 2" in texts[0]
    assert "3 variations restent significatives" in texts[5]  # three planted changes, belonging unchanged
    tables = [survey_page.respondents_table(resp, min_cell=5), wtable, survey_page.reliability_table(rel, om),
              survey_page.change_table(ba), survey_page.invariance_table(inv, items),
              survey_page.attrition_table(chk, 0.2), survey_page.weighted_change_table(wch),
              survey_page.mice_table(mi), survey_page.groups_table(cmp), survey_page.ordinal_table(cmp)]
    for table in tables:
        shown = visible(table)
        assert_french(shown, where="table")
        assert not any(re.search(rf"\b{i}\b", shown) for i in item_ids)
    assert "< 0,001" in visible(tables[3]) and "Coopération" in visible(tables[3])
    for fig, alt in [survey_page.items_figure(resp, items, 1), survey_page.change_figure(ba, 1, 2),
                     survey_page.groups_figure(resp, items, 1, min_answered=0.5, min_cell=5)]:
        assert_french(check_figure(fig, alt), where=alt[:40])


def test_survey_sentences_at_zero_and_one():
    resp = pd.DataFrame({"respondent_id": ["a", "b", "a"], "wave": [1, 1, 2], "stakeholder_group": "members"})
    text = survey_page.retention_text(resp, 1, 2)
    assert "Sur 2 répondants de la vague 1, **1 a répondu de nouveau**" in text
    assert "aucune personne n'a répondu seulement à la vague 2" in text
    assert "vague présente : 1" in survey_page.no_change_text(resp.iloc[:2], 1, 2)
    paired = pd.DataFrame({"test": "paired_t", "scale": ["trust", "cooperation"], "estimate": [0.1, 0.3],
                           "ci_low": [-0.1, 0.2], "ci_high": [0.3, 0.4], "p_adjusted": [0.3, 0.01]})
    text = survey_page.change_text(paired)
    assert "une variation reste significative" in text and "sans évolution nette" in text


# --------------------------------------------------------------------------- resilience page


def test_resilience_page_on_the_demo(demo):
    t = resilience_page.territories(demo["territory_panel"], "employment")
    shock, shock_text = resilience_page.find_shock(t)
    table = rs.resistance_recovery(t.panel, t.column, shock=shock)
    ranks = rs.treated_ranks(table)
    G = nw.build_graph(demo["actors"], demo["participations"], demo["events"], demo["ties"], period=2025)
    curves = pd.concat([rs.attack_tolerance(G, "random", steps=10, seed=1, efficiency=False, repeats=3),
                        rs.attack_tolerance(G, "degree", steps=10, seed=1, efficiency=False)])
    compared = rs.compare_with_random(G, "degree", steps=10, n_random=3, seed=1, efficiency=False)
    graphs = {y: g for y, g in nw.graphs_over_time(demo["actors"], demo["participations"], demo["events"],
                                                    demo["ties"]).items() if y >= 2023}
    over = rs.robustness_over_time(graphs, structure=demo.organisation, steps=10, seed=1, repeats=3)
    texts = [resilience_page.data_text(t), shock_text, resilience_page.resistance_text(t, table, ranks),
             resilience_page.network_text(G, "star_large", 100), resilience_page.tolerance_text(curves, compared),
             resilience_page.over_time_text(over),
             resilience_page.limits_text(t, projection="star_large", n_random=3, synthetic=True)]
    for text in texts:
        assert_french(text, where=text[:40])
    assert "de **2019 à 2020**" in shock_text  # the planted shock
    assert "**1ᵉʳ sur 19**" in texts[2] and "la plus petite possible" in texts[2]
    assert "star_large" not in texts[6] and "« en étoile »" in texts[6]
    for table_ in [resilience_page.resistance_table(t, table, shock), resilience_page.over_time_table(over)]:
        assert_french(visible(table_), where="table")
    assert "▶ Communauté d'agglomération ECLA" in visible(resilience_page.resistance_table(t, table, shock))
    for fig, alt in [resilience_page.shock_figure(t, shock), resilience_page.resistance_figure(t, table),
                     resilience_page.tolerance_figure(curves, compared), resilience_page.over_time_figure(over)]:
        assert_french(check_figure(fig, alt), where=alt[:40])


def test_resilience_without_enough_comparisons_says_so():
    panel = pd.DataFrame({"territory_code": ["t", "t", "a", "a"], "territory_name": ["T", "T", "A", "A"],
                          "year": [2020, 2021] * 2, "treated": [True, True, False, False],
                          "population": 1000, "employment": [10, 11, 10, 9]})
    t = resilience_page.territories(panel, "employment")
    shock, text = resilience_page.find_shock(t)
    assert shock is None and "un seul ici" in text
    assert "**1 territoire**" in resilience_page.data_text(t)
