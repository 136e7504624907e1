"""Tables of proactive rights: screenings, campaigns, offers and their events, dossiers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from recoque.core.models import Base


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

