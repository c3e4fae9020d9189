"""`rag eval` end to end on questions written for the tests (the seeds' own gold set is `make test`'s gate, run
once there): the report, a gate that fails without article 003, another gold set on a kept index, and the LLM
judge over HTTP."""

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import JOURNOS, NEWS_GOLD, SEEDS
from llama_index.llms.openai_like import OpenAILike

from rag import Answer, Settings
from rag.cli.main import main
from rag.errors import EvaluationError
from rag.evaluation import report
from rag.evaluation.gate import check, load_thresholds
from rag.evaluation.gold import load_gold, split
from rag.evaluation.judge import Judge
from rag.evaluation.news_metrics import NEWS_METRICS
from rag.evaluation.news_metrics import load_items as load_news_items
from rag.evaluation.runner import run_gold
from rag.schema import Passage, Source

# Questions about the seeds written for the tests, in eval/'s three files (tests/fixtures/seed_questions/README.md).
OWN = Path(__file__).resolve().parent / "fixtures" / "seed_questions"
GOLD = load_gold(OWN / "gold.jsonl")
NEWS = load_news_items(OWN / "gold_news.jsonl")


@pytest.fixture(scope="module")
def seed_run(seed_settings: Settings):
    """The tests' own questions on the session's seed index (the pipeline `rag eval` runs on a fresh one)."""
    return run_gold(GOLD, seed_settings, news_items=NEWS)


@pytest.mark.fitted  # every own question answered right on the seeds (the floors are 0.9)
def test_a_run_is_gated_on_every_kind_and_the_news_scores(seed_run) -> None:
    assert check(seed_run.gated, load_thresholds(OWN / "thresholds.toml")) == []  # what fails below without 003
    assert set(seed_run.news) == set(NEWS_METRICS.values())
    assert seed_run.summary["overall"]["n"] == len(GOLD)
    assert set(seed_run.summary) == {"overall"} | {item.kind for item in GOLD}
    assert not seed_run.judged and seed_run.summary["overall"]["faithfulness"] is None
    # the gate reads the news group too: a floor above a measured news score fails, naming it
    assert check(seed_run.gated, {"min": {"news": {"date_correctness": 1.5}}}) == [
        f"news.date_correctness {seed_run.news['date_correctness']:.3f} < 1.500"
    ]


def test_the_report_files(seed_run, tmp_path: Path) -> None:
    paths = report.write(seed_run, tmp_path / "out", ["overall.mrr 0.100 < 0.740"], ["a note"])
    assert [p.name for p in paths] == ["report.json", "report.md", "scores.png"]
    data = json.loads(paths[0].read_text())
    assert set(data["summary"]) >= {"overall", "conflict", "multi-source", "unanswerable"}
    assert len(data["items"]) == len(GOLD) and data["failures"] == ["overall.mrr 0.100 < 0.740"]
    md = paths[1].read_text()
    assert "| conflict | 1 |" in md and "FAIL overall.mrr" in md and "Note: a note" in md
    assert paths[2].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert report.table(seed_run).splitlines()[1].startswith("overall")
    # each baseline figure stands beside its metric
    header = report.table(seed_run).splitlines()[0].split()
    for metric, baseline in (("gold700", "base.700"), ("gold200", "base.200"), ("chars", "base.chars")):
        assert header.index(baseline) == header.index(metric) + 1
    overall = data["summary"]["overall"]
    assert overall["answer_chars_median"] > overall["answer_words"]  # characters, not words
    assert overall["short_answer_coverage"] is not None and "short" in data["items"][0]


