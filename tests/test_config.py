from pathlib import Path

import pytest

from rag import ConfigError, Settings


def test_reads_rag_variables() -> None:
    settings = Settings.from_env(
        {"RAG_HOME": "/tmp/x", "RAG_CORPUS": "docs", "RAG_TOP_K": "3", "RAG_EMBED_MODEL": "m", "RAG_OFFLINE": "0"}
    )
    assert settings.home == Path("/tmp/x")
    assert settings.corpus == Path("docs")
    assert settings.top_k == 3
    assert settings.embed_model == "m"
    assert settings.offline is False


def test_explicit_overrides_win_over_the_environment() -> None:
    assert Settings.from_env({"RAG_TOP_K": "3"}, top_k=9).top_k == 9


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"RAG_TOP_K": "many"}, "RAG_TOP_K must be a whole number, got 'many'"),
        ({"RAG_TOP_K": "0"}, "top_k must be between 1 and 50, got 0"),
        ({"RAG_LLM": "gpt"}, "RAG_LLM must be one of"),
        ({"RAG_OFFLINE": "maybe"}, "RAG_OFFLINE must be 1/0 or true/false"),
        ({"RAG_CHUNK_TOKENS": "100", "RAG_CHUNK_OVERLAP": "60"}, "chunk_overlap must be between 0 and half"),
    ],
)
def test_bad_values_are_refused_with_the_variable_and_value(variables: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        Settings.from_env(variables)


def test_ui_settings_come_from_rag_ui_variables() -> None:
    settings = Settings.from_env({"RAG_UI_HOST": "0.0.0.0", "RAG_UI_PORT": "8080", "RAG_UI_AUTH": "me:pw:x"})
    assert (settings.ui_host, settings.ui_port, settings.ui_auth) == ("0.0.0.0", 8080, "me:pw:x")
    assert "pw" not in repr(settings)
    assert (Settings().ui_host, Settings().ui_port, Settings().ui_auth) == ("127.0.0.1", 7860, None)


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"RAG_UI_PORT": "0"}, "RAG_UI_PORT must be between 1 and 65535, got 0"),
        ({"RAG_UI_PORT": "http"}, "RAG_UI_PORT must be a whole number"),
        ({"RAG_UI_AUTH": "nopassword"}, "RAG_UI_AUTH must look like user:password"),
        ({"RAG_UI_AUTH": ":pw"}, "RAG_UI_AUTH must look like user:password"),
    ],
)
def test_bad_ui_settings_are_refused(variables: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(variables)
