"""Tables of the store. Schema changes go through Alembic (recoque/core/migrations)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Build(Base):
    """One successful build of an artifact (territory, grid...), with the digest of its inputs."""

    __tablename__ = "builds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    artifact: Mapped[str] = mapped_column(String(64), index=True)
    input_digest: Mapped[str] = mapped_column(String(64))
    code_version: Mapped[str] = mapped_column(String(32))
    location: Mapped[str] = mapped_column(String(512))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    details: Mapped[dict] = mapped_column(JSON, default=dict)


class TerritoryUnit(Base):
    """An arrondissement, quartier or IRIS of Paris."""

    __tablename__ = "territory_units"

    level: Mapped[str] = mapped_column(String(16), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    arrondissement: Mapped[str] = mapped_column(String(5), index=True)
    parent_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    area_m2: Mapped[float] = mapped_column(Float)


class LayerValue(Base):
    """The value of one layer for one territorial unit (NULL where unknown)."""

    __tablename__ = "layer_values"

    layer: Mapped[str] = mapped_column(String(64), primary_key=True)
    level: Mapped[str] = mapped_column(String(16), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)


class JournalEntry(Base):
    """One entry of the decision journal. Append-only: no code path updates or deletes it, and
    database triggers refuse both (migration 0002)."""

    __tablename__ = "journal_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    algorithm_id: Mapped[str] = mapped_column(String(64), index=True)
    algorithm_version: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    inputs_digest: Mapped[str] = mapped_column(String(64))
    inputs: Mapped[dict] = mapped_column(JSON)
    output: Mapped[dict] = mapped_column(JSON)
    explanation: Mapped[dict] = mapped_column(JSON)
    validator: Mapped[str | None] = mapped_column(String(128), nullable=True)
    footprint: Mapped[dict] = mapped_column(JSON)
    references: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[str] = mapped_column(String(40))
    previous_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)


class JournalHead(Base):
    """The chain's head (last hash, entry count): serialises writers and exposes truncation."""

    __tablename__ = "journal_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_hash: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(Integer)


class AlgorithmRun(Base):
    """One run of a registered algorithm with its measured footprint."""

    __tablename__ = "algorithm_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    algorithm_id: Mapped[str] = mapped_column(String(64), index=True)
    algorithm_version: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    seconds: Mapped[float] = mapped_column(Float)
    energy_kwh: Mapped[float] = mapped_column(Float)
    co2_g: Mapped[float] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(64))
    items: Mapped[int] = mapped_column(Integer)


class User(Base):
    """An agent account (residents never log in: they use the access code of a message)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # set when an administrator disables the account: no login, no session, no case assigned
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AgentSession(Base):
    """A server-side session; only the token's SHA-256 is stored."""

    __tablename__ = "agent_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AccessLogEntry(Base):
    """Who read (or was refused) what about whom, when and why."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    resource: Mapped[str] = mapped_column(String(256))
    subject: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    purpose: Mapped[str | None] = mapped_column(String(256), nullable=True)
    allowed: Mapped[bool] = mapped_column(Boolean)


class AccessCode(Base):
    """The code printed on a message, opening the explanation of one journal entry."""

    __tablename__ = "access_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    entry_id: Mapped[int] = mapped_column(Integer, index=True)
    subject: Mapped[str | None] = mapped_column(String(64), nullable=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CodeAttempt(Base):
    """A failed access-code attempt, for rate limiting."""

    __tablename__ = "code_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    code_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)  # retrying one typo counts once


class LoginFailure(Base):
    """A failed agent login, for throttling per account and per address (also in the access log)."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class DataRevision(Base):
    """A counter bumped with each change of some data (``layers``), so caches know when to drop."""

    __tablename__ = "data_revisions"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)


class Lease(Base):
    """A named lease one process holds until ``expires_at`` (e.g. the outbox's single deliverer)."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ContestCase(Base):
    """A resident's contest of a decision, handled by a human within one month."""

    __tablename__ = "contest_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(Integer, index=True)
    subject: Mapped[str | None] = mapped_column(String(64), nullable=True)
    message: Mapped[str] = mapped_column(String(4000))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    assigned_to: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16))
    outcome_entry_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class BiasAudit(Base):
    """One bias audit of a scoring algorithm's outputs (fairlearn MetricFrame by group)."""

    __tablename__ = "bias_audits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    algorithm_id: Mapped[str] = mapped_column(String(64), index=True)
    algorithm_version: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    flagged: Mapped[bool] = mapped_column(Boolean)
    result: Mapped[dict] = mapped_column(JSON)


class OutputBatch(Base):
    """Outputs about people waiting for a supervisor: nothing leaves the system before validation."""

    __tablename__ = "output_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    algorithm_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), index=True)
    items: Mapped[list] = mapped_column(JSON)
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    first_entry_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ScreeningRun(Base):
    """One screening of the population for unclaimed rights (full or incremental)."""

    __tablename__ = "screening_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))            # full | incremental
    month: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(16), index=True)   # running | done | failed
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    step: Mapped[str] = mapped_column(String(256), default="")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    location: Mapped[str] = mapped_column(String(512), default="")
    report: Mapped[dict] = mapped_column(JSON, default=dict)


