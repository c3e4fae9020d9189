"""The answerer that needs no language model: it quotes the sentences that answer, each cited.

Each sentence of the retrieved passages is scored by how close it is to the question in meaning
(its vector against the question's), how much of the question's rarer vocabulary it shares, and whether
it holds what the question asks for (a number for "how many", a name for "who" …), by the model fitted in
``rag.evaluation.tune``. The best sentences (as many as it found best, within the reading window) become
the answer, verbatim, each with its [n]; a sentence that is itself a question is never one of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator
from dataclasses import replace
from datetime import date
from typing import NamedTuple

import numpy as np

from rag.answer.answerer import Evidence
from rag.answer.followup import standalone
from rag.answer.question import Question, analyse, respelt
from rag.answer.scorer import (
    Candidate,
    candidates,
    constraints,
    load_model,
    passage_coverage,
    question_features,
)
from rag.answer.short import Filler, short_answer
from rag.config import Settings
from rag.index.lexical import LexicalIndex, terms
from rag.language import Reader, holds_kind
from rag.news.attribution import asks_for_speaker, cite, said_by_pronoun, speaker_context, speakers_of
from rag.news.dates import is_future, mentions, resolve
from rag.news.duplicates import collapse
from rag.news.figures import (
    Quantity,
    by_figure,
    compared_quantity,
    figures,
    find_conflicts,
    link,
    newest,
    one_figure_per_article,
    read_figures,
    reports_differ,
    same_figure,
    totals,
)
from rag.retrieval.search import Retrieval
from rag.schema import SHORT_SEPARATOR, Answer, Citation, Passage, ShortAnswer, Span, format_date
from rag.text import is_heading, is_question

# Quoted characters: the answer window a reader takes in is 700 (rag/evaluation/metrics.py); the [n] markers
# and "(as of …)" notes come on top. How many sentences is fitted (rag/answer/scorer_weights.json).
MAX_CHARS = 650
# A follower this close in meaning to a sentence already quoted repeats it (experiments/sweep.py re-derives
# it; docs/evaluation.md).
DUPLICATE_SIMILARITY = 0.94


def answer_extractively(
    question: str,
    retrieval: Retrieval,
    *,
    lexical: LexicalIndex,
    sentence_vectors: dict[str, np.ndarray],
    refusal_text: str,
    extra_passages: tuple[Passage, ...] = (),
    reader: Reader,
    top_k: int | None = None,
) -> Answer:
    """Compose a cited answer from ``retrieval``'s passages, or abstain when they do not answer.

    The retrieved passages are a wide candidate pool: they are reranked by their best sentence's score
    and the first ``top_k`` (all, when None) are the answer's passages, which its sentences come from.
    ``extra_passages`` come from a wider search for the figure a question asks about: they are read
    only for figures, so that every article's number for it can be set side by side.

    ``reader`` is the language layer (``rag.language``): a question that asks for a person, place, date,
    number or other entity is answered by the entity first (``Answer.short``), then the one sentence that
    states it.
    """
    asked = read_question(question, lexical)
    k = top_k or len(retrieval.passages)
    if later := _after_the_articles(question, retrieval.passages):
        return Answer(question, refusal_text, (), retrieval.passages[:k], abstained=True, notice=later)
    scored, unanswered = score_sentences(asked, retrieval, lexical, sentence_vectors, reader)
    if asked.speaker:
        scored = _prefer_speaker(scored, asked.speaker)
    shown = rerank(retrieval.passages, scored)[:k]
    if not scored or _out_of_scope(asked, unanswered, lexical):
        return Answer(question, refusal_text, (), shown, abstained=True)
    if LATEST.search(question):
        scored = _prefer_newest(scored)
    kept = {p.chunk_id for p in shown}
    # A headline or section heading names a topic; it states nothing, so it is never quoted as an answer.
    statements = [s for s in scored if s.passage.chunk_id in kept and not is_heading(s.span.text)]
    if not statements:
        return Answer(question, refusal_text, (), shown, abstained=True)
    chosen = _choose(statements)
    if asked.kind in ("number", "measure") and not _measured(asked, chosen, reader):
        # "How many athletes competed?" is not answered by "The Olympics opened on Friday …": a count
        # needs a number, in digits or in words ("how long" a duration). The best sentence close behind
        # that gives one leads instead.
        close = [s for s in statements if s.score >= statements[0].score - load_model().follower_margin]
        numbered = next((s for s in close if _measured(asked, [s], reader)), None)
        if numbered is None:
            return Answer(question, refusal_text, (), shown, abstained=True)
        chosen = [numbered, *chosen][: len(chosen)]
    quoted = {id(s) for s in chosen}
    ranked = [*chosen, *(s for s in statements if id(s) not in quoted)]
    filler = short_answer(asked.asks, ranked, reader, above=load_model().short_above)
    evidence = retrieval.passages + extra_passages  # the whole pool: every article's figure is compared
    quantity = compared_quantity(question, newest(evidence))
    # A figure answers only from a passage about what the question names: another article's number for
    # another deal or disaster is no report of this one.
    relevant = tuple(p for p in evidence if passage_coverage(constraints(asked), p) == 1.0)
    cited_figures = _figure_citations(quantity, scored, relevant)
    figure_citations = [c for c, _ in cited_figures]
    if quantity is not None and figure_citations:
        lead = _cite(1, chosen[0], asked)
        listed = [c for c in figure_citations if c.quote != lead.quote]
        # The best sentence comes first only when it gives no figure of the quantity: one for another period,
        # place or group ("the last deadly earthquake, in 1987, killed 23") set before the totals reads as one
        # of them, and one of the totals is already in the list.
        led = len(listed) == len(figure_citations) and not _gives_figure(quantity, chosen[0])
        citations = collapse([lead, *listed] if led else figure_citations, evidence)
        conflicts = link(find_conflicts(question, relevant), citations)
        values = {c.quote: value for c, value in cited_figures}
        text = _conflict_text(quantity, citations[1:] if led else citations, values)
        if led:
            text = f"{_sentence_text(citations[0], asked, question)} {text}"
    else:
        citations = collapse([_cite(n, s, asked) for n, s in enumerate(chosen, start=1)], evidence)
        conflicts = link(find_conflicts(question, citations), citations)
        text = " ".join(_sentence_text(c, asked, question) for c in citations)
    short = _short(filler, citations)
    # The figures that differ, or the speaker of "who said", already lead the answer: they are its point.
    if short is not None and not (quantity is not None and figure_citations) and not asks_for_speaker(question):
        text = f"{short.text}{SHORT_SEPARATOR}{text}"
    cited = {c.chunk_id for c in citations}
    passages = shown + tuple(p for p in extra_passages if p.chunk_id in cited)
    return Answer(question, text, citations, passages, abstained=False, conflicts=conflicts, short=short)


def _short(filler: Filler | None, citations: tuple[Citation, ...]) -> ShortAnswer | None:
    """The short answer inside the cited quote of its sentence (a quote may hold the sentence before it too,
    for its speaker), or None when that sentence is not the one quoted."""
    if filler is None:
        return None
    sentence = filler.sentence.span.text
    for c in citations:
        if c.chunk_id == filler.sentence.passage.chunk_id and c.quote.endswith(sentence):
            start = len(c.quote) - len(sentence) + filler.mention.start
            return ShortAnswer(filler.mention.text, c.n, start, start + len(filler.mention.text))
    return None


LATEST = re.compile(r"\b(latest|most recent|newest|current|so far|now)\b", re.I)
W_RECENT = 0.10  # "latest"/"most recent" questions: a sentence from the newest article gains this much
# "What did the police say?": a sentence whose speaker is who the question names (``Question.speaker``) gains
# W_SPEAKER (experiments/speaker_weight.py re-derives it).
W_SPEAKER = 0.05
MAX_FIGURES = 5


def _cite(n: int, s: Candidate, asked: Question) -> Citation:
    quote = _with_speaker(s) if asked.kind == "person" else s.span
    return cite(n, s.passage, s.index, quote, s.score)


def _sentence_text(c: Citation, asked: Question, question: str) -> str:
    """One cited sentence of the answer: the quote, its speaker for "who said", its date for a count."""
    lead = f"{c.speaker}: " if c.speaker and asks_for_speaker(question) else ""
    when = ""
    if asked.kind == "number" and c.published:
        when = f" (as of {format_date(c.published, c.published_inferred)})"
    elif asked.kind == "date" and c.published:
        when = _resolved_dates(c)
    return f"{lead}{c.quote}{when} [{c.n}]"


def _resolved_dates(c: Citation) -> str:
    """ "(Monday: 22 Dec 2025, inferred)": the days a quote names, as dates seen from its article's date."""
    try:
        published = date.fromisoformat(c.published or "")
    except ValueError:
        return ""
    shown = []
    for m in mentions(c.quote):
        if m.kind in ("day", "weekday") and (resolved := resolve(m, published, future=is_future(c.quote, m.start))):
            inferred = c.published_inferred or m.kind == "weekday"
            shown.append(f"{c.quote[m.start : m.end]}: {format_date(resolved[0], inferred)}")
    return f" ({'; '.join(dict.fromkeys(shown))})" if shown else ""


