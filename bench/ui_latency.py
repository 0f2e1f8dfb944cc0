"""Time to first text and to the verified answer in the chat app, in a real headless Chromium (issue #6).

Run:  .venv/bin/python bench/ui_latency.py [--backend extractive] [--port 7871]
Starts the app on 127.0.0.1 over a temp index of the sample articles, asks one warm-up question (model, judge
and spaCy load), then asks five questions in the browser and times, from pressing Enter: the first text in
the answer bubble (the streamed backend text) and the verified answer (its citation links appear). Prints
each and the medians. Needs the [ui] and [dev] extras and Debian's chromium.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from stream_latency import QUESTIONS  # noqa: E402  (the same five questions as the streaming benchmark)

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backend", default="extractive")
    ap.add_argument("--port", type=int, default=7871)
    args = ap.parse_args()
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    from playwright.sync_api import sync_playwright

    from ui.app import launch

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit("needs Debian's chromium package: apt-get install chromium")
    with tempfile.TemporaryDirectory() as tmp:
        app = launch(Path(tmp) / "index", port=args.port, backend=args.backend, block=False)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=FLAGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.set_default_timeout(300_000)
                page.goto(f"http://127.0.0.1:{args.port}/")
                box = page.locator("#question textarea, #question input").first
                firsts, finals = [], []
                for n, question in enumerate(["Who chaired the meeting?", *QUESTIONS]):
                    bots = page.locator("#chat [data-testid='bot']")
                    before = bots.count()
                    box.fill(question)
                    started = time.perf_counter()
                    box.press("Enter")
                    bot = bots.nth(before)
                    # first text: the bubble holds more than the "…" placeholder
                    page.wait_for_function(
                        "([sel, i]) => { const b = document.querySelectorAll(sel)[i];"
                        " return b && b.innerText.replace(/[…\\s]/g, '').length > 0; }",
                        arg=["#chat [data-testid='bot']", before])
                    first = time.perf_counter() - started
                    page.wait_for_function(
                        "([sel, i]) => { const b = document.querySelectorAll(sel)[i]; return b &&"
                        " (b.querySelector(\"a[href^='#cite-']\") || b.innerText.includes('Not in the')); }",
                        arg=["#chat [data-testid='bot']", before])
                    final = time.perf_counter() - started
                    bot.scroll_into_view_if_needed()
                    if n == 0:
                        print(f"warm-up (loads the models): first text {first:.2f} s, verified answer {final:.2f} s")
                        continue
                    firsts.append(first)
                    finals.append(final)
                    print(f"{question[:60]:60s} first text {first:5.2f} s   verified answer {final:5.2f} s")
                browser.close()
        finally:
            app.close()
    print(f"\nbackend {args.backend}, {len(finals)} questions in the browser: median first text "
          f"{statistics.median(firsts):.2f} s, median verified answer {statistics.median(finals):.2f} s")


if __name__ == "__main__":
    main()
