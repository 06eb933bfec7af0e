"""HTML pages of executed notebooks, through nbconvert's Python API (no CLI, no network).

Two editions of every notebook:

* ``public``: narrative, tables and figures, no code, no prompts (for readers);
* ``research``: the same with the code (for researchers and partner labs).

Pages work offline: nbconvert's ``lab`` template is extended (``templates/rd_page.html.j2``)
with the MathJax, require.js, widget and mermaid scripts removed and every URL trait set
to empty; figures are already inline (``data:`` URIs) and markdown images are embedded.
Every page carries the campaign header (title, synthetic-data notice, link back to the
campaign index), a table of contents on long pages (built from the h2/h3 headings), the
provenance footer (parameters, data fingerprint, git commit, package versions, run date)
and a slot for the previous/next links, filled at publish time by
:func:`rd_methods.publish.indexes.link_pages` once every page of the campaign exists.

Every figure gets a French alternative text (never nbconvert's English placeholder): the
text the notebook gives in the image output's metadata (``alt`` at the top level or under
the image's MIME type, e.g. ``display(fig, metadata={"image/png": {"alt": "…"}})``),
else « Figure : <titre de la section> » from the nearest heading above the figure.
"""

from __future__ import annotations

import copy
import datetime as _dt
import functools
import html as _html
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup

__all__ = [
    "EDITIONS", "TEMPLATES", "page_name", "render_page", "external_fetches", "site_css", "jinja_env",
    "with_alt_texts", "table_of_contents", "focusable_scroll_regions", "ALT_PLACEHOLDER", "PAGER_START",
    "PAGER_END",
]

TEMPLATES = Path(__file__).with_name("templates")
EDITIONS = ("public", "research")
EDITION_LABELS = {"public": "Édition publique", "research": "Édition recherche (avec le code)"}
SYNTHETIC_NOTICE = (
    "<strong>Données synthétiques</strong> — cette campagne de démonstration est générée par "
    "un programme : aucun chiffre ne décrit une structure ou une personne réelle."
)


#: nbconvert's alternative text for an image without one (English: must never be published)
ALT_PLACEHOLDER = "No description has been provided for this image"
IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml")
#: a table of contents is shown from this many h2/h3 headings on
TOC_MIN_HEADINGS = 3
#: markers around the previous/next links of a page (filled by ``site.link_pages``)
PAGER_START = "<!--rd-pager-->"
PAGER_END = "<!--/rd-pager-->"
TOC_SLOT = "<!--rd-toc-->"


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
    env.globals["pager_start"] = Markup(PAGER_START)
    env.globals["pager_end"] = Markup(PAGER_END)
    env.globals["toc_slot"] = Markup(TOC_SLOT)
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
    title = context.get("notebook_title") or context.get("stem", "")
    ctx = dict(context, edition=edition, edition_label=EDITION_LABELS[edition])
    resources = {
        "rd": {
            "css": site_css(),
            "header": env.get_template("page_header.html.j2").render(**ctx),
            "footer": env.get_template("page_footer.html.j2").render(**ctx),
        },
        "metadata": {"name": context.get("notebook_title") or context.get("stem", "notebook")},
    }
    body, _ = _exporter(edition).from_notebook_node(with_alt_texts(nb, title), resources=resources)
    # safety net: an image the notebook pass did not reach (e.g. in raw HTML output)
    fallback = _html.escape(f"Figure : {title}" if title else "Figure", quote=True)
    body = body.replace(f'alt="{ALT_PLACEHOLDER}"', f'alt="{fallback}"')
    body = focusable_scroll_regions(body)
    body = link_citations(body)
    return body.replace(TOC_SLOT, table_of_contents(body), 1)


_TAG = re.compile(r"(<[^>]+>)")
_NO_LINK_INSIDE = {"a", "code", "pre", "script", "style", "title", "head", "button", "h1", "h2", "h3", "h4"}