def _prefer_newest(scored: list[Candidate]) -> list[Candidate]:
    newest = max((s.passage.published or "" for s in scored), default="")
    return _raised(scored, W_RECENT, lambda s: bool(newest) and s.passage.published == newest)


def _prefer_speaker(scored: list[Candidate], who: str) -> list[Candidate]:
    """The candidates with those said by ``who`` (any of its words in the speaker's name) raised by W_SPEAKER."""
    named = set(terms(who))
    if not named:
        return scored
    # Reading a speaker parses the sentence: only those whose context writes one of the names can be
    # attributed to it, so only those are read, and in one batch.
    maybe = [s for s in scored if named & set(terms(" ".join(speaker_context(s.passage, s.index))))]
    names = speakers_of([(s.passage, s.index) for s in maybe])
    said = {
        (s.passage.chunk_id, s.index) for s, name in zip(maybe, names, strict=True) if name and named & set(terms(name))
    }
    return _raised(scored, W_SPEAKER, lambda s: (s.passage.chunk_id, s.index) in said)


def _raised(scored: list[Candidate], weight: float, holds: Callable[[Candidate], bool]) -> list[Candidate]:
    """``scored`` with the candidates ``holds`` picks raised by ``weight``, best first again."""
    bumped = [replace(s, score=s.score + weight) if holds(s) else s for s in scored]
    return sorted(bumped, key=lambda s: s.score, reverse=True)


