"""The one settings class, read once (``get_settings``), from ``RECOQUE_*`` variables or ``.env``."""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from recoque.core.errors import SettingsError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEV_SECRET = "recoque-development-secret-do-not-use-in-production"


def secret_bits(secret: str) -> float:
    """A generous estimate of a secret's entropy: its length times log2 of the smaller of the
    alphabet its characters span and the number of distinct characters it uses. A repeated
    character or a short value scores low; ``secrets.token_urlsafe(48)`` scores about 380."""
    distinct = len(set(secret))
    if distinct < 2:
        return 0.0
    alphabet = sum(size for test, size in ((str.islower, 26), (str.isupper, 26), (str.isdigit, 10))
                   if any(test(c) for c in secret)) + (32 if any(not c.isalnum() for c in secret) else 0)
    return len(secret) * math.log2(min(alphabet, distinct))


class Settings(BaseSettings):
    """Every setting of the platform. Environment variables use the ``RECOQUE_`` prefix."""

    model_config = SettingsConfigDict(env_prefix="RECOQUE_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Field(default=PROJECT_ROOT / "data", description="bundled open data")
    var_dir: Path = Field(default=PROJECT_ROOT / "var", description="built artifacts and the SQLite store")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite file var_dir/recoque.db"
    )
    host: str = "127.0.0.1"
    trusted_proxies: str = Field(
        default="", description="comma-separated addresses or networks of the reverse proxies whose "
        "X-Forwarded-For / X-Forwarded-Proto are believed (empty: none; the peer's address is the client's)")
    code_failures_per_hour: int = Field(
        default=600, ge=1, description="wrong explanation codes accepted per hour from all addresses together "
        "(beyond it only addresses without a recent failure may try): bounds a distributed brute force")
    port: int = Field(default=8000, ge=1, le=65535)
    seed: int = 42
    population_scale: float = Field(default=1.0, gt=0, le=1.0)
    secret_key: str = DEV_SECRET
    footprint_meter: Literal["codecarbon", "cpu-time"] = Field(
        default="codecarbon", description="how runs measure their energy (CodeCarbon offline tracker, or CPU time)")
    public_url: str | None = Field(default=None, description="address residents reach (links in messages); "
                                   "default http://host:port")
    read_cache: bool = Field(default=True, description="answer the open reads (territory, layers, register) "
                             "from memory with ETags, per version of the data (off: every read recomputed)")
    simulation_workers: int = Field(default=1, ge=1, le=64, description="processes running the anonymous "
                                    "simulator (OpenFisca), apart from the web server's")
    simulation_queue: int = Field(default=4, ge=0, le=1000, description="simulations that may wait for a worker; "
                                  "beyond, 429 with Retry-After")
    screening_workers: int = Field(default=2, ge=1, le=256, description="processes of a rights screening")
    dask_scheduler: str | None = Field(default=None, description="Dask scheduler address for screenings on a cluster")
    sms_gateway_url: str | None = Field(default=None, description="SMS gateway (HTTP POST); default: file outbox")
    sms_gateway_token: str | None = None
    smtp_host: str | None = Field(default=None, description="SMTP server for e-mails; default: file outbox")
    smtp_port: int = 25
    smtp_sender: str = "recoque@paris.fr"
    journal_key_file: Path | None = Field(
        default=None, description="Ed25519 key signing the journal's published heads; keep it outside the "
        "database's reach (default: var_dir/keys/journal-ed25519.pem, created on first use)")
    journal_heads_file: Path | None = Field(
        default=None, description="append-only file of signed journal heads, on storage the database "
        "administrator cannot write (default: var_dir/published/journal-heads.jsonl)")
    outbox_delay_s: float = Field(default=0.0, ge=0, le=60, description="test hook: seconds the outbox waits "
                                  "between marking a message sending and handing it over (widens the crash window)")
    heat_task_delay_s: float = Field(default=0.0, ge=0, le=60, description="test hook: seconds the end-of-day "
                                     "batch waits between home-visit tasks (widens the crash window)")
    journal_publish_seconds: int = Field(default=600, ge=0, description="how often the server signs and "
                                         "publishes the journal's head (0: only `recoque journal publish`)")

    @model_validator(mode="after")
    def _refuse_unsafe_secret(self) -> "Settings":
        # the secret signs the forms' session tokens: outside development it must be unguessable
        if self.environment != "development" and (
            self.secret_key == DEV_SECRET or secret_bits(self.secret_key) < 128
        ):
            raise ValueError(
                f"RECOQUE_SECRET_KEY must be a random value (≥ 128 bits: this one holds about "
                f"{secret_bits(self.secret_key):.0f}) outside development "
                "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        return self

    @model_validator(mode="after")
    def _check_public_url(self) -> "Settings":
        # the address printed in every SMS and letter: a wrong one sends residents nowhere
        if self.public_url is not None:
            from urllib.parse import urlsplit

            parts = urlsplit(self.public_url)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
                raise ValueError(f"RECOQUE_PUBLIC_URL must be an absolute http(s) address such as "
                                 f"https://recoque.paris.fr, not {self.public_url!r}")
        elif self.environment == "production":
            raise ValueError("RECOQUE_PUBLIC_URL must be set in production: it is the address residents' "
                             "messages link to")
        return self

    def child_environment(self) -> dict[str, str]:
        """These settings as ``RECOQUE_*`` variables, for a process the platform starts (a
        background job) to work on the same data, store and options."""
        env = {}
        for name, value in self.model_dump().items():
            if value is None:
                continue
            env[f"RECOQUE_{name.upper()}"] = ("true" if value else "false") if isinstance(value, bool) else str(value)
        env["RECOQUE_DATABASE_URL"] = self.sqlalchemy_url
        return env

    @property
    def cookies_secure(self) -> bool:
        """Cookies only over https: in production, or wherever the public address is https."""
        return self.environment == "production" or (self.public_url or "").startswith("https://")

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.var_dir / 'recoque.db'}"


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, turning validation errors into a ``SettingsError``."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"RECOQUE_{'_'.join(str(p) for p in err['loc']).upper() or 'SETTINGS'}: {err['msg']}"
            for err in exc.errors()
        )
        raise SettingsError(f"invalid settings: {problems}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return load_settings()
