"""The runner on the tiny fixture campaign: statuses, failure isolation, not-applicable,
synthesis last, results.json, offline pages with header/footer, campaign and site index."""

import json
import re
from pathlib import Path

import nbformat
import pytest
from helpers import fixture_layout

from rd_methods.campaign import Campaign
from rd_methods.publish import plan, runner
from rd_methods.publish.html import external_fetches

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
DATA = FIXTURES / "data"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("run")
    with pytest.MonkeyPatch.context() as mp:
        reports = fixture_layout(mp, tmp, ["10_ok", "20_raising", "50_needs_survey", "90_synthesis"])
        lines: list[str] = []
        runs = runner.run(["tiny"], jobs=2, echo=lines.append)
    return {"runs": runs, "reports": reports, "lines": lines, "tmp": tmp}


@pytest.mark.slow
def test_statuses_and_failure_isolation(site):
    (run,) = site["runs"]
    assert run.status == "failed" and run.published and not run.ok
    status = {o.stem: o.status for o in run.notebooks}
    assert status == {"10_ok": "ok", "20_raising": "failed", "50_needs_survey": "not_applicable",
                      "90_synthesis": "ok"}
    failed = next(o for o in run.notebooks if o.stem == "20_raising")
    assert failed.error["ename"] == "ValueError" and failed.error["exec_count"] == 5
    assert failed.describe_error() == "cellule In [5] : ValueError : échec volontaire du carnet de test"
    na = next(o for o in run.notebooks if o.stem == "50_needs_survey")
    assert na.missing == ["survey_items", "survey_responses"]
    lines = site["lines"]
    assert any("non applicable (tables absentes : survey_items, survey_responses)" in x for x in lines)
    assert any(re.search(r"20_raising\s+échec\s+[\d.]+ s\s+— cellule In \[5\]", x) for x in lines)
    # the synthesis ran after the others: it saw their results (two from 10_ok)
    order = [x.split()[1] for x in lines if re.match(r"\[tiny\] \d\d_\w+\s+(réussi|échec)", x)]
    assert order[-1] == "90_synthesis"


@pytest.mark.slow
def test_results_json_and_processed_cache(site):
    doc = json.loads((site["reports"] / "tiny" / "results.json").read_text("utf-8"))
    assert doc == {
        "fixture.n_actors": {"value": 6, "label": "Nombre d'acteurs", "unit": "acteurs", "ci": None,
                             "note": None, "notebook": "10_ok"},
        "fixture.share_personal": {"value": 0.5, "label": "Part de personnes", "unit": None,
                                   "ci": [0.25, 0.75], "note": "intervalle fictif", "notebook": "10_ok"},
        "synthesis.n_results": {"value": 2, "label": "Résultats des autres carnets", "unit": None,
                                "ci": None, "note": None, "notebook": "90_synthesis"},
    }
    assert (site["tmp"] / "processed" / "tiny" / "manifest.json").is_file()


