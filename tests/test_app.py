"""The browser UI end to end: ``python app.py`` on loopback, driven by a real headless Chromium.

The app runs as a subprocess with a temporary index and a temporary copy of the seeds plus one hostile
article (scripts, an ``onerror`` image, a markdown image); the page must show that article's text as
text. Screenshots and the measured timings go to ``artifacts/``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright import sync_api as playwright_api

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOSTILE = """---
title: <script>window.__xss_title = 1</script>Harbour <b>report</b>
outlet: <img src=x onerror="window.__xss_outlet = 1">Fjord Gazette
date: 2025-12-11
---
The Xylofjord harbour authority said on Thursday that the new ferry terminal will open in March 2026 \
<script>window.__xss_body = 1</script> after two years of construction.

Officials said the Xylofjord ferry terminal cost 40 million euros <img src=x onerror="window.__xss_img = 1"> \
and will serve 12,000 passengers a day.

The Xylofjord harbour authority published a photo of the ferry terminal ![terminal](PIXEL) and said \
the terminal would create 300 jobs in the town.
"""
HOSTILE_NAME = "hostile.md"
# The seeds' example questions are configuration (RAG_EXAMPLES), not code.
SEED_EXAMPLES = "Which jets did Thailand fly in its airstrikes? | How many people have died?"
EXAMPLES_FIRST = "Which jets did Thailand fly in its airstrikes?"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class App:
    url: str
    root: Path
    corpus: Path


@contextmanager
def _running_app(root: Path, corpus: Path, **variables: str) -> Iterator[App]:
    """``python app.py`` as a subprocess on a free loopback port; stopped (by its pid) afterwards."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(
        RAG_HOME=str(root / "home"),
        RAG_CORPUS=str(corpus),
        RAG_UI_PORT=str(port),
        PYTHONPATH=str(ROOT),
        GRADIO_ANALYTICS_ENABLED="True",  # the app must switch it off itself
        **variables,
    )
    log = open(root / "app.log", "wb")  # noqa: SIM115 - closed below, after the process
    process = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=root, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"app.py did not start: {(root / 'app.log').read_text()[-2000:]}")
                time.sleep(0.3)
        yield App(url, root, corpus)
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """The app over a copy of the seeds plus the hostile article, with its own index."""
    root = tmp_path_factory.mktemp("ui")
    corpus = root / "corpus"
    shutil.copytree(ROOT / "seeds", corpus)
    pixel = f"http://127.0.0.1:{_free_port()}/pixel.png"
    (corpus / HOSTILE_NAME).write_text(HOSTILE.replace("PIXEL", pixel), encoding="utf-8")
    with _running_app(root, corpus, RAG_EXAMPLES=SEED_EXAMPLES) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"the browser tests need Debian's chromium at {CHROMIUM}: apt-get install chromium")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object, app: App) -> Iterator[object]:
    """A fresh page on the app, after the status line shows a finished index; requests are recorded."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.goto(app.url)
    status = page.locator("#status .status-line")
    playwright_api.expect(status).to_contain_text("chunks indexed", timeout=60_000)
    playwright_api.expect(status.locator(".progress")).to_have_count(0, timeout=90_000)
    yield page
    context.close()


def _ask(page: object, question: str) -> dict[str, float]:
    """Type ``question``, press Enter; wait for the first streamed text and for the finished answer."""
    box = page.locator("#question textarea")
    box.fill(question)
    replies = page.locator("#transcript .bubble.bot")
    before = replies.count()
    start = time.perf_counter()
    box.press("Enter")
    reply = "document.querySelectorAll('#transcript .bubble.bot')[n]"
    page.wait_for_function(f"n => {reply} && !{reply}.querySelector('.thinking')", arg=before, polling="raf")
    first = time.perf_counter()
    page.wait_for_function(
        f"n => {reply} && ({reply}.querySelector('.backend') || {reply}.classList.contains('error'))",
        arg=before,
        polling="raf",
        timeout=30_000,
    )
    done = time.perf_counter()
    timings = {
        "question": question[:80],
        "error": page.evaluate(f"n => {reply}.classList.contains('error')", before),
        "first_text_s": round(first - start, 3),
        "full_answer_s": round(done - start, 3),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    with open(ARTIFACTS / "ui-timings.jsonl", "a") as log:  # measured, never asserted: see the README
        log.write(json.dumps(timings) + "\n")
    return timings


def test_a_question_streams_a_cited_answer_and_a_citation_shows_its_quote(page: object) -> None:
    timings = _ask(page, "Which fighter jets did Thailand use?")
    answer = page.locator("#transcript .bubble.bot.answer").last
    marker = answer.locator("sup.cite a").first
    playwright_api.expect(marker).to_be_visible()
    target = marker.get_attribute("href")
    assert target and target.startswith("#src-")

    marker.click()
    card = page.locator(target)
    playwright_api.expect(card).to_be_in_viewport()
    assert card.evaluate("el => el.matches(':target')")
    quote = card.locator("mark.quote")
    playwright_api.expect(quote).to_be_visible()
    assert "F-16" in answer.inner_text() + quote.inner_text()
    assert card.locator(".title").inner_text().strip()
    assert card.locator(".meta").inner_text().strip()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-answer.png"), full_page=True)
    print(f"UI timings: {timings}")


def test_abstentions_look_different_and_new_conversation_clears(page: object) -> None:
    _ask(page, "What is the recipe for sourdough bread?")
    abstained = page.locator("#transcript .bubble.bot.abstained")
    playwright_api.expect(abstained).to_have_count(1)
    playwright_api.expect(abstained.locator(".label")).to_contain_text("No answer")
    page.locator("#new-conversation").click()
    playwright_api.expect(page.locator("#transcript .bubble")).to_have_count(0)
    playwright_api.expect(page.locator("#transcript .transcript.empty")).to_be_visible()


def test_hostile_article_text_renders_inert(page: object) -> None:
    _ask(page, "When will the Xylofjord ferry terminal open?")
    cards = page.locator("#sources-panel .source")
    playwright_api.expect(cards.first).to_be_visible()
    page.locator("#settings").get_by_text("Settings").first.click()
    page.get_by_label("Show retrieved passages with scores").check()
    page.locator("#corpus").get_by_text("Corpus").first.click()
    playwright_api.expect(page.locator("#articles table.articles")).to_be_visible()
    page.wait_for_timeout(500)  # room for any injected handler to fire

    flags = page.evaluate(
        "['__xss_title', '__xss_outlet', '__xss_body', '__xss_img'].filter(k => window[k] !== undefined)"
    )
    assert flags == []
    shown = page.locator("#sources-panel").inner_text() + page.locator("#articles").inner_text()
    assert "<script>window.__xss_" in shown  # shown as text, not dropped and not run
    assert '<img src=x onerror="window.__xss_' in shown + page.locator("#passages").inner_text()
    for panel in ("#transcript", "#sources-panel", "#articles", "#passages"):
        assert page.locator(f"{panel} img, {panel} script, {panel} b").count() == 0
    assert not [u for u in page.requests if u.endswith("/pixel.png") or u.endswith("/x")]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-hostile.png"), full_page=True)


def test_the_timeline_tab_lists_dated_events_in_order(page: object) -> None:
    page.locator("#timeline").get_by_text("Timeline").first.click()
    rows = page.locator("#timeline-events table.timeline tbody tr")
    playwright_api.expect(rows.first).to_be_visible()
    text = page.locator("#timeline-events").inner_text()
    # Only 000 of the seeds is dated (001–004 give no year): its Monday and Tuesday, in order.
    assert "8 Dec 2025" in text and "9 Dec 2025" in text
    assert text.index("8 Dec 2025") < text.index("9 Dec 2025")


def test_the_ask_endpoint_answers_through_gradio_client(app: App) -> None:
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    client = Client(app.url, verbose=False)
    result = client.predict("Which fighter jets did Thailand use?", api_name="/ask")
    assert result["abstained"] is False
    assert result["citations"] and "[1]" in result["text"]
    assert {"n", "article_id", "title", "outlet", "published", "quote", "start", "end", "score"} <= set(
        result["citations"][0]
    )
    with pytest.raises(AppError, match="the question is empty"):
        client.predict("   ", api_name="/ask")
    # Issue 13, problem 6: the user's mistake is answered in one line and leaves no traceback in the log.
    time.sleep(1)  # the log is written by the app process
    assert "Traceback" not in (app.root / "app.log").read_text(errors="replace")


def test_follow_ups_use_the_conversation(page: object) -> None:
    _ask(page, "How many people were killed in Thailand?")
    _ask(page, "And how many in Cambodia?")
    rewritten = page.locator("#transcript .bubble.bot").nth(1).locator(".rewritten")
    playwright_api.expect(rewritten).to_contain_text("How many people were killed in Cambodia?")


def test_example_questions_are_asked_with_one_click(page: object) -> None:
    page.locator("#examples button").first.click()
    playwright_api.expect(page.locator("#transcript .bubble.bot .backend")).to_have_count(1, timeout=30_000)
    playwright_api.expect(page.locator("#transcript .bubble.user")).to_have_text(EXAMPLES_FIRST)


def test_uploads_are_added_bad_ones_refused_and_articles_removed(page: object, app: App) -> None:
    page.locator("#corpus").get_by_text("Corpus").first.click()
    status = page.locator("#status .status-line")
    before = int(status.inner_text().split()[0])
    message = page.locator("#corpus-message")
    upload = page.locator("#upload input[type=file]")

    picture = b"\x89PNG\r\n\x1a\nIHDR" + b"Ferry news from the island. " * 10  # an image saved as .txt
    upload.set_input_files([{"name": "photo.txt", "mimeType": "text/plain", "buffer": picture}])
    playwright_api.expect(message).to_contain_text("Nothing was added", timeout=30_000)
    playwright_api.expect(message).to_contain_text("binary (image/png), not text")
    assert not (app.corpus / "photo.txt").exists()

    article = (
        "Ferry news\n\nThe Qorvath island council said on Monday that its new solar ferry carried "
        "4,000 passengers in its first week of service.\n"
    )
    upload.set_input_files([{"name": "qorvath.md", "mimeType": "text/markdown", "buffer": article.encode()}])
    playwright_api.expect(message).to_contain_text("Added qorvath.md", timeout=60_000)
    playwright_api.expect(status).to_contain_text(f"{before + 1} articles")
    assert (app.corpus / "qorvath.md").read_text() == article
    playwright_api.expect(page.locator("#articles")).to_contain_text("qorvath.md")
    _ask(page, "How many passengers did the Qorvath solar ferry carry?")
    playwright_api.expect(page.locator("#sources-panel .source .file").first).to_have_text("qorvath.md")

    page.locator("#remove-choice input").click()
    page.get_by_role("option", name="qorvath.md").click()
    page.locator("#remove").click()
    playwright_api.expect(message).to_contain_text("Removed qorvath.md", timeout=60_000)
    playwright_api.expect(status).to_contain_text(f"{before} articles")
    assert not (app.corpus / "qorvath.md").exists()
    assert (app.root / "home" / "removed" / "qorvath.md").exists()


def test_uploads_over_the_size_limit_are_refused_by_the_server(app: App) -> None:
    import httpx

    big = b"word " * (11 * 1024 * 1024 // 5)
    response = httpx.post(f"{app.url}/gradio_api/upload", files={"files": ("big.txt", big, "text/plain")}, timeout=60)
    assert response.status_code == 413


def test_a_login_is_required_when_rag_ui_auth_is_set(tmp_path: Path) -> None:
    from gradio_client import Client

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(ROOT / "seeds" / "003_bfbc2abef2fd135d.txt", corpus)
    with _running_app(tmp_path, corpus, RAG_UI_AUTH="reader:s3cret") as running:
        import httpx

        assert httpx.get(f"{running.url}/config").status_code == 401
        assert httpx.post(f"{running.url}/gradio_api/call/ask", json={"data": ["jets?"]}).status_code == 401
        result = Client(running.url, auth=("reader", "s3cret"), verbose=False).predict(
            "Which fighter jets did Thailand use?", api_name="/ask"
        )
    assert result["citations"]


def test_bad_questions_get_a_one_line_message(page: object) -> None:
    _ask(page, "   ")
    playwright_api.expect(page.locator("#transcript .bubble.bot.error").last).to_contain_text("the question is empty")
    _ask(page, "why " * 600)
    playwright_api.expect(page.locator("#transcript .bubble.bot.error").last).to_contain_text("the limit is 2000")
