"""The browser UI: ``python app.py`` or ``rag-ui`` serves it at http://127.0.0.1:7860 (``RAG_UI_HOST``/``_PORT``).

A thin Gradio layer over the public API (``rag.Chat``, ``rag.ingest``, ``rag.remove``, ``rag.timeline``) and the
shared engine behind ``rag.query`` (``rag.answer.engine.shared_engine``);
all markup comes from ``rag.ui.render``, which escapes every piece of document or model text.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # no telemetry, whatever the environment says

import gradio as gr
from tqdm import tqdm

import rag
from rag import Chat, RagError, Settings, timeline
from rag.answer.engine import shared_engine
from rag.ingestion.corpus import SUFFIXES
from rag.ingestion.pipeline import IngestReport
from rag.news.timeline import TimelineEvent
from rag.ui.examples import MAX_EXAMPLES, example_questions
from rag.ui.render import (
    Turn,
    render_articles,
    render_passages,
    render_sources,
    render_status,
    render_timeline,
    render_transcript,
)
from rag.ui.uploads import Upload, add_uploads, remove_article

log = logging.getLogger("rag.app")
# The rate and time left are shown once batches have come in for this long: over a batch or two they jump about.
_RATE_AFTER_S = 3.0
CSS_FILE = Path(str(resources.files("rag.ui") / "ui.css"))


class IngestJob:
    """An ingest running in a thread, so a page can show its progress while it works."""

    def __init__(
        self, settings: Settings, sources: list[Path] | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.settings = settings
        self.sources = sources  # None: the corpus folder (RAG_CORPUS)
        self.message = "Checking the index…"
        self._clock = clock
        self._began: tuple[float, int] | None = None  # when the first batch was reported, and how far it was
        self.report: IngestReport | None = None
        self.error: str | None = None
        self._done = threading.Event()

    def start(self) -> IngestJob:
        threading.Thread(target=self._run, name="rag-ingest", daemon=True).start()
        return self

    def watch(self, every: float = 0.4) -> Iterator[str]:
        """Yield the progress message until the ingest ends."""
        while not self._done.wait(every):
            yield self.message

    def _run(self) -> None:
        try:
            self.report = rag.ingest(self.settings, self.sources, progress=self._progress, wait=True)
            log.info("index ready: %s", self.report.summary())
        except RagError as error:
            self.error = str(error)
            log.error("ingest failed: %s", error)
        finally:
            self._done.set()

    def _progress(self, done: int, total: int) -> None:
        """The status line: chunks embedded, and once a few seconds have passed, the rate and the time left."""
        now = self._clock()
        if self._began is None:
            self._began = (now, done)
        self.message = f"Indexing: {done}/{total} chunks embedded"
        elapsed, embedded = now - self._began[0], done - self._began[1]
        if elapsed >= _RATE_AFTER_S and embedded > 0:
            rate = embedded / elapsed
            self.message += f", {rate:.1f} chunks/s, about {tqdm.format_interval((total - done) / rate)} left"
        log.info(self.message)


def backends(settings: Settings) -> list[str]:
    """The answerers to offer: extractive always, plus the configured LLM."""
    return ["extractive"] + ([settings.llm] if settings.llm != "extractive" else [])


def build(settings: Settings, startup: IngestJob | None = None) -> gr.Blocks:
    """The page; ``startup`` is the first-start ingest whose progress the status line shows."""
    max_mb = float(settings.max_file_mb)

    def settings_for(backend: str) -> Settings:
        return settings if backend == settings.llm else settings.with_(llm=backend)

    def corpus_view(progress: str | None = None, backend: str | None = None) -> tuple[Any, ...]:
        status = shared_engine(settings).status()
        ids = [a.article_id for a in status.articles]
        examples = example_questions(settings.examples, [(a.title, a.published) for a in status.articles])
        return (
            render_status(len(status.articles), status.chunks, backend or settings.llm, progress),
            render_articles(status.articles),
            gr.update(choices=ids, value=None),
            # The timeline reads every chunk: redrawn when indexing is over, not at each progress tick.
            gr.update() if progress else render_timeline(_timeline(settings)),
            *(
                gr.update(value=examples[i], visible=True) if i < len(examples) else gr.update(visible=False)
                for i in range(MAX_EXAMPLES)
            ),
        )

    def on_load() -> Iterator[tuple[Any, ...]]:
        if startup is not None:
            for message in startup.watch():
                yield corpus_view(message)
            if startup.error:
                yield corpus_view(f"Indexing failed: {startup.error}")
                return
        yield corpus_view()

    def converse(
        question: str, turns: list[Turn], top_k: int, backend: str
    ) -> Iterator[tuple[str, str, str, str, list[Turn]]]:
        chat = Chat(engine=shared_engine(settings_for(backend)))
        chat.history = [t.answer for t in turns if t.answer is not None]
        turn = Turn(question=question)
        turns = [*turns, turn]
        yield _views(turns, "")
        try:
            stream = chat.stream(question, top_k=int(top_k))
            for piece in stream:
                turns[-1] = turn = Turn(question=question, partial=turn.partial + piece)
                yield _views(turns, "")
            turns[-1] = Turn(question=question, partial=turn.partial, answer=stream.answer)
            yield _views(turns, "")
        except RagError as error:
            turns[-1] = Turn(question=question, error=str(error))
            yield _views(turns, question)

    def new_conversation() -> tuple[str, str, str, str, list[Turn]]:
        return _views([], "")

    def reindex(done_message: str, sources: list[Path]) -> Iterator[tuple[Any, ...]]:
        job = IngestJob(settings, sources).start()
        for message in job.watch():
            yield (*corpus_view(message), message)
        yield (
            *corpus_view(),
            f"Indexing failed: {job.error}"
            if job.error or not job.report
            else f"{done_message}; {job.report.summary()}",
        )

    def upload(files: list[str] | None) -> Iterator[tuple[Any, ...]]:
        try:
            uploads = [Upload(Path(f), Path(f).name) for f in files or []]
            written = add_uploads(uploads, settings.corpus, max_mb=max_mb)
        except (RagError, OSError) as error:
            yield (*corpus_view(), f"Nothing was added: {error}", None)
            return
        for view in reindex(f"Added {', '.join(p.name for p in written)}", written):
            yield (*view, None)

    def remove(article_id: str | None) -> Iterator[tuple[Any, ...]]:
        if not article_id:
            yield (*corpus_view(), "Choose an article to remove first.")
            return
        # Out of the index with the call `rag remove` makes; a file in the corpus folder is also moved aside,
        # or the next `rag ingest` of that folder would bring it back.
        try:
            indexed = {a.article_id: a for a in shared_engine(settings).status().articles}
            path = Path(indexed[article_id].path or "") if article_id in indexed else None
            in_corpus = path is not None and settings.corpus.absolute() in path.parents
            # An entry of a feed or JSON Lines file (news.jsonl#3) goes with the rest of its file: the file moves.
            kept = remove_article(path.name, settings.corpus, settings.home / "removed") if in_corpus else None
            report = rag.remove(settings, [str(path) if in_corpus else article_id], wait=True)
        except (RagError, OSError) as error:
            yield (*corpus_view(), f"Nothing was removed: {error}")
            return
        where = f"the file was moved to {kept.parent}" if kept else f"the file stays in {path.parent if path else '?'}"
        yield (*corpus_view(), f"Removed {', '.join(report.removed)} ({where})")

    def ask_api(question: str) -> dict[str, Any]:
        """Answer one question; returns ``Answer.to_dict()`` (text with [n] markers, citations, passages)."""
        try:
            return rag.query(question, settings=settings).to_dict()
        except RagError as error:
            # The caller gets the one-line message; the server log gets no traceback for a user's mistake.
            raise gr.Error(str(error), print_exception=False) from None

    with gr.Blocks(title="News answers", analytics_enabled=False) as ui:
        turns = gr.State([])
        gr.HTML(
            "<h1>News answers</h1><p>Answers quoted from the indexed articles, each sentence with its source.</p>",
            js_on_load=None,
            elem_id="masthead",
        )
        status = gr.HTML(render_status(0, 0, settings.llm, "Starting…"), js_on_load=None, elem_id="status")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                transcript = gr.HTML(render_transcript([]), js_on_load=None, elem_id="transcript", autoscroll=True)
                question = gr.Textbox(
                    show_label=False,
                    placeholder="Ask about the news articles and press Enter",
                    elem_id="question",
                    submit_btn="Ask",
                )
                with gr.Row(elem_id="examples"):
                    example_buttons = [
                        gr.Button("", size="sm", variant="secondary", visible=False) for _ in range(MAX_EXAMPLES)
                    ]
                new_chat = gr.Button("New conversation", size="sm", elem_id="new-conversation")
            with gr.Column(scale=2):
                sources = gr.HTML(render_sources([]), js_on_load=None, elem_id="sources-panel")
        with gr.Accordion("Settings", open=False, elem_id="settings"):
            with gr.Row():
                top_k = gr.Slider(1, 20, value=settings.top_k, step=1, label="Passages to retrieve (top-k)")
                backend = gr.Radio(backends(settings), value=settings.llm, label="Backend")
                show_passages = gr.Checkbox(False, label="Show retrieved passages with scores")
            passages = gr.HTML(render_passages(None), js_on_load=None, visible=False, elem_id="passages")
        with gr.Accordion("Corpus", open=False, elem_id="corpus"):
            articles = gr.HTML(render_articles(()), js_on_load=None, elem_id="articles")
            with gr.Row():
                files = gr.File(
                    label=f"Add articles: {', '.join(SUFFIXES)} (up to {max_mb:g} MB each)",
                    file_count="multiple",
                    file_types=list(SUFFIXES),
                    elem_id="upload",
                )
                with gr.Column():
                    to_remove = gr.Dropdown([], label="Article to remove", elem_id="remove-choice")
                    remove_button = gr.Button("Remove article", variant="stop", elem_id="remove")
            corpus_message = gr.Markdown(elem_id="corpus-message")
        with gr.Accordion("Timeline", open=False, elem_id="timeline"):
            timeline_view = gr.HTML(render_timeline(()), js_on_load=None, elem_id="timeline-events")

        chat_outputs = [transcript, sources, passages, question, turns]
        corpus_outputs = [status, articles, to_remove, timeline_view, *example_buttons]
        private = {"api_visibility": "private"}
        ui.load(on_load, outputs=corpus_outputs, show_progress="hidden", **private)
        question.submit(converse, [question, turns, top_k, backend], chat_outputs, show_progress="hidden", **private)
        for button in example_buttons:
            button.click(lambda text: text, inputs=button, outputs=question, **private).then(
                converse, [question, turns, top_k, backend], chat_outputs, show_progress="hidden", **private
            )
        new_chat.click(new_conversation, outputs=chat_outputs, **private)
        show_passages.change(lambda on: gr.update(visible=on), show_passages, passages, **private)
        backend.change(lambda b: corpus_view(backend=b)[0], backend, status, **private)
        files.upload(upload, files, [*corpus_outputs, corpus_message, files], **private)
        remove_button.click(remove, to_remove, [*corpus_outputs, corpus_message], **private)
        gr.api(ask_api, api_name="ask")
    return ui


def _timeline(settings: Settings) -> tuple[TimelineEvent, ...]:
    try:
        return timeline(settings)
    except RagError:  # no index yet: the timeline is empty until the first ingest
        return ()


def _views(turns: list[Turn], question: str) -> tuple[str, str, str, str, list[Turn]]:
    last = next((t.answer for t in reversed(turns) if t.answer is not None), None)
    return render_transcript(turns), render_sources(turns), render_passages(last), question, turns


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    try:
        settings = Settings.from_env()
    except RagError as error:
        raise SystemExit(f"rag: {error}") from None
    startup = IngestJob(settings).start()
    auth = tuple(settings.ui_auth.split(":", 1)) if settings.ui_auth else None
    build(settings, startup).launch(
        server_name=settings.ui_host,
        server_port=settings.ui_port,
        auth=auth,
        share=False,  # never a public link: the index may hold private documents
        ssr_mode=False,
        max_file_size=f"{float(settings.max_file_mb):g}mb",
        css_paths=[CSS_FILE],
        show_error=True,
    )


if __name__ == "__main__":
    main()