def _measured(asked: Question, sentences: list[Candidate], reader: Reader) -> bool:
    """Whether any of ``sentences`` gives the kind of number asked for (a count, an amount, a duration)."""
    return any(holds_kind(asked.asks, p) for p in reader.parse([s.span.text for s in sentences]))


def _gives_figure(quantity: Quantity, s: Candidate) -> bool:
    """Whether the sentence gives a figure of ``quantity``: then the figures, not it, lead the answer."""
    return any(f.counts(quantity) for f in figures(s.span.text, s.passage.published))


class _Report(NamedTuple):
    """A figure of the asked quantity in one sentence of one passage."""

    span: Span
    passage: Passage
    index: int  # of the sentence in its passage
    score: float  # the sentence's answer score (0 for one the answerer did not score)
    value: float


def _figure_citations(
    quantity: Quantity | None, scored: list[Candidate], passages: tuple[Passage, ...]
) -> list[tuple[Citation, float]]:
    """One citation per distinct figure of the asked quantity in ``passages``, newest report first, when
    there are at least two and they come from at least two articles (one article's several figures are not
    reports that differ; each article gives one, its best-supported); an article repeating a figure already
    cited is listed on that citation. Each citation comes with the figure it is cited for."""
    if quantity is None:
        return []
    allowed = {p.chunk_id for p in passages}
    sentences = [(s.span, s.passage, s.index, s.score) for s in scored if s.passage.chunk_id in allowed]
    scored_ids = {s.passage.chunk_id for s in scored}
    sentences += [
        (span, p, i, 0.0) for p in passages if p.chunk_id not in scored_ids for i, span in enumerate(p.sentences)
    ]
    sentences = [s for s in sentences if not is_heading(s[0].text)]
    read_figures(s[0].text for s in sentences)  # parsed in one batch, not one by one below
    reports = [
        _Report(span, passage, index, score, f.value)
        for span, passage, index, score in sentences
        for f in totals(quantity, span.text, passage.published)
    ]
    # Best first (``scored`` is), so of an article's figures given equally often its best sentence's wins.
    reports = one_figure_per_article(reports, lambda r: r.passage.article_id, lambda r: r.value)
    groups = by_figure(reports, lambda r: r.value)
    if not reports_differ(groups, lambda r: r.passage.article_id):
        return []
    per_article = {value: _first_of_each_article(group) for value, group in groups.items()}
    newest_first = sorted(
        per_article.items(), key=lambda item: (max(r.passage.published or "" for r in item[1]), item[0]), reverse=True
    )
    citations = []
    for n, (_, group) in enumerate(newest_first[:MAX_FIGURES], start=1):
        group.sort(key=lambda r: (r.passage.published or "", r.score), reverse=True)
        first, *others = group
        also = tuple(sorted(r.passage.article_id for r in others))
        citations.append((cite(n, first.passage, first.index, first.span, first.score, also), first.value))
    return citations


