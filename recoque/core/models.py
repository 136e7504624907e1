"""Tables of the store. Schema changes go through Alembic (recoque/core/migrations)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, Integer, String
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
