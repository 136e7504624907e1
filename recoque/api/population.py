"""/api/v1/population: the current population's metadata and validation report (aggregates only).

Person-level records are never served here; they are read by the services under governance.
"""

from __future__ import annotations

from fastapi import APIRouter

from recoque.api.deps import EngineDep
from recoque.population import service

router = APIRouter(prefix="/api/v1/population", tags=["population"])


@router.get("/summary", summary="The current population: origin, seed, scale, counts, checksums digest")
def population_summary(engine: EngineDep) -> dict:
    return service.summary(engine)


@router.get("/validation", summary="Validation report: synthetic vs published tables, IRIS by IRIS")
def population_validation(engine: EngineDep) -> dict:
    return service.validation_report(engine)
