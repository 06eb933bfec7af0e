"""Stylesheet and layout of the published site (issue 22, point 4) and French alt text.

Rendered HTML is checked directly (unescaped inline stylesheet, one font stack, no English
placeholder, table of contents, previous/next links); a real browser (Debian's Chromium
driven by Playwright, as in ``test_browser.py``) checks that nothing scrolls sideways at
390 px and that every page uses the same font.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pandas as pd
import pytest
from helpers import fixture_layout

from rd_methods.publish import html as _html
from rd_methods.publish import indexes, runner

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL | re.IGNORECASE)
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==")


def _context(stem: str = "20_demo", title: str = "Réseau des acteurs") -> dict:
    return {"campaign": "tiny", "campaign_title": "Petite campagne", "synthetic": True, "stem": stem,
            "notebook_title": title, "parameters": {"campaign": "tiny"}, "fingerprint": "abc",
            "git": {"commit": "0123456789abcdef", "dirty": False}, "versions": {"python": "3.11"},
            "run_at": "2026-11-28T09:41:00", "editions": ["public", "research"], "status": "ok"}


def _notebook(n_sections: int = 3, wide: bool = False) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Réseau des acteurs\n\nIntroduction avec un [lien](index.html).")]
    for i in range(n_sections):
        nb.cells.append(nbformat.v4.new_markdown_cell(f"## Partie {i + 1}\n\nTexte.\n\n### Détail {i + 1} de l'effet"))
        nb.cells.append(nbformat.v4.new_code_cell("fig", execution_count=i + 1, outputs=[
            nbformat.v4.new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"},
                                   metadata={"image/png": {"width": 1600}} if wide else {})]))
    # a figure whose notebook gives its own text
    nb.cells.append(nbformat.v4.new_code_cell("fig2", execution_count=9, outputs=[
        nbformat.v4.new_output("display_data", data={"image/png": PNG},
                               metadata={"image/png": {"alt": "Les coopératives concentrent les liens"}})]))
    if wide:
        table = pd.DataFrame([[f"valeur {r}-{c} assez longue" for c in range(14)] for r in range(3)],
                             columns=[f"colonne_{c}" for c in range(14)])
        nb.cells.append(nbformat.v4.new_code_cell("table", execution_count=10, outputs=[
            nbformat.v4.new_output("execute_result", execution_count=10,
                                   data={"text/html": table.to_html(), "text/plain": "table"})]))
        nb.cells.append(nbformat.v4.new_markdown_cell("| " + " | ".join(f"en-tête {c}" for c in range(14)) + " |\n|"
                                                      + "---|" * 14 + "\n| " + " | ".join("x" * 12 for _ in range(14))
                                                      + " |"))
    return nb


def _record(with_na: bool = True) -> dict:
    nbs = [{"stem": "10_a", "title": "Données", "status": "ok",
            "pages": {"public": "10_a.html", "research": "10_a.research.html"}},
           {"stem": "20_b", "title": "Réseau", "status": "ok",
            "pages": {"public": "20_b.html", "research": "20_b.research.html"}},
           {"stem": "90_synthesis", "title": "Synthèse", "status": "ok",
            "pages": {"public": "90_synthesis.html", "research": "90_synthesis.research.html"}}]
    if with_na:
        nbs.insert(1, {"stem": "15_survey", "title": "Enquête", "status": "not_applicable", "pages": {}})
    return {"campaign": "tiny", "editions": ["public", "research"], "notebooks": nbs}


# --------------------------------------------------------------------------- rendered HTML


def test_index_pages_inline_the_stylesheet_unescaped():
    record = {"campaign": "tiny", "title": "Petite campagne", "territory": None, "period": [2020, 2024],
              "synthetic": True, "status": "ok", "run_at": "2026-11-28T09:41:00", "duration": 3.0,
              "editions": ["public"], "notebooks": []}
    prov = {"parameters": {}, "fingerprint": "abc", "git": {}, "versions": {"python": "3.11"}, "kernel": "k",
            "run_at": None}
    collected = pd.DataFrame(columns=["notebook", "key", "label", "value", "unit", "ci_low", "ci_high", "note"])
    pages = {"site": indexes.render_site_index([]), "campaign": indexes.render_campaign_index(record, collected, prov)}
    for name, page in pages.items():
        (css,) = STYLE.findall(page)
        assert "&#34;" not in css and "&gt;" not in css and "&#39;" not in css and "&amp;" not in css, name
        assert css == _html.site_css(), f"{name}: the stylesheet is not inlined verbatim"
        assert '"Segoe UI"' in css


def test_one_font_stack_for_every_page():
    css = _html.site_css()
    stacks = re.findall(r"font-family\s*:\s*([^;}]+)", css)
    # every font-family declaration of the site's stylesheet points at the one stack …
    assert stacks and all(s.strip() == "var(--rd-font)" for s in stacks), stacks
    (stack,) = re.findall(r"--rd-font\s*:\s*([^;]+);", css)
    assert stack.strip().endswith("sans-serif")
    # … which also replaces JupyterLab's fonts on the notebook pages
    assert re.search(r"--jp-content-font-family\s*:\s*var\(--rd-font\)", css)
    assert re.search(r"--jp-ui-font-family\s*:\s*var\(--rd-font\)", css)
    for edition in _html.EDITIONS:
        page = _html.render_page(_notebook(1), edition=edition, context=_context())
        # the site stylesheet comes after JupyterLab's, so it wins
        assert page.rfind(css.strip()[:200]) > page.find("--jp-content-font-family"), edition


def test_figures_get_french_alt_text_never_the_english_placeholder():
    for edition in _html.EDITIONS:
        page = _html.render_page(_notebook(3), edition=edition, context=_context())
        assert _html.ALT_PLACEHOLDER not in page and "No description" not in page
        alts = re.findall(r'<img[^>]*\balt="([^"]*)"', page)
        # one image per section, after the heading just above it, then the notebook's own text
        assert alts == ["Figure : Détail 1 de l'effet", "Figure : Détail 2 de l'effet", "Figure : Détail 3 de l'effet",
                        "Les coopératives concentrent les liens"], (edition, alts)


def test_research_edition_shows_code_escaped_and_highlighted():
    """The code of a cell reaches the research page through Pygments only (no HTML sanitiser):
    markup in it stays text."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("s = \"<script>alert('x')</script> & <img src=x onerror=alert(1)>\"\ns")]
    page = _html.render_page(nb, edition="research", context=_context())
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(" in page and "&amp;" in page
    assert '<div class="highlight' in page and '<span class="n">s</span>' in page  # highlighted
    assert "alert(" not in _html.render_page(nb, edition="public", context=_context())  # no code there


def test_alt_text_sources_and_input_untouched():
    nb = nbformat.v4.new_notebook()
    md_output = nbformat.v4.new_output("display_data", data={"text/markdown": "#### Coût par bénéficiaire"})
    nb.cells = [
        nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output("display_data", data={"image/png": PNG})]),
        nbformat.v4.new_markdown_cell("Texte sans titre ; `# pas un titre`\n\n```\n# commentaire\n```"),
        nbformat.v4.new_code_cell("y", outputs=[nbformat.v4.new_output("display_data", data={"image/png": PNG})]),
        nbformat.v4.new_markdown_cell("## Le *réseau* des [acteurs](x.html)"),
        nbformat.v4.new_code_cell("z", outputs=[
            nbformat.v4.new_output("display_data", data={"image/jpeg": PNG}, metadata={"alt": "Carte des liens"}),
            md_output,
            nbformat.v4.new_output("display_data", data={"image/svg+xml": "<svg/>"}),
        ]),
    ]
    out = _html.with_alt_texts(nb, "Analyse du réseau")
    alts = [o.metadata.get("rd_alt") for c in out.cells if c.cell_type == "code" for o in c.outputs]
    assert alts == ["Figure : Analyse du réseau", "Figure : Analyse du réseau", "Carte des liens", None,
                    "Figure : Coût par bénéficiaire"]
    assert all("rd_alt" not in o.metadata for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def test_table_of_contents_on_long_pages_only():
    long_page = _html.render_page(_notebook(3), edition="public", context=_context())
    toc = re.search(r'<nav class="rd-toc".*?</nav>', long_page, re.DOTALL).group(0)
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', toc)
    assert [html.unescape(t) for _, t in links] == ["Partie 1", "Détail 1 de l'effet", "Partie 2",
                                                    "Détail 2 de l'effet", "Partie 3", "Détail 3 de l'effet"]
    for anchor, _ in links:  # every entry points at a heading of the page (an apostrophe in its id too)
        assert f'id="{unquote(anchor)}"' in long_page
    assert "¶" not in toc
    assert toc.count("<ol>") == 1 + 3  # h3 nested under their h2
    short_page = _html.render_page(_notebook(1), edition="public", context=_context())
    assert 'class="rd-toc"' not in short_page and _html.TOC_SLOT not in short_page


def test_link_pages_writes_previous_and_next(tmp_path):
    record = _record()
    ctx = _context()
    for nb in record["notebooks"]:
        for edition, name in nb["pages"].items():
            (tmp_path / name).write_text(_html.render_page(_notebook(1), edition=edition, context=ctx), "utf-8")
    assert indexes.link_pages(tmp_path, record) == 6

    def pager(name):
        page = (tmp_path / name).read_text("utf-8")
        return re.findall(r'<a rel="(prev|next)" class="rd-\w+" href="([^"]+)">([^<]+)</a>', page)

    assert pager("10_a.html") == [("next", "20_b.html", "Suivante : Réseau →")]
    assert pager("20_b.html") == [("prev", "10_a.html", "← Précédente : Données"),
                                  ("next", "90_synthesis.html", "Suivante : Synthèse →")]
    assert pager("90_synthesis.html") == [("prev", "20_b.html", "← Précédente : Réseau")]
    # the research edition links to research pages
    assert pager("20_b.research.html") == [("prev", "10_a.research.html", "← Précédente : Données"),
                                           ("next", "90_synthesis.research.html", "Suivante : Synthèse →")]
    assert indexes.link_pages(tmp_path, record) == 0  # idempotent
    # a notebook removed from the run: the links close the gap
    record["notebooks"] = [nb for nb in record["notebooks"] if nb["stem"] != "20_b"]
    assert indexes.link_pages(tmp_path, record) == 4
    assert pager("10_a.html") == [("next", "90_synthesis.html", "Suivante : Synthèse →")]


def test_links_in_text_are_underlined():
    css = _html.site_css()
    rule = re.search(r"([^{}]*)\{[^}]*text-decoration:\s*underline", css)
    assert rule and ".jp-RenderedHTMLCommon a" in rule.group(1) and ".rd-site a" in rule.group(1)


# --------------------------------------------------------------------------- published site


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("site")
    with pytest.MonkeyPatch.context() as mp:
        reports = fixture_layout(mp, tmp, ["10_ok", "50_needs_survey", "90_synthesis"])
        (run,) = runner.run(["tiny"], jobs=1, echo=lambda _: None)
    assert run.ok
    return reports


@pytest.mark.slow
def test_published_pages(published):
    folder = published / "tiny"
    pages = sorted(folder.glob("*.html")) + [published / "index.html"]
    assert len(pages) == 7  # 3 notebooks × 2 editions, the impact report, the site index
    for page in pages:
        text = page.read_text("utf-8")
        assert "No description has been provided" not in text, page.name
        for css in STYLE.findall(text):
            assert "&#34;" not in css and "&gt;" not in css, page.name
        assert _html.site_css().strip() in text, f"{page.name}: not the site stylesheet"
    public = (folder / "10_ok.html").read_text("utf-8")
    assert re.findall(r'<img[^>]*\balt="([^"]*)"', public) == ["Figure : Résultats"]
    # previous/next between the pages that exist (50_needs_survey is not applicable: no page)
    assert 'rel="next" class="rd-next" href="90_synthesis.html"' in public
    assert 'rel="prev"' not in public
    synthesis = (folder / "90_synthesis.research.html").read_text("utf-8")
    assert 'rel="prev" class="rd-prev" href="10_ok.research.html"' in synthesis and 'rel="next"' not in synthesis


# --------------------------------------------------------------------------- in a browser

browser = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium absent (apt-get install -y chromium)")


def _measure(pages: list[Path], shots: Path) -> dict[tuple[str, int], dict]:
    from playwright.sync_api import sync_playwright

    seen = {}
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        for width in (390, 1280):
            page = chromium.new_page(viewport={"width": width, "height": 900})
            for path in pages:
                page.goto(path.resolve().as_uri())
                page.wait_for_load_state("load")
                seen[(path.name if path.parent.name != "reports" else "site-" + path.name, width)] = page.evaluate(
                    """() => ({
                        scroll: document.documentElement.scrollWidth,
                        font: getComputedStyle(document.body).fontFamily,
                        textFont: getComputedStyle(document.querySelector('main p, p')).fontFamily,
                        images: Array.from(document.images).map(i => i.getBoundingClientRect().right),
                        underlined: Array.from(document.querySelectorAll('main p a, .jp-RenderedHTMLCommon a'))
                            .filter(a => !a.classList.contains('anchor-link'))
                            .map(a => getComputedStyle(a).textDecorationLine),
                    })""")
                page.screenshot(path=str(shots / f"{path.parent.name}_{path.stem}_{width}.png"), full_page=True)
            page.close()
        chromium.close()
    return seen


@browser
@pytest.mark.slow
def test_no_horizontal_scroll_at_390px_and_one_font(published, tmp_path):
    folder = published / "tiny"
    wide = folder / "20_wide.html"
    wide.write_text(_html.render_page(_notebook(3, wide=True), edition="public", context=_context()), "utf-8")
    pages = [published / "index.html", folder / "index.html", folder / "10_ok.html",
             folder / "10_ok.research.html", wide]
    seen = _measure(pages, tmp_path)
    fonts = {v["font"] for v in seen.values()} | {v["textFont"] for v in seen.values()}
    assert len(fonts) == 1 and '"Segoe UI"' in fonts.pop(), fonts
    for (name, width), v in seen.items():
        assert v["scroll"] <= width, f"{name} scrolls sideways at {width} px ({v['scroll']} px wide)"
        assert all(right <= width for right in v["images"]), (name, width, v["images"])
        assert all(d == "underline" for d in v["underlined"]), (name, v["underlined"])
    assert seen[("20_wide.html", 390)]["underlined"], "the test page has a link in its text"
    assert (tmp_path / "tiny_index_390.png").stat().st_size > 10_000