def _first_of_each_article(reports: list[_Report]) -> list[_Report]:
    """An article that gives a figure twice is one report of it."""
    firsts: dict[str, _Report] = {}
    for report in reports:
        firsts.setdefault(report.passage.article_id, report)
    return list(firsts.values())


def _conflict_text(quantity: Quantity, citations: tuple[Citation, ...], values: dict[str, float]) -> str:
    """ "Reports differ on how many have been killed: at least 80 (as of 22 Dec 2025, inferred; 001…) [1]; …"

    Each quote shows the figure it is cited for (``values``, by quote): "Two voted against and five for it"
    cited for five is "five", not the first figure in it.
    """
    parts = []
    for c in citations:
        given = totals(quantity, c.quote, c.published)
        wanted = values.get(c.quote)
        value = next((f.text for f in given if wanted is not None and same_figure(f.value, wanted)), given[0].text)
        where = c.outlet or c.article_id
        more = f" and {len(c.also_reported_by)} more" if c.also_reported_by else ""
        when = f"as of {format_date(c.published, c.published_inferred)}" if c.published else "date unknown"
        parts.append(f"{value} ({when}; {where}{more}) [{c.n}]")
    return f"Reports differ on {quantity.phrase}: " + "; ".join(parts)


def _out_of_scope(asked: Question, unanswered: float, lexical: LexicalIndex) -> bool:
    """Whether the articles do not answer: the fitted model says the best candidates do not cover the
    question, or the question names a person, place or figure that no article mentions, even misspelt. The
    price of the second: a name the articles spell otherwise ("American" where they say "U.S.") makes a false
    abstention."""
    if unknown_names(asked, lexical):
        return True
    return unanswered > load_model().abstain_above


def read_question(question: str, lexical: LexicalIndex) -> Question:
    """What ``question`` asks for, its words spelt as the articles spell them: each word alone, then its
    names as the articles spell them together."""
    asked = respelt(analyse(question), lexical.spelling)
    together = lexical.spelt_together(asked.names)
    return respelt(asked, lambda w: together.get(w, w))


def unknown_names(asked: Question, lexical: LexicalIndex) -> tuple[str, ...]:
    """The specific names of the (respelt) question (``Question.specific``) that no indexed chunk mentions."""
    return tuple(name for name in asked.specific if not lexical.document_frequency(name))


# "What was the outcome of the talks on December 24?": a question about what came of something.
_HAPPENED = re.compile(
    r"\b(what (was|were) the (outcome|result)s?|outcome|result|what happened|what came of|"
    r"did .+ (agree|decide|end|reach|produce|sign|happen))\b",
    re.I,
)


