import pytest

from recoque.core.errors import SettingsError
from recoque.core.settings import DEV_SECRET, load_settings


def test_defaults_are_development_on_sqlite_under_var():
    s = load_settings()
    assert s.environment == "development"
    assert s.sqlalchemy_url.startswith("sqlite:///") and s.sqlalchemy_url.endswith("var/recoque.db")
    assert (s.host, s.port) == ("127.0.0.1", 8000)


def test_environment_variables_use_the_prefix(monkeypatch):
    monkeypatch.setenv("RECOQUE_PORT", "8123")
    monkeypatch.setenv("RECOQUE_DATABASE_URL", "postgresql+psycopg://u@h/db")
    s = load_settings()
    assert s.port == 8123
    assert s.sqlalchemy_url == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize("environment", ["production", "test"])
@pytest.mark.parametrize("secret", [DEV_SECRET, "short", "a" * 32, "x" * 64, "abababababababababababababababab"])
def test_outside_development_an_unsafe_secret_is_refused(secret, environment):
    with pytest.raises(SettingsError, match="RECOQUE_SECRET_KEY"):
        load_settings(environment=environment, secret_key=secret)


def test_production_accepts_a_random_secret_and_uses_it():
    import secrets

    from recoque.api.security import csrf_token

    key = secrets.token_urlsafe(48)
    s = load_settings(environment="production", secret_key=key, public_url="https://recoque.paris.fr")
    assert s.environment == "production" and s.cookies_secure
    other = load_settings(environment="production", secret_key=secrets.token_urlsafe(48),
                          public_url="https://recoque.paris.fr")
    # the forms' session tokens depend on the secret: another server cannot forge them
    assert csrf_token(s, "session") != csrf_token(other, "session") and len(csrf_token(s, "session")) == 64


@pytest.mark.parametrize("field,value", [("port", 0), ("environment", "staging"), ("population_scale", 0)])
def test_bad_values_are_refused_with_the_variable_name(field, value):
    with pytest.raises(SettingsError, match=f"RECOQUE_{field.upper()}"):
        load_settings(**{field: value})


@pytest.mark.parametrize("url", ["recoque.paris.fr", "ftp://x", "https://", "https://x/?a=1"])
def test_a_public_address_that_is_not_one_is_refused(url):
    with pytest.raises(SettingsError, match="RECOQUE_PUBLIC_URL"):
        load_settings(public_url=url)


def test_production_needs_its_public_address():
    import secrets

    with pytest.raises(SettingsError, match="RECOQUE_PUBLIC_URL must be set in production"):
        load_settings(environment="production", secret_key=secrets.token_urlsafe(48))
    s = load_settings(environment="production", secret_key=secrets.token_urlsafe(48),
                      public_url="https://recoque.paris.fr/")
    assert s.base_url == "https://recoque.paris.fr"


def test_every_setting_is_documented_in_the_readme():
    from recoque.core.settings import PROJECT_ROOT, Settings

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Configuration"):readme.index("## Bad input")]
    missing = [name for name in Settings.model_fields if f"`RECOQUE_{name.upper()}`" not in table]
    assert missing == [], f"settings without a row in the README's configuration table: {missing}"
