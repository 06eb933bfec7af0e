"""The published site in a real headless browser (Debian's Chromium driven by Playwright).

Every non-file request is aborted and recorded (none expected), no console error, every
link of the indexes resolves, every image has loaded, no papermill error banner on a
healthy run. A screenshot is kept in the test's temporary folder.
"""

import shutil
from pathlib import Path

import pytest

from rd_methods.publish import runner

CHROMIUM = Path("/usr/bin/chromium")
FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium absent (apt-get install -y chromium)")


def _run(tmp: Path, campaign: str, data: Path | None, notebooks: Path, mp) -> Path:
    mp.setenv("RD_METHODS_REPORTS_DIR", str(tmp / "reports"))
    mp.setenv("RD_METHODS_PROCESSED_DIR", str(tmp / "processed"))
    mp.setenv("RD_METHODS_NOTEBOOKS_DIR", str(notebooks))
    if data is not None:
        mp.setenv("RD_METHODS_DATA_DIR", str(data))
    (run,) = runner.run([campaign], jobs=2, echo=lambda _: None)
    assert run.ok, [(o.stem, o.describe_error()) for o in run.notebooks if o.status == "failed"]
    return tmp / "reports"


def browse_site(reports: Path, shots: Path) -> dict:
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    errors: list[str] = []
    visited: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1200, "height": 900})

        def route(r):
            if r.request.url.startswith("file:"):
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))

        def visit(path: Path) -> None:
            assert path.is_file(), f"broken link: {path}"
            page.goto(path.resolve().as_uri())
            page.wait_for_load_state("load")
            visited.append(path.name)
            broken = page.evaluate(
                "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 80))")
            assert broken == [], f"{path}: images not loaded {broken}"
            text = page.inner_text("body")
            assert "An Exception was encountered" not in text, f"{path}: papermill error banner"
            assert page.locator(".celltag_papermill-error-cell-tag").count() == 0

        def links(index: Path) -> list[Path]:
            hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
            return [(index.parent / h.split("#")[0]).resolve() for h in hrefs
                    if not h.startswith(("http", "#", "mailto:"))]

        top = reports / "index.html"
        visit(top)
        page.screenshot(path=str(shots / "site_index.png"), full_page=True)
        for campaign_index in [p for p in links(top) if p.name == "index.html"]:
            visit(campaign_index)
            page.screenshot(path=str(shots / f"{campaign_index.parent.name}_index.png"), full_page=True)
            for target in links(campaign_index):
                if target.suffix == ".html":
                    visit(target)
                    if target.name.endswith(".research.html") is False:
                        page.screenshot(path=str(shots / f"{target.stem}.png"), full_page=False)
                    for back in links(target):  # header/footer links resolve too
                        assert back.is_file(), f"{target.name}: broken link {back}"
                else:
                    assert target.is_file(), f"{campaign_index}: broken link {target}"
            visit(campaign_index)  # back to the index for the next campaign
        browser.close()
    return {"blocked": blocked, "errors": errors, "visited": visited}


@pytest.mark.slow
def test_fixture_site_in_chromium(tmp_path, monkeypatch):
    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir()
    for name in ("10_ok", "50_needs_survey", "90_synthesis"):
        shutil.copy(FIXTURES / f"{name}.ipynb", nb_dir)
    reports = _run(tmp_path, "tiny", FIXTURES / "data", nb_dir, monkeypatch)
    seen = browse_site(reports, tmp_path)
    assert seen["blocked"] == [], "pages tried to fetch from the network"
    assert seen["errors"] == []
    assert {"index.html", "10_ok.html", "10_ok.research.html", "90_synthesis.html"} <= set(seen["visited"])
    assert (tmp_path / "tiny_index.png").stat().st_size > 10_000


@pytest.mark.slow
def test_demo_sites_end_to_end_in_chromium(demo_site, tmp_path):
    """The real demo campaigns with every committed notebook, and their comparison."""
    seen = browse_site(demo_site, tmp_path)
    assert seen["blocked"] == [] and seen["errors"] == []
    assert len([v for v in seen["visited"] if v.endswith(".html")]) >= 20
