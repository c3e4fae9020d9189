"""The measurements behind RAG_LLM_THREADS and RAG_LLM_CONTEXT_SIZE's defaults, for a GGUF model.

    python experiments/local_model_probe.py --model PATH.gguf [--threads 1 2] [--stories FOLDER]

1. Speed: for each thread count, llama.cpp's server (rag/llm/local.py) answers a prompt made of the first 4,500
   characters of a seed article twice (100 tokens each); llama.cpp's own timings are printed. The default,
   ``Settings.llm_threads``, is the count that was fastest on the shared 2-core machine (README, "A local GGUF
   model"); a run prints the fastest here and now.
2. Tokens: the model's token count of each article of ``--corpus`` (default the seeds; and of ``--sample``
   stories drawn from ``--stories``) divided by its tiktoken cl100k_base count, the unit of
   RAG_LLM_CONTEXT_TOKENS. The window must hold the prompt budget at the highest ratio plus the reply:
   ``Settings.llm_context_size`` >= llm_context_tokens x ratio + llm_max_tokens (at the defaults, 3000 x 1.28
   + 512, rounded up to a multiple of 512: 4608); the last line prints that size for this model.

``--chars`` and ``--tokens`` shrink the speed prompt and reply for a quick run.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from rag import Settings
from rag.llm.local import server_for
from rag.text import count_tokens

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _post(url: str, body: dict[str, object]) -> dict[str, object]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def speed(model: Path, threads: int, article: str, tokens: int) -> float:
    """Seconds of the slower of two answers at ``threads``, each timing printed as llama.cpp gives it."""
    server = server_for(Settings(llm="local", llm_model_path=str(model), llm_threads=threads))
    took = []
    try:
        for attempt in range(2):
            prompt = "x " * attempt + article + "\n\nQuestion: what happened?"  # a new prompt: no cache reuse
            messages = [{"role": "system", "content": "Answer from the sources."}, {"role": "user", "content": prompt}]
            start = time.perf_counter()
            reply = _post(server.url + "/v1/chat/completions", {"messages": messages, "max_tokens": tokens})
            took.append(time.perf_counter() - start)
            timings = reply["timings"]
            print(
                f"threads={threads} {took[-1]:.1f} s: prompt {timings['prompt_n']} tokens at "
                f"{timings['prompt_per_second']:.1f}/s, reply {timings['predicted_n']} at "
                f"{timings['predicted_per_second']:.1f}/s"
            )
    finally:
        server.stop()
    return max(took)


def token_ratios(model: Path, texts: Sequence[str]) -> list[float]:
    """The model's tokens per cl100k_base token of each text."""
    server = server_for(Settings(llm="local", llm_model_path=str(model), llm_context_size=1024))
    try:
        return [len(_post(server.url + "/tokenize", {"content": t})["tokens"]) / count_tokens(t) for t in texts]
    finally:
        server.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--corpus", type=Path, default=SEEDS, help="articles for both parts (default: the seeds)")
    parser.add_argument("--stories", type=Path, help="a folder of other news texts for the token ratio")
    parser.add_argument("--sample", type=int, default=20, help="stories drawn from --stories")
    parser.add_argument("--chars", type=int, default=4500, help="characters of the first article in the prompt")
    parser.add_argument("--tokens", type=int, default=100, help="tokens of each reply")
    args = parser.parse_args(argv)
    paths = sorted(p for p in args.corpus.iterdir() if p.is_file())
    article = paths[0].read_text(encoding="utf-8")[: args.chars]
    seconds = {threads: speed(args.model, threads, article, args.tokens) for threads in args.threads}
    print(f"fastest here: threads={min(seconds, key=seconds.__getitem__)} (RAG_LLM_THREADS default 1)")
    texts = {p.name: p.read_text(encoding="utf-8") for p in paths}
    if args.stories:
        stories = sorted(args.stories.iterdir())
        chosen = random.Random(0).sample(stories, min(args.sample, len(stories)))
        texts |= {p.name: p.read_text(encoding="utf-8") for p in chosen}
    ratios = token_ratios(args.model, list(texts.values()))
    print(f"model tokens per cl100k token over {len(ratios)} texts: {min(ratios):.3f}-{max(ratios):.3f}")
    defaults = Settings()
    needed = defaults.llm_context_tokens * max(ratios) + defaults.llm_max_tokens
    print(
        f"window for {defaults.llm_context_tokens} prompt + {defaults.llm_max_tokens} reply tokens: "
        f"RAG_LLM_CONTEXT_SIZE = {512 * math.ceil(needed / 512)} (default {defaults.llm_context_size})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
