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
