"""The answerers by their ``RAG_LLM`` name: where each one's factory lives.

A backend is a module with a factory ``(Settings) -> Answerer`` (``rag.answer.answerer``), imported only
when chosen, so the default extractive mode never loads a language-model client. Adding a backend adds a
module and a line here; ``Settings`` accepts exactly these names.
"""

BACKENDS = {
    "extractive": "rag.answer.extractive:ExtractiveAnswerer",
    "openai": "rag.llm.answerer:openai_answerer",
    "ollama": "rag.llm.answerer:ollama_answerer",
    "local": "rag.llm.answerer:local_answerer",
}
