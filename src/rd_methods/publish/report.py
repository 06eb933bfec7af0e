"""The impact report: ``reports/<campaign>/rapport.html`` and ``rapport.pdf``.

A short French document for funders and local authorities (at most 8 printed A4 pages):
the question, what to remember (:func:`rd_methods.conclusions.key_messages`), the key
figures with their intervals and caveats, the contribution story, the SROI and what it
covers, the limits, the method in one page, the provenance and, for demo campaigns, the
« données synthétiques » notice. It is built from the **published** run only
(``results.json``, ``provenance.json``, ``run.json``): no notebook is run again, and every
number is written as the site writes it.

* :func:`render_report` — the HTML (print stylesheet: ``@page`` A4, page breaks);
* :func:`write_report_html` — writes ``rapport.html`` atomically (the runner calls it at
  publish time, so the campaign index can always link it);
* :func:`write_report_pdf` — prints it to ``rapport.pdf`` with Chromium through Playwright
  (the browser the tests use), atomically; :class:`PdfUnavailable` when either is missing;
* :func:`make_report` — both, for ``rd-methods report CAMPAIGN``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from rd_methods import conclusions, references, synthesis
from rd_methods.errors import RdMethodsError
from rd_methods.publish.html import jinja_env, site_css

__all__ = ["HTML_NAME", "PDF_NAME", "CHROMIUM", "CHROMIUM_ARGS", "PdfUnavailable", "ReportOutcome", "KEY_FIGURES",
           "METHOD_NOTES", "render_report", "write_report_html", "write_report_pdf", "make_report",
           "find_chromium"]

HTML_NAME = "rapport.html"
PDF_NAME = "rapport.pdf"
#: Debian's Chromium (``apt-get install chromium``), driven by Playwright as in the browser tests
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PDF_HINT = ("pour obtenir le PDF : apt-get install chromium (navigateur) et pip install playwright, "
            "puis relancer rd-methods report ; ou imprimer rapport.html depuis un navigateur (A4)")

#: Key figures of the report, in reading order (those recorded are shown).
KEY_FIGURES = (
    "overview.n_actors", "overview.n_projects", "value_chain.total_contributions_eur",
    "value_chain.leverage_overall", "pipeline.n_launched", "pipeline.conversion_idea_to_launched",
    "pipeline.jobs_fte_last_year", "survey.change_cooperation", "counterfactual.did_estimate",
    "counterfactual.synth_att", "resilience.resistance_treated", "sroi.ratio",
    "economic_model.own_revenue_share_last",
)

#: SROI figures shown in its section (those recorded).
SROI_FIGURES = (
    "sroi.ratio", "sroi.present_value", "sroi.total_inputs", "sroi.net_present_value", "sroi.discount_rate",
    "sroi.ratio_green_book", "sroi.prob_ratio_below_one", "sroi.break_even_min_relative_change",
    "sroi.sobol_top_parameter",
)

#: One paragraph per analysis for « La méthode en une page »: (notebook, French text, cited keys).
METHOD_NOTES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("10_value_chain", "Chaîne de valeur élargie : les apports de chaque acteur (argent, temps, compétences, "
     "locaux) sont valorisés en euros selon les conventions de la campagne ; l'effet levier rapporte les apports "
     "des autres acteurs à ceux de la structure. C'est une identité comptable : elle décrit une co-production, "
     "pas une causalité.", ("lafonda", "porter1985")),
    ("20_actor_network", "Réseau des acteurs : les participations aux événements forment un réseau ; la place de "
     "la structure (intermédiarité, courtage) est comparée à des réseaux aléatoires qui gardent la taille des "
     "événements et l'activité de chaque acteur.", ("freeman1979", "gould1989", "strona2014")),
    ("30_rd_pipeline", "Parcours des projets : la part des idées lancées est estimée en tenant compte de l'abandon "
     "comme risque concurrent (incidence cumulée) ; les facteurs du lancement par une régression pénalisée.",
     ("aalen1978", "putter2007", "firth1993")),
    ("40_stakeholder_survey", "Enquête : des échelles de plusieurs items (fiabilité par l'alpha et l'oméga), "
     "comparées entre deux vagues chez les mêmes personnes ; les p-valeurs sont corrigées pour le nombre "
     "d'échelles.", ("cronbach1951", "mcdonald1999", "holm1979")),
    ("50_territorial_effects", "Effets sur le territoire : l'emploi du territoire d'action est comparé à des "
     "territoires semblables (différence de différences, contrôle synthétique) ; avec un seul territoire traité, "
     "l'incertitude vient de permutations (placebos).", ("abadie2010", "conley2011", "ferman2021")),
    ("55_resilience", "Résilience : résistance et rétablissement de l'emploi du territoire face aux chocs, "
     "comparés aux autres territoires ; robustesse du réseau quand on retire des acteurs.",
     ("martin2012", "holme2002")),
    ("60_sroi", "Retour social sur investissement : les résultats sont valorisés par des valeurs de référence, "
     "corrigés de l'effet d'aubaine, du déplacement, de l'attribution et de l'érosion, actualisés, puis "
     "rapportés aux ressources investies sur la même période ; l'incertitude par simulation Monte-Carlo et "
     "indices de Sobol.", ("nicholls2012", "france_strategie2021", "saltelli2010")),
    ("70_economic_model", "Modèle économique : composition des recettes, dépendance aux financeurs "
     "(concentration), coût par résultat ; un coût n'est pas un impact.", ("herfindahl1950", "chang1994")),
    ("90_synthesis", "Synthèse : analyse de contribution. Chaque maillon de la chaîne (acteurs → projets → "
     "activités → emplois et valeur → territoire) est noté par des règles écrites à l'avance ; un test qui ne "
     "rejette pas n'est jamais compté comme une preuve ; une explication concurrente n'est écartée que par un "
     "test conçu pour cela.", ("mayne2012", "lakens2017")),
)


class PdfUnavailable(RuntimeError):
    """Chromium or Playwright is missing: the HTML report exists, the PDF could not be printed."""


@dataclass
class ReportOutcome:
    """What ``rd-methods report`` wrote: the HTML, the PDF (None when it could not be printed)."""

    html: Path
    pdf: Path | None
    pages: int | None = None
    message: str = ""


# --------------------------------------------------------------------------- reading the published run
def _read_json(folder: Path, name: str) -> Any:
    path = folder / name
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise RdMethodsError(f"{path} absent : la campagne {folder.name!r} n'a pas de résultats publiés",
                             f"rd-methods run {folder.name} publie d'abord la campagne") from None
    except ValueError as exc:
        raise RdMethodsError(f"{path} illisible ({exc})", f"rd-methods run {folder.name} la republie") from None


def _rows(results: pd.DataFrame, keys: tuple[str, ...]) -> list[dict[str, str]]:
    by_key = {r["key"]: r for r in results.to_dict("records")}
    out = []
    for key in keys:
        r = by_key.get(key)
        if r is None:
            continue
        note = r.get("note") if isinstance(r.get("note"), str) else ""
        out.append({"key": key, "label": r.get("label") or key,
                    "text": conclusions.format_result_value(key, r.get("value"), r.get("unit"), r.get("ci_low"),
                                                            r.get("ci_high"), note),
                    "note": note})
    return out


def _contribution(results: pd.DataFrame) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    by_key = {r["key"]: r["value"] for r in results.to_dict("records")}
    rules = dict(synthesis.STRENGTH_RULES)
    links = []
    for link in synthesis.LINKS:
        code = by_key.get(f"synthesis.link_{link.id}")
        if not isinstance(code, str):
            code = "not_assessed"
        links.append({"id": link.id, "source": link.source, "target": link.target, "claim": link.claim,
                      "code": code, "label": synthesis.STRENGTH_LABELS.get(code, code),
                      "rule": rules.get(code, "")})
    alternatives = synthesis.alternatives(synthesis.evaluate_evidence(results))
    names = {link.id: f"{link.source} → {link.target}" for link in synthesis.LINKS}
    alts = [{"link": names.get(a.link, a.link), "explanation": a.explanation, "status": a.status,
             "status_label": a.status_label} for a in alternatives.itertuples()]
    return links, alts


def _context(folder: Path) -> dict[str, Any]:
    run = _read_json(folder, "run.json")
    prov = _read_json(folder, "provenance.json")
    results = synthesis.from_results_json(_read_json(folder, "results.json"))
    messages = conclusions.key_messages(results)
    links, alts = _contribution(results)
    coverage = synthesis.coverage(results)
    missing = [nb["title"] for nb in run.get("notebooks", []) if nb.get("status") in ("failed", "not_applicable")]
    titles = {nb["stem"]: nb.get("title") or nb["stem"] for nb in run.get("notebooks", [])}
    published = {nb["stem"] for nb in run.get("notebooks", []) if (nb.get("pages") or {}).get("public")}
    methods = [{"title": titles.get(stem, stem), "text": text,
                "refs": Markup(", ".join(references.cite(k, href="../references.html") for k in keys))}
               for stem, text, keys in METHOD_NOTES if stem in titles]
    return {
        "run": run, "prov": prov,
        "messages": [m | {"linked": m["notebook"] in published} for m in messages.to_dict("records")],
        "figures": _rows(results, KEY_FIGURES), "sroi": _rows(results, SROI_FIGURES),
        "links": links, "alternatives": alts, "missing": missing,
        "untested": [a for a in alts if a["status"] == "untested"],
        "n_topics_missing": int((~coverage["present"]).sum()) if len(coverage) else 0,
        "methods": methods,
        "cite": lambda key: Markup(references.cite(key, href="../references.html")),
    }


def render_report(folder: str | os.PathLike[str]) -> str:
    """HTML of the impact report of the campaign published in ``folder`` (``reports/<campaign>``).

    Raises
    ------
    RdMethodsError
        When the folder holds no published run (``run.json``, ``results.json`` or
        ``provenance.json`` missing or unreadable).
    """
    folder = Path(folder)
    ctx = _context(folder)
    return jinja_env().get_template("report.html.j2").render(css=Markup(site_css()), **ctx)


def _atomic_write(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f"{target.suffix}.tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_report_html(folder: str | os.PathLike[str]) -> Path:
    """Write ``<folder>/rapport.html`` atomically (a failure leaves the previous report); return its path."""
    folder = Path(folder)
    page = render_report(folder)
    target = folder / HTML_NAME
    _atomic_write(target, page.encode("utf-8"))
    return target


def find_chromium() -> Path | None:
    """Debian's Chromium, else a ``chromium`` on the PATH, else None."""
    if CHROMIUM.exists():
        return CHROMIUM
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return Path(found) if found else None


