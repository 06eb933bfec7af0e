"""axe-core in a real browser (Debian's Chromium through Playwright, axe-playwright-python).

The demo-2025 site is built once per test session (``demo_site`` in conftest.py); axe
runs on the site index, the bibliography, the campaign index, the impact report and every
public page of the campaign: no ``serious`` or ``critical`` violation, no rule disabled.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
BLOCKING = ("serious", "critical")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium absent (apt-get install -y chromium)"),
]


def _pages(reports: Path) -> list[Path]:
    folder = reports / "demo-2025"
    public = sorted(p for p in folder.glob("[0-9][0-9]_*.html") if not p.name.endswith(".research.html"))
    return [reports / "index.html", reports / "references.html", folder / "index.html", folder / "rapport.html",
            *public]


def _violations(pages: list[Path], width: int = 1200) -> dict[str, list[str]]:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    axe = Axe()
    found: dict[str, list[str]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
        for path in pages:
            page.goto(path.resolve().as_uri())
            page.wait_for_load_state("load")
            response = axe.run(page).response
            found[f"{path.parent.name}/{path.name}"] = [
                f"{v['impact']} {v['id']} ×{len(v['nodes'])}: {v['help']} — {v['nodes'][0]['target']}"
                for v in response["violations"] if v["impact"] in BLOCKING]
        browser.close()
    return found


def test_axe_core_finds_no_serious_or_critical_violation(demo_site):
    pages = _pages(demo_site)
    assert len(pages) >= 14 and all(p.is_file() for p in pages), [p.name for p in pages if not p.is_file()]
    found = _violations(pages)
    assert len(found) == len(pages)
    assert {page: v for page, v in found.items() if v} == {}


def test_axe_core_at_phone_width_on_the_indexes_and_report(demo_site):
    """The campaign index turns its table into cards at 390 px: still no serious finding."""
    pages = _pages(demo_site)[:4]
    found = _violations(pages, width=390)
    assert {page: v for page, v in found.items() if v} == {}
