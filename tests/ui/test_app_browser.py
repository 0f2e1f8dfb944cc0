"""The app in a real headless Chromium (Debian's package) driven by Playwright: ask, see the streamed answer and
a citation, open its card and find the highlighted span; upload a file and see it counted. Saves screenshots in
the tests' output folder, ``test-output/ui/`` (git ignores it)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.ui.conftest import RunningApp

pytestmark = [pytest.mark.integration, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
QUESTION = "Who must back any security guarantees for Ukraine, according to Hegseth?"
# the browser tests' output folder (screenshots), kept after the run; git ignores it
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "ui"


@pytest.fixture(scope="module")
def page(running_app: RunningApp):
    if CHROMIUM is None:
        pytest.fail("No chromium on PATH: .ci/run installs Debian's chromium package (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            pg = browser.new_page(viewport={"width": 1400, "height": 1000})
            pg.set_default_timeout(120_000)
            pg.goto(running_app.url)
            pg.wait_for_selector("#question textarea, #question input")
            yield pg
        finally:
            browser.close()


def test_ask_see_the_streamed_answer_and_its_highlighted_source(page, running_app: RunningApp) -> None:
    from playwright.sync_api import expect

    # record every state of the answer bubble, to see the streamed (not yet verified) text go by
    page.evaluate("""() => {
        window.__seen = [];
        new MutationObserver(() => document.querySelectorAll('#chat [data-testid=bot]')
            .forEach(b => window.__seen.push(b.innerText)))
          .observe(document.querySelector('#chat'), {subtree: true, childList: true, characterData: true});
    }""")
    box = page.locator("#question textarea, #question input").first
    box.fill(QUESTION)
    box.press("Enter")
    expect(box).to_have_value("")  # cleared at once, so the next question can be typed meanwhile
    bot = page.locator("#chat [data-testid='bot']").last
    # the final, verified message carries a citation link to its card (the streamed text does not)
    link = bot.locator("a[href^='#cite-']").first
    expect(link).to_be_visible(timeout=120_000)
    took = page.locator("#took textarea, #took input").first
    expect(took).to_have_value(re.compile(r"\d+(\.\d+)? s"))
    seen = page.evaluate("window.__seen")
    assert any("checking against the passages" in t for t in seen), "no streamed text was shown before the answer"
    target = link.get_attribute("href")
    assert target and re.fullmatch(r"#cite-1-\d+", target)
    card = page.locator(target)
    expect(card).to_be_visible()
    mark = card.locator("mark.rag-quote").first
    expect(mark).to_be_visible()
    assert len(mark.inner_text().split()) >= 4
    shot = OUTPUT / "answered-chat.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"\nscreenshot: {shot}")
    assert shot.stat().st_size > 10_000
    # thumbs up: one line in the feedback file, about this answer
    page.locator("#chat").get_by_label("Like", exact=True).last.click()
    expect(page.locator("#rated")).to_contain_text("recorded")
    lines = (running_app.index_dir / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and '"liked": true' in lines[0] and "security guarantees" in lines[0]


def test_upload_a_file_and_see_it_counted(page, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    article = tmp_path / "ferry.html"
    article.write_text("<html><head><title>Ferry strike ends</title></head><body><article><h1>Ferry strike ends"
                       "</h1><p>The ferry workers of Northbay ended their strike on Monday after nine days, the "
                       "union said. Services to the islands resume on Tuesday morning.</p></article></body></html>",
                       encoding="utf-8")
    page.get_by_text("Articles", exact=True).click()
    stats = page.locator("#stats")
    before = int(re.search(r"(\d+)\s*articles", stats.inner_text()).group(1))  # type: ignore[union-attr]
    page.locator("#upload input[type='file']").set_input_files(str(article))
    page.locator("#add").click()
    expect(page.locator("#added")).to_contain_text("1 added", timeout=120_000)
    expect(stats).to_contain_text(f"{before + 1} articles")
    page.screenshot(path=str(OUTPUT / "uploaded.png"), full_page=True)