def link_citations(page_html: str, href: str = "../references.html") -> str:
    """Link every author–year citation of a page's text to its entry in the bibliography.

    « Abadie, Diamond et Hainmueller (2010) » becomes a link to
    ``../references.html#abadie2010`` (:func:`rd_methods.references.find_citations` and
    :func:`~rd_methods.references.resolve`); text inside links, code, headings and scripts is
    left alone, and a citation the bibliography does not hold stays plain text.

    >>> link_citations("<p>Voir Mayne (2012) et <code>Mayne (2012)</code>.</p>")
    '<p>Voir <a class="rd-cite" href="../references.html#mayne2012">Mayne (2012)</a> et <code>Mayne (2012)</code>.</p>'
    """
    from rd_methods import references

    parts = _TAG.split(page_html)
    open_tags: dict[str, int] = {}
    for i, part in enumerate(parts):
        if part.startswith("<"):
            m = re.match(r"<(/?)([a-zA-Z0-9]+)", part)
            if m and m.group(2).lower() in _NO_LINK_INSIDE and not part.endswith("/>"):
                name = m.group(2).lower()
                open_tags[name] = max(0, open_tags.get(name, 0) + (-1 if m.group(1) else 1))
            continue
        if not part.strip() or any(open_tags.values()):
            continue
        out, last = [], 0
        for cm in references._CITATION.finditer(part):
            words = set(re.findall(r"[A-Za-zÀ-ÿ]+", cm.group("authors"))) - {"et", "al", "and"}
            if words <= references._NOT_AUTHORS:
                continue
            key = references.resolve(cm.group("authors"), int(cm.group("year")))
            if key is None:
                continue
            start, end = cm.start(), cm.end()
            while True:  # « de Freeman (1979) », « TOST, Schuirmann 1987 »: link the name only
                words = "|".join(sorted(references._NOT_AUTHORS))
                lead = re.match(rf"(?:de |d'|(?:{words}),? )", part[start:end])
                if not lead or references.resolve(part[start + lead.end():cm.end()], int(cm.group("year"))) != key:
                    break
                start += lead.end()
            if part[start:end].count("(") > part[start:end].count(")") and part[end:end + 1] == ")":
                end += 1  # « Mayne (2012) »: the closing parenthesis belongs to the citation
            out += [part[last:start], f'<a class="rd-cite" href="{href}#{key}">', part[start:end], "</a>"]
            last = end
        if out:
            parts[i] = "".join(out) + part[last:]
    return "".join(parts)


_SCROLLER = re.compile(r'<(table|div class="jp-CodeMirrorEditor jp-Editor jp-InputArea-editor")(?![^>]*\btabindex=)')


def focusable_scroll_regions(page_html: str) -> str:
    """Tables and code blocks that may scroll sideways (narrow screens) get ``tabindex="0"``.

    The stylesheet lets a wide table or a long code line scroll inside its own box so that the
    page never does; a keyboard user must be able to reach that box to scroll it (WCAG 2.1.1,
    axe-core ``scrollable-region-focusable``).

    Examples
    --------
    >>> focusable_scroll_regions('<table class="dataframe"><tr><td>1</td></tr></table>')
    '<table tabindex="0" class="dataframe"><tr><td>1</td></tr></table>'
    >>> focusable_scroll_regions('<table tabindex="-1">')
    '<table tabindex="-1">'
    """
    def add(match: re.Match[str]) -> str:
        tag = match.group(1)
        if tag == "table":
            return '<table tabindex="0"'
        return f'<{tag} tabindex="0"'

    return _SCROLLER.sub(add, page_html)


_MD_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_HTML_TAG = re.compile(r"<[^>]+>")


def _plain(markdown: str) -> str:
    """Heading text without markdown links, emphasis, code marks or HTML tags."""
    text = _HTML_TAG.sub("", _MD_LINK.sub(r"\1", markdown))
    return re.sub(r"[*_`]+", "", text).strip()


def _last_heading(markdown: str) -> str | None:
    found = _MD_HEADING.findall(re.sub(r"```.*?```", "", markdown, flags=re.DOTALL))
    return _plain(found[-1][1]) if found else None


def _given_alt(output: Any) -> str | None:
    meta = output.get("metadata", {}) or {}
    for mime in IMAGE_MIMES:
        sub = meta.get(mime)
        if isinstance(sub, dict) and str(sub.get("alt") or "").strip():
            return str(sub["alt"]).strip()
    for key in ("alt", "title"):
        if isinstance(meta.get(key), str) and meta[key].strip():
            return meta[key].strip()
    return None