@pytest.mark.slow
def test_published_files_and_no_leftovers(site):
    folder = site["reports"] / "tiny"
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([
        "10_ok.html", "10_ok.research.html", "10_ok.ipynb", "20_raising.html", "20_raising.research.html",
        "20_raising.ipynb", "90_synthesis.html", "90_synthesis.research.html", "90_synthesis.ipynb",
        "index.html", "rapport.html", "results.json", "provenance.json", "run.json"])
    assert sorted(p.name for p in site["reports"].iterdir()) == ["index.html", "references.html", "tiny"]
    executed = nbformat.read(folder / "10_ok.ipynb", as_version=4)
    injected = next(c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert 'campaign = "tiny"' in injected.source


@pytest.mark.slow
def test_pages_are_offline_with_header_footer_and_editions(site):
    folder = site["reports"] / "tiny"
    camp = Campaign.load("tiny", data_dir=DATA, use_processed=False)
    prov = json.loads((folder / "provenance.json").read_text("utf-8"))
    assert prov["fingerprint"] == camp.fingerprint and len(prov["fingerprint"]) == 64
    assert prov["git"]["commit"] and re.fullmatch(r"[0-9a-f]{40}", prov["git"]["commit"])
    for page in folder.glob("*.html"):
        text = page.read_text("utf-8")
        assert external_fetches(text) == [], page.name
        assert not re.search(r"<script[^>]*\bsrc=", text), page.name
        assert 'href="../references.html' in text, f"{page.name} does not link the bibliography"
        if page.name in ("index.html", "rapport.html"):
            continue
        assert "Données synthétiques" in text and 'href="index.html"' in text
        assert camp.fingerprint in text and prov["git"]["commit"][:12] in text
        for needle in ("Python 3.", "rd_methods ", "pandas ", "statsmodels ", "campaign = tiny"):
            assert needle in text, (page.name, needle)
    public = (folder / "10_ok.html").read_text("utf-8")
    research = (folder / "10_ok.research.html").read_text("utf-8")
    assert "use_theme" not in public and "hl-ipython3" not in public
    assert "use_theme" in research and "hl-ipython3" in research
    assert "data:image/png;base64," in public  # the figure is inline
    assert "Personne 001" in public and "Zoé" not in public
    assert "Nombre d'acteurs" in public and "{&#39;key&#39;" not in public  # record() not echoed
    # papermill's error banner stays on the failing page, not on the healthy ones
    assert "An Exception was encountered" in (folder / "20_raising.html").read_text("utf-8")
    assert "An Exception was encountered" not in public


@pytest.mark.slow
def test_campaign_and_site_index(site):
    index = (site["reports"] / "tiny" / "index.html").read_text("utf-8")
    assert "Petite campagne de test" in index and "2020–2024" in index
    assert "ValueError : échec volontaire du carnet de test" in index
    assert "tables absentes : survey_items, survey_responses" in index
    assert "Nombre d&#39;acteurs : <strong>6\u00a0acteurs</strong>" in index
    assert "50\u00a0% (intervalle\u00a0: [25\u00a0%\u00a0; 75\u00a0%])" in index  # a share, as a percentage
    assert "intervalle fictif" in index  # the note is visible text, not a tooltip
    for href in re.findall(r'href="([^"]+)"', index):
        assert (site["reports"] / "tiny" / href).resolve().is_file(), href
    top = (site["reports"] / "index.html").read_text("utf-8")
    assert 'href="tiny/index.html"' in top and "avec échecs" in top and "Données synthétiques" in top
    assert 'href="references.html"' in top and (site["reports"] / "references.html").is_file()
    # conclusions first, then the analyses, then the run details and provenance
    assert index.index('id="analyses"') < index.index('id="execution"') < index.index('id="provenance"')
    assert 'href="rapport.html"' in index and "(s)" not in index.split('id="execution"')[1].split("</p>")[0]


@pytest.mark.slow
def test_only_reruns_one_notebook_and_keeps_the_others(site, tmp_path):
    """--only 10 republishes 10_ok and carries the other pages over (same data)."""
    with pytest.MonkeyPatch.context() as mp:
        fixture_layout(mp, site["tmp"], [])
        # unchanged since the last run: even a selected notebook is reused, unless forced
        (run,) = runner.run(["tiny"], only=["10"], jobs=1, edition="public", echo=lambda _: None)
        assert {o.stem: o.reused for o in run.notebooks}["10_ok"] is True
        (run,) = runner.run(["tiny"], only=["10"], jobs=1, edition="public", force=True, echo=lambda _: None)
    # not-applicable notebooks are not carried over: they are re-assessed on every run
    assert {o.stem: (o.status, o.reused) for o in run.notebooks} == {
        "10_ok": ("ok", False), "20_raising": ("failed", True), "90_synthesis": ("ok", True)}
    folder = site["reports"] / "tiny"
    assert (folder / "20_raising.research.html").is_file()
    assert "repris de l'exécution" in (folder / "index.html").read_text("utf-8")


@pytest.mark.slow
def test_unknown_notebook_and_edition_are_user_errors(site):
    from rd_methods.errors import RdMethodsError

    with pytest.MonkeyPatch.context() as mp:
        fixture_layout(mp, site["tmp"], [])
        with pytest.raises(RdMethodsError, match="aucun notebook ne correspond à « 99 »"):
            runner.run(["tiny"], only=["99"])
        with pytest.raises(RdMethodsError, match="édition inconnue"):
            runner.run(["tiny"], edition="draft")


def test_notebooks_that_took_longest_last_time_are_submitted_first(tmp_path):
    from types import SimpleNamespace

    def spec(stem):
        return runner.NotebookSpec(path=tmp_path / f"{stem}.ipynb", stem=stem, title=stem, requires=(), parameters=())

    old = tmp_path / "old"
    old.mkdir()
    (old / "run.json").write_text(json.dumps({"notebooks": [
        {"stem": "10_a", "status": "ok", "duration": 3.0},
        {"stem": "20_b", "status": "ok", "duration": 12.5},
        {"stem": "30_c", "status": "not_applicable", "duration": 99.0},  # did not run: no duration
    ]}), "utf-8")
    seen = SimpleNamespace(camp=SimpleNamespace(id="seen"), target=old)
    fresh = SimpleNamespace(camp=SimpleNamespace(id="fresh"), target=tmp_path / "never-published")
    pairs = [(seen, spec("10_a")), (seen, spec("20_b")), (seen, spec("30_c")), (fresh, spec("10_a")), (fresh, spec("20_b"))]
    order = [(s.camp.id, p.stem) for s, p in plan.longest_first(pairs)]
    assert order == [("seen", "20_b"), ("seen", "10_a"), ("seen", "30_c"), ("fresh", "10_a"), ("fresh", "20_b")]
    assert plan.previous_durations(tmp_path / "never-published") == {}
    (old / "run.json").write_text("{broken", "utf-8")
    assert plan.previous_durations(old) == {}
