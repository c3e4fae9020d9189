"""Property: ingest is idempotent. Ingesting a corpus twice writes nothing the second time, and the
index holds the same records as after the first (few examples: each one embeds for real)."""

import tempfile
from pathlib import Path

from conftest import SEEDS, index_records
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rag import Settings, ingest
from rag.ingestion.corpus import load_corpus

SENTENCES = sorted(
    {
        s.strip() + "."
        for article in load_corpus(SEEDS).articles
        for s in article.text.replace("\n\n", " ").split(". ")
        if 20 < len(s) < 250
    }
)
# An article: seed sentences, possibly with odd text of any script, hard wraps and blank lines between them.
_piece = st.one_of(
    st.sampled_from(SENTENCES),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80),
)
_article = st.lists(_piece, min_size=1, max_size=6).map(lambda pieces: "\n".join(pieces))
_corpus = st.dictionaries(st.from_regex(r"[a-z]{1,8}\.(txt|md)", fullmatch=True), _article, min_size=1, max_size=4)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=_corpus)
@example(files={"a.txt": ":"})  # found by this test: a corpus without one searchable word crashed bm25s
def test_ingest_is_idempotent(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        corpus = root / "corpus"
        corpus.mkdir()
        for file_name, text in files.items():
            (corpus / file_name).write_text(text, encoding="utf-8")
        options = Settings(home=root / "index", corpus=corpus)
        first = ingest(options)
        if not first.added:  # every file was blank: nothing to compare
            return
        records = index_records(options.home)
        second = ingest(options)
        assert (second.added, second.updated, second.removed, second.chunks_embedded) == ((), (), (), 0)
        assert second.unchanged == tuple(sorted(first.added))
        assert index_records(options.home) == records
