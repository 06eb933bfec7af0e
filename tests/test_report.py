"""The impact report: rapport.html from the published run, rapport.pdf through Chromium, clear errors."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from rd_methods import cli, conclusions, synthesis
from rd_methods import formats as fr
from rd_methods.publish import report

CHROMIUM = Path("/usr/bin/chromium")
NBSP = "\u00a0"


def _published(folder: Path, *, synthetic: bool = True) -> Path:
    """A small published campaign (run.json, results.json, provenance.json), values chosen by hand."""
    folder.mkdir(parents=True)
    results = {
        "sroi.ratio": {"value": 1.9, "ci": [1.25, 3.1], "unit": "€ par € investi", "label": "Ratio SROI",
                       "note": "intervalle à 95 % de 10 000 tirages Monte Carlo, ressources et résultats 2016–2025",
                       "notebook": "60_sroi"},
        "sroi.present_value": {"value": 2_226_714.3, "ci": None, "unit": "€", "label": "Valeur sociale actualisée",
                               "note": None, "notebook": "60_sroi"},
        "pipeline.conversion_idea_to_launched": {"value": 0.2045, "ci": [0.1446, 0.2812], "unit": None,
                                                 "label": "Part des idées ayant abouti à un lancement",
                                                 "note": "intervalle de Wilson à 95 %", "notebook": "30_rd_pipeline"},
        "pipeline.n_ideas": {"value": 132, "ci": None, "unit": "projets", "label": "Idées", "note": None,
                             "notebook": "30_rd_pipeline"},
        "pipeline.n_launched": {"value": 27, "ci": None, "unit": "projets", "label": "Projets lancés", "note": None,
                                "notebook": "30_rd_pipeline"},
        "synthesis.link_territory": {"value": "strong", "ci": None, "unit": None, "label": "Maillon territoire",
                                     "note": None, "notebook": "90_synthesis"},
        "synthesis.link_launch": {"value": "weak", "ci": None, "unit": None, "label": "Maillon lancement",
                                  "note": None, "notebook": "90_synthesis"},
    }
    notebooks = [{"stem": s, "title": t, "status": "ok", "pages": {"public": f"{s}.html"}}
                 for s, t in (("30_rd_pipeline", "Le pipeline"), ("60_sroi", "Le SROI"), ("90_synthesis", "Synthèse"))]
    run = {"campaign": folder.name, "title": "Campagne d'essai", "territory": "Jura", "period": [2016, 2025],
           "synthetic": synthetic, "status": "ok", "notebooks": notebooks}
    prov = {"campaign": folder.name, "fingerprint": "ab" * 32, "parameters": {"campaign": folder.name},
            "git": {"commit": "c" * 40, "dirty": False}, "versions": {"python": "3.11.7", "rd_methods": "0.1.0"},
            "kernel": "rd-methods", "run_at": "2026-12-02T06:52:50+00:00"}
    for name, doc in (("results.json", results), ("run.json", run), ("provenance.json", prov)):
        (folder / name).write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return folder


def test_report_html_from_the_published_run(tmp_path):
    folder = _published(tmp_path / "reports" / "essai")
    page = report.write_report_html(folder).read_text("utf-8")
    assert '<html lang="fr">' in page and "@page { size: A4" in page
    for heading in ("La question", "Ce qu'il faut retenir", "Chiffres clés", "Le récit de contribution",
                    "Le retour social sur investissement et ce qu'il couvre", "Limites", "La méthode en une page",
                    "Provenance"):
        assert f">{heading}</h2>" in page.replace("&#39;", "'"), heading
    assert "Données synthétiques" in page
    # key figures as the site writes them, with their interval and caveat
    assert f"1,90{NBSP}€ par € investi (intervalle{NBSP}: [1,25{NBSP}; 3,10])" in page  # one precision
    assert f"20{NBSP}% (intervalle{NBSP}: [14{NBSP}%{NBSP}; 28{NBSP}%])" in page
    assert "intervalle de Wilson à 95 %" in page
    # the recorded ratings, the provenance, the bibliography links
    assert ">forte</td>" in page and ">faible</td>" in page and ">non évaluée</td>" in page
    assert "ab" * 32 in page and "c" * 12 in page
    assert 'href="../references.html#mayne2012"' in page
    for href in re.findall(r'href="([^"#]+)', page):  # links that stay in the site are relative
        assert not href.startswith("/"), href
    assert not list(folder.glob(".rapport*")), "no temporary file left"
    real = _published(tmp_path / "reports" / "reel", synthetic=False)
    assert "Données synthétiques" not in report.render_report(real)


def test_html_only_when_the_browser_is_missing(tmp_path, monkeypatch, capsys):
    folder = _published(tmp_path / "reports" / "essai")
    (folder / "rapport.pdf").write_bytes(b"previous")
    monkeypatch.setattr(report, "find_chromium", lambda: None)
    code = cli.main(["report", "essai", "--reports-dir", str(tmp_path / "reports")])
    out, err = capsys.readouterr()
    assert code == 0
    assert (folder / "rapport.html").is_file()
    assert (folder / "rapport.pdf").read_bytes() == b"previous", "the previous PDF is left as it was"
    assert "Rapport HTML" in out and "PDF non produit (Chromium absent)" in err
    assert "apt-get install chromium" in err and "pip install playwright" in err


def test_html_only_when_playwright_is_missing(tmp_path, monkeypatch):
    import builtins

    _published(tmp_path / "reports" / "essai")
    real_import = builtins.__import__

    def no_playwright(name, *args, **kwargs):
        if name.startswith("playwright"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_playwright)
    outcome = report.make_report("essai", tmp_path / "reports")
    assert outcome.pdf is None and "Playwright absent" in outcome.message and outcome.html.is_file()


@pytest.mark.parametrize("name", ["nulle-part", "../essai", ".essai", ""])
def test_bad_campaign_name_is_a_clear_error(tmp_path, capsys, name):
    _published(tmp_path / "reports" / "essai")
    code = cli.main(["report", name, "--reports-dir", str(tmp_path / "reports")])
    err = capsys.readouterr().err
    assert code == 1
    assert "rd-methods: erreur :" in err and "Traceback" not in err
    assert ("campagne non publiée" in err and "campagnes publiées : essai" in err) or "nom de campagne invalide" in err
    assert not (tmp_path / "reports" / "essai" / "rapport.html").exists()


def test_a_failure_leaves_the_previous_report(tmp_path, monkeypatch):
    folder = _published(tmp_path / "reports" / "essai")
    (folder / "rapport.html").write_text("previous", "utf-8")
    monkeypatch.setattr(report.conclusions, "key_messages", lambda _: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        report.write_report_html(folder)
    assert (folder / "rapport.html").read_text("utf-8") == "previous"
    assert sorted(p.name for p in folder.iterdir()) == ["provenance.json", "rapport.html", "results.json", "run.json"]


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium absent (apt-get install -y chromium)")
def test_demo_2025_pdf(demo_site, tmp_path, capsys):
    """rd-methods report demo-2025: at most 8 A4 pages, the key figures as the site writes them, the notice."""
    from pypdf import PdfReader

    reports = tmp_path / "reports"
    shutil.copytree(demo_site, reports)
    folder = reports / "demo-2025"
    published = (folder / "rapport.html").read_text("utf-8")  # written by the runner at publish time
    assert 'href="rapport.html"' in (folder / "index.html").read_text("utf-8")
    assert cli.main(["report", "demo-2025", "--reports-dir", str(reports)]) == 0
    assert "pages A4" in capsys.readouterr().out
    assert (folder / "rapport.html").read_text("utf-8") == published  # same published run, same report
    pdf = PdfReader(str(folder / "rapport.pdf"))
    assert 3 <= len(pdf.pages) <= 8
    box = pdf.pages[0].mediabox
    assert abs(float(box.width) - 595) < 2 and abs(float(box.height) - 842) < 2  # A4 in points
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in pdf.pages).replace(NBSP, " ").replace("\u202f", " "))
    assert "DONNÉES SYNTHÉTIQUES" in text.upper()
    doc = json.loads((folder / "results.json").read_text("utf-8"))
    res = synthesis.from_results_json(doc)

    def plain(s: str) -> str:
        return re.sub(r"\s+", " ", s.replace(NBSP, " ").replace("\u202f", " "))

    ratio = doc["sroi.ratio"]
    assert plain(conclusions.format_result_value("sroi.ratio", ratio["value"], ratio["unit"], *ratio["ci"])) in text
    assert plain(fr.format_interval(*ratio["ci"], decimals=2)) in text
    for key in ("counterfactual.did_estimate", "pipeline.conversion_idea_to_launched", "overview.n_actors"):
        r = doc[key]
        shown = conclusions.format_result_value(key, r["value"], r["unit"], *(r["ci"] or [None, None]), r["note"])
        assert plain(shown) in text, shown
    assert synthesis.STRENGTH_LABELS[doc["synthesis.link_territory"]["value"]] in text
    assert len(conclusions.key_messages(res)) == 5
