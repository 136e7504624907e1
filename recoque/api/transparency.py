"""/api/v1/register: the public algorithm register (no login), Eurocities ATS shape."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from recoque.api.deps import EngineDep, SettingsDep
from recoque.governance import checkpoints, register
from recoque.governance.bias import latest_audits
from recoque.governance.runs import footprint_by_algorithm

router = APIRouter(prefix="/api/v1/register", tags=["transparency"])


@router.get("", summary="Every algorithm the platform runs (Eurocities Algorithmic Transparency Standard shape)")
def register_list(engine: EngineDep) -> list[dict]:
    footprints, audits = footprint_by_algorithm(engine), latest_audits(engine)
    return [register.to_ats(e, footprints.get(e.id), audits.get(e.id)) for e in register.entries().values()]


@router.get("/journal-head", summary="The decision journal's last signed head, with the public key that checks it "
            "(archive it: a rewrite of the chain cannot match it)")
def journal_head(settings: SettingsDep) -> dict:
    head = checkpoints.latest(settings)
    if head is None:
        raise HTTPException(status_code=404, detail="no journal head published yet (recoque journal publish)")
    return head


@router.get("/{algorithm_id}", summary="One algorithm's register entry")
def register_entry(algorithm_id: str, engine: EngineDep) -> dict:
    e = register.entry(algorithm_id)
    return register.to_ats(e, footprint_by_algorithm(engine).get(e.id), latest_audits(engine).get(e.id))
