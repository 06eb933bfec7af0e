"""One French style on every public page of both demo campaigns (no seams of generated text).

The visible text of each public page (and its alternative texts and tooltips) must show no
``nan`` / ``inf`` / ``None``, no decimal point in a number (French decimals use a comma; a
version « 3.6.1 » or a manual's « exemple 13.3 » is not a number), no « (s) » plural, no
hyphen used as a minus sign, no p-value « 0,000 » (« < 0,001 ») and no English placeholder or
code leaking (« No description has been provided », ``<Figure size``, tracebacks).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

RULES = {
    "nan/inf": re.compile(r"(?<![\w-])(nan|NaN|inf|-inf|None)(?![\w-])"),
    "decimal point in a number": re.compile(r"(?<![\w.])(?<!exemple )(?<!section )\d+\.\d+(?![\w.])"),
    "« (s) » plural": re.compile(r"\w\((s|x|e|es|nt)\)"),
    "hyphen as minus": re.compile(r"(?<![\w\d])-\d"),
    "p-value 0,000": re.compile(r"(?<![\d,])0,000(?!\d)"),
    "English placeholder or code": re.compile(
        r"No description has been provided|<Figure size|<Axes|<matplotlib|Traceback|DataFrame|Styler"),
}


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden += 1
        self.parts.extend(v for k, v in attrs if k in ("alt", "title", "aria-label") and v)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def style_problems(html: str) -> list[str]:
    """Every breach of the French style in a page's visible text, with 40 characters of context."""
    parser = _VisibleText()
    parser.feed(html)
    text = " ".join(" ".join(parser.parts).split())
    return [f"{name}: …{text[max(0, m.start() - 40): m.end() + 40]}…"
            for name, rule in RULES.items() for m in rule.finditer(text)]


def test_the_scan_catches_each_seam():
    bad = ("<p>9 réussi(s), p = 0,000, écart -1,5, valeur nan, taux 0.391</p>"
           '<img alt="No description has been provided for this image">')
    found = {problem.split(":")[0] for problem in style_problems(bad)}
    assert found == set(RULES)
    good = ("<p>9 réussis, p < 0,001, écart −1,5, valeur —, taux 39 %, numpy 2.4.6, exemple 13.3,"
            " 2015-2025</p><style>a { margin: -1.5em }</style>")
    assert style_problems(good) == []


@pytest.mark.slow
def test_every_public_page_of_both_demos_reads_in_one_french_style(demo_site: Path):
    pages = [p for c in ("demo-2024", "demo-2025") for p in sorted((demo_site / c).glob("*.html"))
             if not p.name.endswith(".research.html")]
    assert len(pages) >= 20
    problems = [f"{p.parent.name}/{p.name}: {problem}" for p in pages for problem in style_problems(p.read_text("utf-8"))]
    # a link without text (nbconvert empties inline <a> tags of markdown outputs: use [text](page))
    problems += [f"{p.parent.name}/{p.name}: empty link {m.group(0)}" for p in pages
                 for m in re.finditer(r"<a\b[^>]*>\s*</a>", p.read_text("utf-8"))]
    assert problems == [], f"{len(problems)} seams:\n" + "\n".join(problems[:60])