class Campaign(Base):
    """A proactive offer campaign: one benefit, an area, a minimum amount; validated by a supervisor."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    benefit: Mapped[str] = mapped_column(String(64))
    arrondissements: Mapped[list] = mapped_column(JSON, default=list)
    min_amount: Mapped[float] = mapped_column(Float, default=0.0)
    screening_run_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)   # draft | validated | rejected
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    batch_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Offer(Base):
    """One offer to one household (the famille or person entitled), followed to the end."""

    __tablename__ = "offers"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id", name="uq_offer_campaign_unit"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    campaign_id: Mapped[int] = mapped_column(Integer, index=True)
    household_id: Mapped[str] = mapped_column(String(32), index=True)
    unit_id: Mapped[str] = mapped_column(String(32))
    benefit: Mapped[str] = mapped_column(String(64))
    amount_month: Mapped[float] = mapped_column(Float)
    channel: Mapped[str] = mapped_column(String(8))             # sms | letter
    recipient: Mapped[str] = mapped_column(String(128))
    entry_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(24), index=True)
    answer: Mapped[str | None] = mapped_column(String(24), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    assigned_to: Mapped[str | None] = mapped_column(String(64), nullable=True)


class OfferEvent(Base):
    """A step in an offer's life (sent, opened, confirmed, reminded, handed, granted...)."""

    __tablename__ = "offer_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    offer_id: Mapped[int] = mapped_column(Integer, index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(512), default="")


class Dossier(Base):
    """The claim pre-filled from the records when a resident confirms (one per offer)."""

    __tablename__ = "dossiers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    offer_id: Mapped[int] = mapped_column(Integer, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(24))            # to_check | checked | submitted | granted


class OutboxMessage(Base):
    """A message waiting to leave, or gone. ``key`` makes delivery exactly-once across restarts."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(String(128))
    subject: Mapped[str] = mapped_column(String(256), default="")
    body: Mapped[str] = mapped_column(String(8000))
    offer_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)   # pending | sending | sent | uncertain
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class HeatForecast(Base):
    """A loaded temperature forecast with its computed IBM and vigilance levels (one is current)."""

    __tablename__ = "heat_forecasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    departement: Mapped[str] = mapped_column(String(3))
    source: Mapped[str] = mapped_column(String(256))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    loaded_by: Mapped[str] = mapped_column(String(64))
    days: Mapped[list] = mapped_column(JSON, default=list)
    repairs: Mapped[list] = mapped_column(JSON, default=list)
    current: Mapped[bool] = mapped_column(Boolean, default=True, index=True)


class HazardAlert(Base):
    """One day of vigilance for one hazard (heat computed; cold, storm, flood published)."""

    __tablename__ = "hazard_alerts"
    __table_args__ = (UniqueConstraint("hazard", "departement", "day", "source", name="uq_hazard_alert_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hazard: Mapped[str] = mapped_column(String(16))
    departement: Mapped[str] = mapped_column(String(3))
    day: Mapped[str] = mapped_column(String(10), index=True)
    level: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(256), default="")
    forecast_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class HeatRegistration(Base):
    """A person registered for heat-wave calls (REFLEX), by themselves, a third party or on a call."""

    __tablename__ = "heat_registrations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(String(32), unique=True)
    source: Mapped[str] = mapped_column(String(16))           # reflex | call_consent | synthetic
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    registered_by: Mapped[str] = mapped_column(String(64), default="")


class HeatCall(Base):
    """One person on one day's call plan."""

    __tablename__ = "heat_calls"
    __table_args__ = (UniqueConstraint("day", "person_id", name="uq_heat_call_day_person"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[str] = mapped_column(String(10), index=True)
    episode: Mapped[str] = mapped_column(String(10), index=True)
    person_id: Mapped[str] = mapped_column(String(32), index=True)
    arrondissement: Mapped[str] = mapped_column(String(5), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))             # registered | unregistered
    reason: Mapped[str] = mapped_column(String(128))
    score: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), index=True)   # pending | in_progress | done
    tries: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    locked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    locked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    places: Mapped[dict] = mapped_column(JSON, default=dict)
    entry_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class HeatAttempt(Base):
    """One call attempt and its outcome (the protocol reads them)."""

    __tablename__ = "heat_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[int] = mapped_column(Integer, index=True)
    person_id: Mapped[str] = mapped_column(String(32), index=True)
    episode: Mapped[str] = mapped_column(String(10), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(16))
    operator: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(1000), default="")


class HeatTask(Base):
    """A task for a team (home visit, medical cell, help); ``key`` makes its creation exactly-once."""

    __tablename__ = "heat_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(96), unique=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)     # home_visit | medical | help
    person_id: Mapped[str] = mapped_column(String(32), index=True)
    arrondissement: Mapped[str] = mapped_column(String(5), index=True)
    episode: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(256))
    status: Mapped[str] = mapped_column(String(16), index=True)   # open | done
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
