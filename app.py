"""The browser UI (a minimal first version): ``python app.py`` serves it at http://127.0.0.1:7860."""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr

from rag import RagError, Settings, query
from rag.cli import render


def answer(question: str) -> str:
    try:
        return render(query(question, settings=Settings.from_env()))
    except RagError as error:
        return f"Error: {error}"


def build() -> gr.Blocks:
    with gr.Blocks(title="News answers") as ui:
        question = gr.Textbox(label="Question")
        output = gr.Textbox(label="Answer", lines=12)
        question.submit(answer, question, output)
    return ui


if __name__ == "__main__":
    build().launch(server_name="127.0.0.1", server_port=7860)
