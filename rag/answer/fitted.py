"""What a fitted file depends on: a digest of the code that computes the answerer's features.

``scorer_weights.json`` holds weights fitted on feature values that this code computed; when the code
changes, the same weights read other values and the file is stale without saying so. The tuning script
(``rag.evaluation.tune --write``) stores ``feature_digest()`` in the file, and a test compares the two.

The modules are those that turn a question and its passages into feature values: the scorer itself, the
question's reading, the language layer (entities, what is asked), the terms and idf of the lexical index,
and the date words the question's periods are read with. Retrieval is not among them: its changes move
every figure of ``rag eval``, where they show.
"""

from __future__ import annotations

import hashlib
from importlib.util import find_spec

FEATURE_MODULES = (
    "rag.answer.scorer",  # the features and the model over them
    "rag.answer.question",  # the question's kind, names and periods
    "rag.language",  # what the question asks for and what each sentence names (the kind and entity features)
    "rag.index.lexical",  # terms() and idf(), which the lexical and constraint features count with
    "rag.news.dates",  # the month, weekday and ordinal words question.py reads dates with
    "rag.text",  # is_heading(), the heading feature
)


def feature_digest() -> str:
    """The sha256 of FEATURE_MODULES' source, each module's name and text in turn.

    Read through the import system, so it is the code that runs, from a checkout or an installed wheel.

    >>> len(feature_digest())
    64
    """
    digest = hashlib.sha256()
    for name in FEATURE_MODULES:
        spec = find_spec(name)
        source = spec.loader.get_source(name) if spec and spec.loader else None
        if source is None:
            raise RuntimeError(f"no source for {name}: the feature digest needs the package's .py files")
        digest.update(f"{name}\n{source}\n".encode())
    return digest.hexdigest()