def with_alt_texts(nb: Any, title: str = "") -> Any:
    """A copy of the notebook whose image outputs carry a French alternative text.

    The text is stored as ``metadata["rd_alt"]`` of each image output (the page template
    writes it as the ``alt`` attribute). It is the text the notebook gives (``alt`` in the
    output's metadata, at the top level or under the image's MIME type, or ``title``),
    else « Figure : <heading> » with the nearest markdown heading above the figure (in a
    markdown cell or a markdown output), else « Figure : <title> ». The input is not
    modified.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        Executed notebook.
    title : str
        Notebook title, for a figure with no heading above it.

    Returns
    -------
    nbformat.NotebookNode

    Notes
    -----
    WCAG 2.1, success criterion 1.1.1 (non-text content): every image has a text
    alternative; nbconvert's default (« No description has been provided for this
    image ») is English and says nothing about the figure.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> fig = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="})
    >>> nb.cells = [nbformat.v4.new_markdown_cell("## Réseau des acteurs"),
    ...             nbformat.v4.new_code_cell("plot()", outputs=[fig])]
    >>> with_alt_texts(nb).cells[1].outputs[0].metadata["rd_alt"]
    'Figure : Réseau des acteurs'
    >>> "rd_alt" in fig.metadata
    False
    """
    nb = copy.deepcopy(nb)
    heading: str | None = None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            heading = _last_heading(cell.source) or heading
            continue
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {}) or {}
            if any(m in data for m in IMAGE_MIMES):
                alt = _given_alt(output)
                if alt is None:
                    alt = f"Figure : {heading or title}" if (heading or title) else "Figure"
                output.setdefault("metadata", {})["rd_alt"] = alt
            elif isinstance(data.get("text/markdown"), str):
                heading = _last_heading(data["text/markdown"]) or heading
    return nb


_PAGE_HEADING = re.compile(r"<h([23])\b([^>]*)>(.*?)</h\1>", re.IGNORECASE | re.DOTALL)
_ID = re.compile(r"""\bid\s*=\s*(?:"([^"]+)"|'([^']+)')""")
_ANCHOR = re.compile(r"<a\b[^>]*class=[\"'][^\"']*anchor-link[^>]*>.*?</a>", re.DOTALL)


def table_of_contents(page_html: str, *, min_headings: int = TOC_MIN_HEADINGS) -> str:
    """« Sommaire » of a page: nested list of links to its h2/h3 headings (with an id).

    Empty string when the page has fewer than ``min_headings`` such headings (a short
    page needs none).

    Examples
    --------
    >>> page = "".join(f'<h2 id="s{i}">Partie {i}<a class="anchor-link" href="#s{i}">¶</a></h2>'
    ...                for i in range(3))
    >>> toc = table_of_contents(page)
    >>> toc.count("<li>"), 'href="#s1"' in toc, "¶" in toc
    (3, True, False)
    >>> table_of_contents(page, min_headings=4)
    ''
    """
    entries = []
    for level, attrs, inner in _PAGE_HEADING.findall(page_html):
        found = _ID.search(attrs)
        text = _html.unescape(_HTML_TAG.sub("", _ANCHOR.sub("", inner))).strip()
        if found and text:
            entries.append((int(level), _html.unescape(found.group(1) or found.group(2)), text))
    if len(entries) < min_headings:
        return ""
    out = ['<nav class="rd-toc" aria-label="Sommaire de la page"><p class="rd-toc-title">Sommaire</p><ol>']
    open_sub = False
    for i, (level, anchor, text) in enumerate(entries):
        link = f'<a href="#{quote(anchor, safe="")}">{_html.escape(text)}</a>'
        if level == 3 and i > 0:
            if not open_sub:
                out.append("<ol>")
                open_sub = True
            out.append(f"<li>{link}</li>")
            continue
        if open_sub:
            out.append("</ol>")
            open_sub = False
        if i > 0:
            out.append("</li>")
        out.append(f"<li>{link}")
    if open_sub:
        out.append("</ol>")
    out.append("</li></ol></nav>")
    return "".join(out)


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
