"""Tables of the territory."""

from __future__ import annotations

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from recoque.core.models import Base


class TerritoryUnit(Base):
    """An arrondissement, quartier or IRIS of Paris."""

    __tablename__ = "territory_units"

    level: Mapped[str] = mapped_column(String(16), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    arrondissement: Mapped[str] = mapped_column(String(5), index=True)
    parent_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    area_m2: Mapped[float] = mapped_column(Float)

