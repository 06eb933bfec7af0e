"""HTML pages of executed notebooks, through nbconvert's Python API (no CLI, no network).

Two editions of every notebook:

* ``public``: narrative, tables and figures, no code, no prompts (for readers);
* ``research``: the same with the code (for researchers and partner labs).

Pages work offline: nbconvert's ``lab`` template is extended (``templates/rd_page.html.j2``)
with the MathJax, require.js, widget and mermaid scripts removed and every URL trait set
to empty; figures are already inline (``data:`` URIs) and markdown images are embedded.
Every page carries the campaign header (title, synthetic-data notice, link back to the
campaign index) and the provenance footer (parameters, data fingerprint, git commit,
package versions, run date).
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

__all__ = ["EDITIONS", "TEMPLATES", "page_name", "render_page", "external_fetches", "site_css", "jinja_env"]

TEMPLATES = Path(__file__).with_name("templates")
EDITIONS = ("public", "research")
EDITION_LABELS = {"public": "Édition publique", "research": "Édition recherche (avec le code)"}
SYNTHETIC_NOTICE = (
    "<strong>Données synthétiques</strong> — cette campagne de démonstration est générée par "
    "un programme : aucun chiffre ne décrit une structure ou une personne réelle."
)


def page_name(stem: str, edition: str) -> str:
    """File name of a notebook's page: ``20_actor_network.html`` / ``…research.html``."""
    return f"{stem}.html" if edition == "public" else f"{stem}.research.html"


@functools.lru_cache(maxsize=1)
def site_css() -> str:
    return (TEMPLATES / "site.css").read_text("utf-8")


@functools.lru_cache(maxsize=1)
def jinja_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["short"] = lambda sha, n=12: (sha or "—")[:n]
    env.filters["frdate"] = format_date
    env.globals["synthetic_notice"] = Markup(SYNTHETIC_NOTICE)
    env.globals["page_name"] = page_name
    return env


def format_date(value: str | None) -> str:
    """ISO timestamp -> '28 novembre 2026 à 09:41' (French, local time of the run)."""
    if not value:
        return "—"
    from babel.dates import format_datetime

    moment = _dt.datetime.fromisoformat(value)
    return format_datetime(moment, "d MMMM y 'à' HH:mm", locale="fr_FR")


@functools.lru_cache(maxsize=2)
def _exporter(edition: str):
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {EDITIONS}, not {edition!r}")
    public = edition == "public"
    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {"remove-cell"}
    config.TagRemovePreprocessor.remove_input_tags = {"hide-input", "remove-input"}
    exporter = HTMLExporter(
        config=config,
        template_name="lab",
        template_file="rd_page.html.j2",
        extra_template_paths=[str(TEMPLATES)],
        exclude_input=public,
        exclude_input_prompt=public,
        exclude_output_prompt=public,
        embed_images=True,
        mathjax_url="",
        require_js_url="",
        jquery_url="",
        widget_renderer_url="",
        jupyter_widgets_base_url="",
        mermaid_js_url="",
        language_code="fr",
    )
    return exporter


def render_page(nb: Any, *, edition: str, context: dict[str, Any]) -> str:
    """Render one executed notebook (nbformat node) as a full offline HTML page.

    ``context`` holds what the header and footer show: ``campaign_title``, ``synthetic``,
    ``notebook_title``, ``parameters``, ``fingerprint``, ``git`` (commit, dirty),
    ``versions``, ``run_at``, ``status`` and ``editions`` (which editions exist, for the
    link to the other one).
    """
    env = jinja_env()
    ctx = dict(context, edition=edition, edition_label=EDITION_LABELS[edition])
    resources = {
        "rd": {
            "css": site_css(),
            "header": env.get_template("page_header.html.j2").render(**ctx),
            "footer": env.get_template("page_footer.html.j2").render(**ctx),
        },
        "metadata": {"name": context.get("notebook_title") or context.get("stem", "notebook")},
    }
    body, _ = _exporter(edition).from_notebook_node(nb, resources=resources)
    return body


_FETCH = re.compile(
    r"""<(?:script|link|img|iframe|source|video|audio|embed|object)\b[^>]*?\b(?:src|href|data)\s*=\s*["']?\s*(?:https?:)?//[^"'\s>]*"""
    r"""|url\(\s*["']?\s*(?:https?:)?//[^)"']*"""
    r"""|@import\s+(?:url\()?["']?\s*(?:https?:)?//[^;"')]*""",
    re.IGNORECASE,
)


def external_fetches(page_html: str) -> list[str]:
    """Every resource the page would fetch from the network (should be empty).

    Plain links (``<a href="https://…">``) are not fetches and are not reported.
    """
    return sorted({m.group(0)[:200] for m in _FETCH.finditer(page_html)})
