"""`reviewqa config`: every setting with its help, value and source; the README's settings table is
the generated one (no models needed)."""

from __future__ import annotations

import json
import re
from dataclasses import fields

from .helpers import ROOT, run_cli


def test_every_setting_has_help_and_is_listed():
    from assistant.settings import Settings

    rows = Settings.from_env().describe()
    assert [r["name"] for r in rows] == [f.name for f in fields(Settings)]
    assert all(len(r["help"]) >= 10 for r in rows), [r["name"] for r in rows if len(r["help"]) < 10]


def test_config_shows_the_source_and_masks_secrets():
    r = run_cli("config", "--json", env={"REVIEWQA_K": "7", "REVIEWQA_API_KEY": "SECRET-123"})
    assert r.returncode == 0, r.stderr
    rows = {x["name"]: x for x in json.loads(r.stdout)}
    assert rows["k"]["value"] == "7" and rows["k"]["source"] == "environment" and rows["k"]["default"] == "5"
    assert rows["rrf_k"]["source"] == "default"
    assert rows["api_key"]["value"] == "(set)" and "SECRET" not in r.stdout
    plain = run_cli("config", env={"REVIEWQA_API_KEY": "SECRET-123"})
    assert "SECRET" not in plain.stdout and "REVIEWQA_CHROMA_URL" in plain.stdout


def test_a_bad_value_is_named_by_its_variable():
    r = run_cli("config", env={"REVIEWQA_K": "many"})
    assert r.returncode == 2 and "REVIEWQA_K" in r.stderr and "Traceback" not in r.stderr


def test_readme_settings_table_is_the_generated_one():
    from assistant.cli.main import settings_table
    from assistant.settings import Settings

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- settings table[^\n]*-->\n(.*?)\n<!-- end of settings table -->", readme, re.S)
    assert m, "README has no generated settings table"
    assert m.group(1).strip() == settings_table(Settings().describe()).strip()


def test_unset_means_the_default_not_zero(monkeypatch):
    """`None` is "not set" (all cores, the calibrated gate); 0 is a value, and for threads a bad one."""
    import pytest

    from assistant.errors import UserError
    from assistant.settings import Settings

    for var in ("REVIEWQA_THREADS", "REVIEWQA_MIN_SIMILARITY", "REVIEWQA_SUPPORT_THRESHOLD"):
        monkeypatch.delenv(var, raising=False)
    s = Settings.from_env()
    assert s.threads is None and s.min_similarity is None and s.support_threshold is None
    monkeypatch.setenv("REVIEWQA_THREADS", "3")
    monkeypatch.setenv("REVIEWQA_MIN_SIMILARITY", "0.0")
    s = Settings.from_env()
    assert s.threads == 3 and s.min_similarity == 0.0  # an explicit 0 gate is kept, not read as "default"
    monkeypatch.setenv("REVIEWQA_THREADS", "0")
    with pytest.raises(UserError, match="REVIEWQA_THREADS"):
        Settings.from_env()


def test_credentials_in_an_endpoint_url_are_never_shown():
    from assistant.llm.backends import describe_failure, get_backend
    from assistant.settings import Settings
    from assistant.text import mask_userinfo

    assert mask_userinfo("http://user:sk-SECRET@host:8000/v1") == "http://***@host:8000/v1"
    assert mask_userinfo("https://api.example.org/v1") == "https://api.example.org/v1"
    s = Settings.from_env(llm_backend="openai", openai_base_url="http://me:sk-SECRET-42@127.0.0.1:9/v1")
    b = get_backend(s)
    assert "SECRET" not in b.endpoint and b.endpoint.startswith("http://***@127.0.0.1:9")
    err = describe_failure(b, ConnectionError("refused"))
    assert "SECRET" not in err.message("en") + err.message("zh")
    assert all("SECRET" not in r["value"] for r in s.describe())


def test_an_endpoint_request_with_its_retries_fits_the_answer_bound():
    from assistant.llm.backends import get_backend
    from assistant.settings import Settings

    s = Settings.from_env(
        llm_backend="openai",
        openai_base_url="http://127.0.0.1:9/v1",
        openai_timeout=60.0,
        openai_max_retries=2,
        answer_seconds=12.0,
    )
    chat = get_backend(s).chat
    assert chat.request_timeout * (chat.max_retries + 1) <= 12.0
    assert get_backend(Settings.from_env(llm_backend="openai", openai_timeout=5.0)).chat.request_timeout == 5.0


def test_nan_and_infinity_are_refused_by_name():
    for var, value in (("REVIEWQA_ANSWER_SECONDS", "nan"), ("REVIEWQA_OPENAI_TIMEOUT", "inf")):
        r = run_cli("config", env={var: value})
        assert r.returncode == 2 and var in r.stderr and "finite" in r.stderr and "Traceback" not in r.stderr
