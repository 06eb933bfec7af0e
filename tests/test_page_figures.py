"""Figures and tables of the pages 00, 10 and 30: they draw on the demo without raising, with French
labels, no identifier, no truncated label, no ``nan``; plots.stamp / plots.show put the source line,
the synthetic-data mark and the alternative text where the publisher finds them."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from rd_methods import disclosure, overview, plots  # noqa: E402
from rd_methods import overview_figures as of  # noqa: E402
from rd_methods import pipeline as pl  # noqa: E402
from rd_methods import pipeline_figures as pf  # noqa: E402
from rd_methods import value_chain as vc  # noqa: E402
from rd_methods import value_chain_figures as vf  # noqa: E402
from rd_methods import value_chain_tables as vt  # noqa: E402
from rd_methods.campaign import Campaign  # noqa: E402

ID = re.compile(r"\b[AP]\d{5,}\b")  # actor and project ids of the demo


@pytest.fixture(scope="module")
def camp():
    return Campaign.load("demo-2025")


@pytest.fixture(scope="module")
def vca(camp):
    return vc.analyse(camp["contributions"], camp["actors"], organisation=camp.organisation, last_year=camp.period[1],
                      monetisation=camp.monetisation,
                      **{t: camp[t] for t in ("activities", "outcomes", "jobs", "participations", "events")})


@pytest.fixture(scope="module")
def pla(camp):
    return pl.analyse(camp["project_stages"], camp["projects"], last_year=camp.period[1], organisation=camp.organisation,
                      **{t: camp[t] for t in ("contributions", "actors", "participations", "events", "jobs")})


def texts(fig) -> list[str]:
    """Every text drawn on a figure: titles, axis labels, tick labels, legends, annotations."""
    fig.canvas.draw()
    hidden = {id(t) for ax in fig.axes if not ax.axison for t in ax.get_xticklabels() + ax.get_yticklabels()}
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text)
            if t.get_text().strip() and t.get_visible() and id(t) not in hidden]


def check(fig, *expected: str) -> list[str]:
    words = texts(fig)
    joined = " | ".join(words)
    for word in expected:
        assert word in joined, (word, joined[:500])
    assert not re.search(r"(?<![\w-])(nan|inf|None)(?![\w-])", joined), joined
    assert not ID.search(joined), ID.search(joined)
    assert "…" not in joined  # no truncated label
    assert not re.search(r"\d\.\d", joined), joined  # French decimals only
    assert fig.get_size_inches()[0] <= plots.MAX_WIDTH + 1e-9
    plt.close(fig)
    return words


def test_overview_figures(camp):
    actors = camp["actors"]
    check(of.actors_by_category(overview.actors_by_category(actors)), "Acteurs par catégorie", "Citoyens")
    years = range(camp.period[0], camp.period[1] + 1)
    check(of.members_by_college(overview.members_over_time(actors, years)), "Sociétaires par collège")
    current = pl.current_stage(camp["project_stages"])
    table = overview.projects_by_need_and_stage(camp["projects"], current.assign(stage=current["status"]))
    check(of.projects_by_need_and_stage(table), "Projets par besoin et par étape", "Abandon", "Activité autonome")
    check(of.events_per_year(overview.events_per_year(camp["events"], camp["participations"])), "Atelier thématique")


def test_value_chain_figures(camp, vca):
    check(vf.contributions_by_category(vc.contribution_matrix(vca.valued, camp["actors"], by=("category", "resource"))),
          "Apports valorisés par catégorie", "Apport financier", "k€")
    graph = vc.build_graph(vca.valued, camp["actors"], camp["outcomes"], actor_level="category", organisation=camp.organisation)
    names = disclosure.display_names(camp["actors"])
    titles = camp["projects"].set_index("project_id")["title"]
    words = check(vf.flow(graph, "Chaîne de valeur", organisation=camp.organisation, names=names, titles=titles),
                  "Acteurs", "Ressources", "Projets", "Parties prenantes", "Sans résultat renseigné")
    assert any(titles.iloc[0].split()[0] in w or "Autres" in w for w in words)
    per = vca.leverage[vca.leverage["scope"] == "project"]
    check(vf.leverage(per, vca.overall["leverage"], vca.leverage_by_year), "Effet levier par projet", "ensemble des projets")
    check(vf.co_construction(vca.co_construction), "Diversité et concentration")
    check(vf.support_functions(camp["activities"], vca.support[vca.support["scope"] == "year"]),
          "Part des fonctions support", "Gouvernance, support")
    check(vf.evidence_grid(vca.created.grid), "mesurée", "Bénéficiaires")
    jy = vca.created.jobs_by_year
    check(vf.jobs(jy, disclosure.suppress_small(jy, ["headcount", "insertion_headcount"], min_cell=5)), "dont en insertion")
    regen = vca.regeneration
    counts = [regen.groupby(c).size().rename("n").reset_index() for c in ("lag_years", "first_contribution_year")]
    check(vf.regeneration(*counts), "Année du premier apport")


def test_flow_node_labels_wrap_and_never_show_an_id():
    title = "Plateforme coopérative de mobilité solidaire pour les communes rurales du Revermont"
    text = vf.node_label("activity:P00042", "P00042", "activity", titles={"P00042": title})
    assert text.replace("\n", " ") == title and "\n" in text
    assert vf.node_label("actor:A000001", "A000001", "actor", organisation="A000001") == "Structure évaluée"
    assert vf.node_label("actor:A000009", "A000009", "actor", names={}) == "Acteur"
    assert vf.node_label("activity:P9", "P9", "activity") == "Projet sans titre"


def test_pipeline_figures(camp, pla):
    check(pf.funnel(pla.funnel, "95 %"), "Part des idées ayant atteint chaque étape", "Lancement", "intervalle à 95 %")
    check(pf.cohorts(pla.cohorts), "Année de recueil de l'idée", "Faisabilité")
    check(pf.cumulative_incidence(pla.cif, "95 %"), "Lancées", "Abandonnées")
    check(pf.by_need(pla.need_summary, "95 %"), "Emploi")
    check(pf.launch_model(pla.model.table, "95 %"), "Diversité des partenaires, +1 catégorie", "Rapport de cotes")
    check(pf.activity_survival(pla.activities, "95 %"), "Années depuis le lancement")
    check(pf.jobs(pla.jobs, disclosure.suppress_small(pla.jobs, ["headcount", "insertion_headcount"], min_cell=5)),
          "Personnes en insertion")


def test_value_chain_tables_are_french_and_suppress_small_counts(camp, vca):
    html = vt.regeneration_by_category(vca.regeneration, camp["actors"], min_cell=5).to_html()
    assert "Délai médian en années" in html and "nan" not in html
    small = vt.project_jobs(vca.created.jobs.head(3).assign(headcount=[2, 0, 7], insertion_headcount=[1, 0, 0]), min_cell=5)
    html = small.to_html()
    assert "moins de 5" in html and ">0<" in html and ">7<" in html
    pid = vca.created.jobs["project_id"].iloc[0]
    sub = vca.valued[vca.valued["project_id"] == pid]
    html = vt.contributors(vc.contribution_matrix(sub, by=("actor", "resource")), camp["actors"],
                           disclosure.display_names(camp["actors"]), camp.organisation).to_html()
    assert "Structure évaluée" in html and not ID.search(html) and "€" in html
    html = vt.outcomes(vca.created.outcomes).to_html()
    assert "Bénéficiaires" in html and "Mesurée" in html and not re.search(r">\d+\.\d+<", html)


def test_stamp_draws_source_and_synthetic_mark_once():
    fig, ax = plt.subplots()
    plots.stamp(fig, source="Source : campagne demo-2025, table actors.csv", synthetic=True)
    plots.stamp(fig, source="Source : campagne demo-2025, table actors.csv", synthetic=True)
    drawn = [t.get_text() for t in fig.texts]
    assert drawn == ["Source : campagne demo-2025, table actors.csv", plots.SYNTHETIC_MARK]
    plt.close(fig)


def test_source_text_names_the_files(camp):
    assert plots.source_text(camp, "actors", "events") == "Source : campagne demo-2025, tables actors.csv et events.csv"
    assert plots.source_text(camp, "jobs") == "Source : campagne demo-2025, table jobs.csv"
    assert plots.source_text("x") == "Source : campagne x"


def test_show_needs_an_alt_text_and_closes_the_figure():
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="alternative"):
        plots.show(fig, " ")
    fig, _ = plt.subplots()
    plots.show(fig, "Barres : 3 projets.", source="Source : campagne x", synthetic=True)
    assert not plt.fignum_exists(fig.number)
    assert plots.SYNTHETIC_MARK in [t.get_text() for t in fig.texts]


def test_show_puts_the_alt_text_where_the_publisher_reads_it(monkeypatch):
    """plots.show passes the text as image metadata; publish.html picks it up as the alt attribute."""
    import IPython
    import IPython.display
    import nbformat

    from rd_methods.publish.html import with_alt_texts

    shown = {}
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display", lambda obj, metadata=None: shown.update(metadata=metadata))
    fig, _ = plt.subplots()
    plots.show(fig, "Courbe : **24 %** des idées lancées.")
    assert shown["metadata"] == {"image/png": {"alt": "Courbe : 24 % des idées lancées."}}
    nb = nbformat.v4.new_notebook()
    out = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="}, metadata=shown["metadata"])
    nb.cells = [nbformat.v4.new_code_cell("x", outputs=[out])]
    assert with_alt_texts(nb).cells[0].outputs[0].metadata["rd_alt"] == "Courbe : 24 % des idées lancées."


# ---------------------------------------------------------------- the pages' sentences read right at 0 and 1
from rd_methods import pipeline_text, value_chain_text  # noqa: E402

NUMBER_SEAMS = re.compile(r"\(s\)|(?<![\d,])0 (?:projet|idée|acteur|apport)|\bnan\b|\d\.\d|(?<![\w\d])-\d")


def _stages(rows):
    import pandas as pd

    return pd.DataFrame([(p, s, pd.Timestamp(d)) for p, s, d in rows], columns=["project_id", "stage", "entered_on"])


def test_pipeline_sentences_at_zero_and_one():
    one = pl.analyse(_stages([("a", "idea", "2020-01-01"), ("a", "launched", "2021-01-01"),
                              ("b", "idea", "2020-01-01"), ("b", "workshop", "2020-06-01")]), last_year=2022)
    text = pipeline_text.funnel(one)
    assert "**1 a abouti**" in text and "aucun projet n’a été abandonné" in text and "1 est encore en cours" in text
    assert "dont" not in text.split("abandonné")[1][:10]  # no « dont aucun après » when nothing was abandoned
    assert pipeline_text.cohorts(one).startswith("Toutes les idées ont été recueillies pendant les trois dernières années")
    text = pipeline_text.incidence(one)
    assert "Pour le seul projet effectivement lancé" in text and "366 jours" in text
    none = pl.analyse(_stages([("a", "idea", "2020-01-01"), ("a", "abandoned", "2020-03-01")]), last_year=2022)
    text = pipeline_text.funnel(none)
    assert "aucune n’a abouti" in text and "1 projet a été abandonné" in text and "aucun n’est encore en cours" in text
    for text in (pipeline_text.funnel(one), pipeline_text.incidence(one), pipeline_text.funnel(none),
                 pipeline_text.model_caution(none), pipeline_text.logrank(none)):
        assert not NUMBER_SEAMS.search(text), (NUMBER_SEAMS.search(text), text)


def test_pipeline_diversity_sentence_states_the_planted_value(pla, camp):
    truth = {"log_odds_per_unit": 0.8, "enabled": True}
    s = camp["project_stages"]
    idea_year = s[s["stage"] == "idea"].set_index("project_id")["entered_on"].dt.year
    early = idea_year[idea_year <= 2022].index
    launched = set(s.loc[s["stage"].isin(["launched", "autonomous"]), "project_id"])
    rate = plots.format_pct(len(launched & set(early)) / len(early))
    assert f"Les idées recueillies jusqu'en 2022, au nombre de {len(early)}, ont été lancées dans {rate} des cas" in pipeline_text.cohorts(pla)
    text = pipeline_text.diversity(pla, truth)
    assert "2,23" in text and "Il est dans l'intervalle" in text and "intervalle [0,33\u00a0; 7,00]" in text
    assert not NUMBER_SEAMS.search(text)


def test_value_chain_sentences_on_demo(vca, camp):
    assert "**5,40\u00a0€**" in value_chain_text.leverage(vca)  # ground truth 5.397142
    assert "39\u00a0% du coût" in value_chain_text.support(vca, camp.period)  # ground truth 0.391402
    assert "45,6 équivalents temps plein" in value_chain_text.jobs(vca, 5)
    regen = value_chain_text.regeneration(vca)
    assert f"**{len(vca.regeneration)} acteurs ont**" in regen
    for text in (value_chain_text.leverage(vca), value_chain_text.co_construction(vca), value_chain_text.jobs(vca, 5),
                 value_chain_text.value_created(vca, camp["outcomes"]), regen):
        assert not NUMBER_SEAMS.search(text), (NUMBER_SEAMS.search(text), text)


def test_value_chain_sentences_when_nothing_regenerates(vca):
    import dataclasses

    empty = dataclasses.replace(vca, regeneration=vca.regeneration.iloc[0:0])
    assert value_chain_text.regeneration(empty).startswith("Aucun acteur")
    one = dataclasses.replace(vca, regeneration=vca.regeneration.iloc[0:1])
    assert value_chain_text.regeneration(one).startswith("**1 acteur a**")
