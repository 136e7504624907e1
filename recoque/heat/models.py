"""Tables of the heat watch: forecasts, alerts, the REFLEX registry, calls, attempts and tasks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from recoque.core.models import Base


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

