"""Configuration layers and the SECRET_KEY rules."""
import pytest

from ideaboard import create_app


def test_a_missing_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("IDEABOARD_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("IDEABOARD_SECRET_KEY", raising=False)
    first = create_app()
    second = create_app()
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_overrides_instance_config(tmp_path, monkeypatch):
    monkeypatch.setenv("IDEABOARD_INSTANCE_PATH", str(tmp_path))
    (tmp_path / "config.py").write_text("PAGE_SIZE = 12\nALLOWED_SIGNUP_DOMAINS = ['a.example']\n")
    assert create_app().config["PAGE_SIZE"] == 12
    monkeypatch.setenv("IDEABOARD_PAGE_SIZE", "40")
    monkeypatch.setenv("IDEABOARD_ALLOWED_SIGNUP_DOMAINS", "b.example, c.example")
    app = create_app()
    assert app.config["PAGE_SIZE"] == 40
    assert app.config["ALLOWED_SIGNUP_DOMAINS"] == ["b.example", "c.example"]


@pytest.mark.parametrize("key", [None, "", "dev", "short-key"])
def test_production_refuses_a_weak_secret_key(tmp_path, monkeypatch, key):
    monkeypatch.setenv("IDEABOARD_INSTANCE_PATH", str(tmp_path))
    config = {"ENV_NAME": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    if key is not None:
        config["SECRET_KEY"] = key
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)


def test_database_url_spellings_use_psycopg3(tmp_path, monkeypatch):
    monkeypatch.setenv("IDEABOARD_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.internal/ideaboard")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