def write_report_pdf(html_path: str | os.PathLike[str], pdf_path: str | os.PathLike[str] | None = None) -> Path:
    """Print the HTML report to PDF (A4, the page's print stylesheet) with Chromium through Playwright.

    Offline: every request other than ``file:`` is aborted. Written atomically.

    Raises
    ------
    PdfUnavailable
        When Playwright is not installed or no Chromium is found.
    """
    html_path = Path(html_path)
    pdf_path = Path(pdf_path) if pdf_path else html_path.with_name(PDF_NAME)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise PdfUnavailable("Playwright absent") from None
    chromium = find_chromium()
    if chromium is None:
        raise PdfUnavailable("Chromium absent")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
            page.goto(html_path.resolve().as_uri())
            page.wait_for_load_state("load")
            data = page.pdf(format="A4", print_background=True, prefer_css_page_size=True,
                            display_header_footer=False)
        finally:
            browser.close()
    _atomic_write(pdf_path, data)
    return pdf_path


def _pdf_pages(path: Path) -> int | None:
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    return len(PdfReader(str(path)).pages)


def make_report(campaign: str, reports: str | os.PathLike[str] | None = None, *, pdf: bool = True) -> ReportOutcome:
    """Write the impact report of a published campaign: ``rapport.html``, then ``rapport.pdf``.

    Parameters
    ----------
    campaign : str
        Id of a campaign published under ``reports`` (``rd-methods run`` first).
    reports : path, optional
        The site's folder (default: :func:`rd_methods.paths.reports_dir`).
    pdf : bool
        False writes the HTML only.

    Returns
    -------
    ReportOutcome
        ``pdf`` is None when Chromium or Playwright is missing (``message`` says how to get it).

    Raises
    ------
    RdMethodsError
        When the campaign is not published (or its name is not a plain campaign id).
    """
    from rd_methods import paths

    base = Path(reports) if reports else paths.reports_dir()
    if not campaign or campaign.startswith(".") or Path(campaign).name != campaign:
        raise RdMethodsError(f"nom de campagne invalide : {campaign!r}", "l'identifiant d'une campagne publiée, "
                             "par exemple demo-2025 (rd-methods list)")
    folder = base / campaign
    if not (folder / "run.json").is_file():
        published = sorted(p.name for p in base.iterdir() if (p / "run.json").is_file()) if base.is_dir() else []
        raise RdMethodsError(
            f"campagne non publiée : {campaign!r} (aucun {folder / 'run.json'})",
            (f"campagnes publiées : {', '.join(published)}" if published else "aucune campagne publiée")
            + f" ; rd-methods run {campaign} la publie")
    html_path = write_report_html(folder)
    if not pdf:
        return ReportOutcome(html_path, None, None, "PDF non demandé")
    try:
        pdf_path = write_report_pdf(html_path)
    except PdfUnavailable as exc:
        return ReportOutcome(html_path, None, None, f"PDF non produit ({exc}) ; {PDF_HINT}")
    return ReportOutcome(html_path, pdf_path, _pdf_pages(pdf_path), "")