def _after_the_articles(question: str, passages: tuple[Passage, ...]) -> str | None:
    """Why no article can answer a question about what happened on a day after the newest of them
    (their scheduling of an event is not its outcome), or None when that is not the case."""
    dates = [p.published for p in passages if p.published and len(p.published) == 10]
    if not dates or not _HAPPENED.search(question):
        return None
    newest = max(dates)
    for mention in mentions(question):
        if mention.kind != "day":
            continue
        resolved = resolve(mention, date.fromisoformat(newest))
        if resolved and resolved[0] > newest:
            return (
                f"the question asks about {format_date(resolved[0])}, after the newest indexed article "
                f"({format_date(newest)}): the articles can only say what was planned"
            )
    return None


def score_sentences(
    asked: Question,
    retrieval: Retrieval,
    lexical: LexicalIndex,
    sentence_vectors: dict[str, np.ndarray],
    reader: Reader,
) -> tuple[list[Candidate], float]:
    """Every sentence of every passage, best first, scored by the fitted model (rag/scorer.py), and the
    model's probability that none of them answers."""
    found = candidates(asked, retrieval.passages, retrieval.question_vector, lexical, sentence_vectors, reader)
    if not found:
        return [], 1.0
    model = load_model()
    features = np.stack([c.features for c in found])
    chances = model.probability(features)
    unanswered = model.unanswered(question_features(features, chances, bool(constraints(asked))))
    # A question the articles ask states nothing, so it is never quoted as an answer; it still counts above,
    # where the abstainer weighs every candidate it was fitted on.
    scored = [replace(c, score=float(p)) for c, p in zip(found, chances, strict=True) if not is_question(c.span.text)]
    scored.sort(key=lambda s: s.score, reverse=True)
    return scored, unanswered


def rerank(passages: tuple[Passage, ...], scored: list[Candidate]) -> tuple[Passage, ...]:
    """The passages ordered by their best sentence's score (retrieval order among equals)."""
    best: dict[str, float] = {}
    for s in scored:
        best[s.passage.chunk_id] = max(best.get(s.passage.chunk_id, 0.0), s.score)
    return tuple(sorted(passages, key=lambda p: -best.get(p.chunk_id, 0.0)))


def _choose(scored: list[Candidate]) -> list[Candidate]:
    """The best sentence, then those close behind it that say something new, up to the length budget.

    Followers come in the order of their scores for every kind of question: other articles' figures for
    a count are set side by side by the figure comparison, which reads the whole pool.
    """
    best = scored[0]
    chosen = [best]
    followers = [s for s in scored[1:] if s.score >= best.score - load_model().follower_margin]
    length = len(best.span.text)
    for candidate in followers:
        if len(chosen) == load_model().max_sentences:
            break
        if length + len(candidate.span.text) > MAX_CHARS:
            continue
        if any(_same(candidate, c) for c in chosen):
            continue
        chosen.append(candidate)
        length += len(candidate.span.text)
    return chosen


def _with_speaker(s: Candidate) -> Span:
    """For "who said …": a quote whose speaker is only "he" gets the sentence before it, which names him.

    Adjacent sentences of a passage are separated by whitespace alone, so the joined quote is still
    verbatim.
    """
    if not said_by_pronoun(s.span.text):
        return s.span
    before = s.passage.sentences[s.index - 1] if s.index else s.passage.preceding
    if before is None:
        return s.span
    return Span(f"{before.text} {s.span.text}", before.start, s.span.end)


def _same(a: Candidate, b: Candidate) -> bool:
    return a.span.text == b.span.text or float(a.vector @ b.vector) >= DUPLICATE_SIMILARITY


class ExtractiveAnswerer:
    """The default answerer: the extractive answer itself (quoted sentences; no model needed)."""

    name = "extractive"

    def __init__(self, settings: Settings) -> None:
        del settings  # nothing to configure: the factory signature is shared by every backend

    def rewrite(self, question: str, previous: str) -> tuple[str | None, str | None]:
        return standalone(question, previous), None

    def answer(self, evidence: Evidence) -> Generator[str, None, Answer]:
        # Whole at once, but handed out a sentence at a time so that every caller treats all backends alike.
        yield from re.findall(r".+?\[\d+\]\s*|.+$", evidence.extractive.text)
        return evidence.extractive