def test_without_article_003_rag_eval_fails_naming_the_metrics(tmp_path: Path, capsys, monkeypatch) -> None:
    # Without --gold, rag eval reads eval/gold.jsonl, eval/gold_news.jsonl and eval/thresholds.toml from the
    # working folder: here the tests' own three files, which the seeds meet (above) and lose without 003.
    shutil.copytree(OWN, tmp_path / "eval")
    monkeypatch.chdir(tmp_path)
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    (corpus / JOURNOS).unlink()
    code = main(["eval", "--corpus", str(corpus), "--report", str(tmp_path / "report"), "--json"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "rag: eval below threshold: overall.key_fact_accuracy" in err
    assert "LLM-judged metrics (faithfulness, relevancy) skipped" in err
    printed = json.loads(out)  # --json: stdout is the report alone; progress and verdicts go to stderr
    assert printed["corpus"] == str(corpus) and printed["notes"]
    assert printed["summary"]["overall"]["n"] == len(GOLD) and set(printed["news"]) == set(NEWS_METRICS.values())
    assert any(f.startswith("overall.key_fact_accuracy") for f in printed["failures"])
    assert json.loads((tmp_path / "report" / "report.json").read_text())["failures"] == printed["failures"]
    assert not Path(tmp_path / "default-home").exists()  # RAG_HOME (see conftest) was never touched


def test_a_missing_corpus_or_bad_thresholds_is_one_line(tmp_path: Path, capsys) -> None:
    assert main(["eval", "--corpus", str(tmp_path / "nowhere"), "--report", str(tmp_path / "r")]) == 1
    assert capsys.readouterr().err.strip().endswith("does not exist")
    bad = tmp_path / "thresholds.toml"
    bad.write_text("[min.overall]\nkey_fact = 0.9\n")
    assert main(["eval", "--thresholds", str(bad)]) == 1
    assert "min.overall.key_fact is not a known metric" in capsys.readouterr().err


def test_check_names_each_broken_threshold() -> None:
    summary = {"overall": {"mrr": 0.5, "answer_words": 90.0, "faithfulness": None, "abstention_precision": None}}
    thresholds = {
        "min": {"overall": {"mrr": 0.7, "faithfulness": 0.8, "abstention_precision": 0.9}},
        "max": {"overall": {"answer_words": 60}},
    }
    assert check(summary, thresholds) == [
        "overall.mrr 0.500 < 0.700",
        "overall.abstention_precision not measured (min 0.9)",
        "overall.answer_words 90.000 > 60.000",
    ]
    assert check({"overall": {"mrr": 0.8, "answer_words": 10.0}}, thresholds | {"min": {"overall": {"mrr": 0.7}}}) == []


# -- the LLM judge, against a scripted OpenAI-compatible server on 127.0.0.1 ---------------------------------

UNSUPPORTED = "Cambodia invaded Laos"


class _Verdicts(BaseHTTPRequestHandler):
    """/v1/chat/completions answering NO when the prompt carries the unsupported claim (or always, if told)."""

    requests: list[str]
    always: str | None

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        type(self).requests.append(body)
        prompt = " ".join(m["content"] for m in json.loads(body)["messages"])
        verdict = type(self).always or ("NO" if UNSUPPORTED in prompt else "YES")
        reply = json.dumps(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 0,
                "model": "judge",
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": verdict}, "finish_reason": "stop"}
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args: object) -> None:
        pass


def _serve(always: str | None) -> Iterator[tuple[OpenAILike, type[_Verdicts]]]:
    handler = type("Handler", (_Verdicts,), {"requests": [], "always": always})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    llm = OpenAILike(
        model="judge",
        api_base=f"http://127.0.0.1:{server.server_port}/v1",
        api_key="local",
        is_chat_model=True,
        context_window=4096,
        max_retries=0,
    )
    try:
        yield llm, handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def judge_llm() -> Iterator[tuple[OpenAILike, type[_Verdicts]]]:
    yield from _serve(None)


@pytest.fixture
def rejecting_llm() -> Iterator[tuple[OpenAILike, type[_Verdicts]]]:
    yield from _serve("NO")


def _answer(text: str) -> Answer:
    context = "Thailand has acknowledged carrying out airstrikes inside Cambodian territory using F-16 fighter jets."
    passage = Passage("c1", Source(JOURNOS), context, 0, len(context), (), 1.0)
    return Answer("Which jets did Thailand use?", text, (), (passage,), abstained=False)


def test_the_judge_scores_a_faithful_answer_high_and_an_unsupported_one_low(judge_llm) -> None:
    llm, server = judge_llm
    judge = Judge(llm)
    good = judge.score("Which jets did Thailand use?", _answer("Thailand used F-16 fighter jets. [1]"))
    bad = judge.score("Which jets did Thailand use?", _answer(f"{UNSUPPORTED}. [1]"))
    assert good == {"faithfulness": 1.0, "relevancy": 1.0}
    assert bad == {"faithfulness": 0.0, "relevancy": 0.0}
    assert len(server.requests) >= 4 and "F-16 fighter jets" in server.requests[0]
    refusal = Answer("q", "The indexed articles do not say.", (), (), abstained=True)
    assert judge.score("q", refusal) == {"faithfulness": None, "relevancy": None}


def test_judged_metrics_are_reported_beside_the_others(seed_settings: Settings, judge_llm, rejecting_llm) -> None:
    items = [i for i in GOLD if i.id in ("t-fact", "t-number", "t-none")]
    run = run_gold(items, seed_settings, judge=judge_llm[0])
    assert run.judged and run.summary["overall"]["faithfulness"] == 1.0 and run.summary["overall"]["relevancy"] == 1.0
    assert "faith" in report.table(run)
    rejected = run_gold(items, seed_settings, judge=rejecting_llm[0])
    assert rejected.summary["overall"]["faithfulness"] == 0.0
    assert rejected.summary["unanswerable"]["faithfulness"] is None  # a refusal is not judged
    assert check(rejected.summary, {"min": {"overall": {"faithfulness": 0.5}}}) == [
        "overall.faithfulness 0.000 < 0.500"
    ]


def test_a_judge_that_cannot_be_reached_ends_the_run_with_one_line(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Verdicts)
    port = server.server_port
    server.server_close()  # nothing listens there now
    llm = OpenAILike(
        model="judge", api_base=f"http://127.0.0.1:{port}/v1", api_key="x", is_chat_model=True, max_retries=0
    )
    with pytest.raises(EvaluationError, match="the judge LLM failed"):
        Judge(llm).score("Which jets did Thailand use?", _answer("Thailand used F-16 jets. [1]"))


def test_a_missing_gold_file_is_one_line_naming_the_flag(tmp_path: Path, capsys) -> None:
    assert main(["eval", "--gold", str(tmp_path / "nope.jsonl"), "--report", str(tmp_path / "r")]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--gold FILE" in err and "nope.jsonl" in err


def test_another_gold_set_is_scored_against_the_baseline_on_a_kept_index(
    tmp_path: Path, capsys, news_corpus: Path
) -> None:
    home, report_dir = tmp_path / "home", tmp_path / "report"
    args = ["eval", "--gold", str(NEWS_GOLD), "--corpus", str(news_corpus)]
    args += ["--home", str(home), "--split", "check", "--report", str(report_dir), "--json"]
    assert main(args) == 0  # another set is not gated by the seeds' thresholds
    out, err = capsys.readouterr()
    assert "embedding" in err  # the first run indexes the corpus
    first = json.loads(out)
    overall = first["summary"]["overall"]
    assert first["news"] == {} and any("nothing is gated" in n for n in first["notes"])
    assert all(item["id"] for item in first["items"]) and overall["n"] == len(first["items"])
    assert [item["id"] for item in first["items"]] == [i.id for i in load_gold(NEWS_GOLD) if split(i) == "check"]
    assert 0 < overall["n"] < len(load_gold(NEWS_GOLD))
    for metric in ("contains_gold_700", "baseline_contains_gold_700", "false_abstention_rate", "hit_at_k", "mrr"):
        assert overall[metric] is not None
    assert overall["baseline_key_fact_accuracy"] is not None and overall["abstention_recall"] is not None
    assert (home / "chroma").is_dir()
    assert main(args) == 0  # the second run finds the index there: nothing is embedded again
    _, err = capsys.readouterr()
    assert "embedding" not in err
