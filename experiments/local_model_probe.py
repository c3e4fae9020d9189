"""The measurements behind RAG_LLM_THREADS and RAG_LLM_CONTEXT_SIZE's defaults, for a GGUF model.

    python experiments/local_model_probe.py --model PATH.gguf [--threads 1 2] [--stories FOLDER]

1. Speed: for each thread count, llama.cpp's server (rag/llm/local.py) answers a prompt made of the first 4,500
   characters of a seed article twice (100 tokens each); llama.cpp's own timings are printed.
2. Tokens: the model's token count of each seed article (and 20 stories drawn from ``--stories``) divided by its
   tiktoken cl100k_base count, the unit of RAG_LLM_CONTEXT_TOKENS.
"""

from __future__ import annotations

import argparse
import json
import random
import time
import urllib.request
from pathlib import Path

from rag import Settings
from rag.llm.local import server_for
from rag.text import count_tokens

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _post(url: str, body: dict[str, object]) -> dict[str, object]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--stories", type=Path, help="a folder of other news texts for the token ratio")
    args = parser.parse_args()
    article = sorted(SEEDS.glob("*.txt"))[0].read_text(encoding="utf-8")[:4500]
    for threads in args.threads:
        server = server_for(Settings(llm="local", llm_model_path=str(args.model), llm_threads=threads))
        for attempt in range(2):
            prompt = "x " * attempt + article + "\n\nQuestion: what happened?"  # a new prompt: no cache reuse
            messages = [{"role": "system", "content": "Answer from the sources."}, {"role": "user", "content": prompt}]
            start = time.perf_counter()
            reply = _post(server.url + "/v1/chat/completions", {"messages": messages, "max_tokens": 100})
            timings = reply["timings"]
            print(
                f"threads={threads} {time.perf_counter() - start:.1f} s: prompt {timings['prompt_n']} tokens at "
                f"{timings['prompt_per_second']:.1f}/s, reply {timings['predicted_n']} at "
                f"{timings['predicted_per_second']:.1f}/s"
            )
        server.stop()
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
    if args.stories:
        stories = sorted(args.stories.iterdir())
        texts |= {p.name: p.read_text(encoding="utf-8") for p in random.Random(0).sample(stories, 20)}
    server = server_for(Settings(llm="local", llm_model_path=str(args.model), llm_context_size=1024))
    ratios = [len(_post(server.url + "/tokenize", {"content": t})["tokens"]) / count_tokens(t) for t in texts.values()]
    print(f"model tokens per cl100k token over {len(ratios)} texts: {min(ratios):.3f}-{max(ratios):.3f}")


if __name__ == "__main__":
    main()
