"""Proactive rights API: the anonymous simulator (open), screenings, findings and campaigns
(agents; every read of findings is logged), the resident's answer (personal code)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from recoque.api.deps import EngineDep, SettingsDep, code_entry, require
from recoque.core.errors import NotBuiltError, UnknownNameError
from recoque.governance import access
from recoque.governance.explanations import RateLimited
from recoque.governance.models import User
from recoque.rights import campaigns, service
from recoque.rights.simulation_pool import Busy
from recoque.rights.simulator import Situation

router = APIRouter(prefix="/api/v1/rights", tags=["rights"])


@router.post("/simulate", summary="« À quelles aides ai-je droit ? » — anonymous, nothing is stored "
             "(429 with Retry-After when the simulator's queue is full)")
async def simulator(situation: Situation, request: Request) -> dict:
    try:
        return await request.app.state.simulations.run(situation.model_dump(mode="json"))
    except Busy as exc:
        raise HTTPException(status_code=429, detail=str(exc), headers={"Retry-After": str(exc.retry_after_s)}) from None


@router.get("/benefits", summary="The benefits screened, with the non-take-up rates of the synthetic records")
def catalogue() -> dict:
    from recoque.rights.catalogue import benefits

    return {"benefits": [b.model_dump() for b in benefits().values()], "non_take_up": service.non_take_up_table()}


def _run_dict(run) -> dict:
    return {"id": run.id, "kind": run.kind, "month": run.month, "status": run.status, "progress": run.progress,
            "step": run.step, "started_at": run.started_at.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None, "report": run.report}


@router.get("/runs", summary="Screening runs, newest first (with progress of a running one)")
def list_runs(engine: EngineDep, user: Annotated[User, Depends(require("read_person"))]) -> list[dict]:
    return [_run_dict(r) for r in service.runs(engine)]


@router.get("/runs/{run_id}", summary="One screening run and its report")
def one_run(run_id: int, engine: EngineDep, user: Annotated[User, Depends(require("read_person"))]) -> dict:
    try:
        return _run_dict(service.get_run(engine, run_id))
    except NotBuiltError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None


@router.get("/findings", summary="Unclaimed rights of the latest screening (personal data: the read is logged)")
def findings(request: Request, engine: EngineDep, user: Annotated[User, Depends(require("read_person"))],
             purpose: Annotated[str, Query(min_length=3, max_length=200, description="why you read these records")],
             benefit: str | None = None, arrondissement: str | None = None,
             min_amount: Annotated[float, Query(ge=0)] = 0.0, limit: Annotated[int, Query(ge=1, le=5000)] = 100) -> dict:
    run = service.latest_run(engine)
    if run is None:
        raise HTTPException(status_code=409, detail="no screening yet: run `recoque rights screen`")
    try:
        frame = service.findings(engine, run, benefit=benefit, arrondissement=arrondissement, min_amount=min_amount,
                                 limit=limit)
    except UnknownNameError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    access.log_access(engine, actor=user.username, role=user.role, resource=str(request.url.path), allowed=True,
                      purpose=purpose)
    columns = ["household_id", "unit_id", "benefit", "amount_month", "arrondissement", "iris", "household_type",
               "size", "fragility", "age_reference", "disability"]
    return {"run": run.id, "rows": frame[columns].astype(object).where(frame[columns].notna(), None).to_dict("records")}


class CampaignRequest(BaseModel):
    benefit: str
    arrondissements: list[str] = Field(default_factory=list, max_length=20)
    min_amount: float = Field(default=0, ge=0)
    limit: int | None = Field(default=None, ge=1)


@router.post("/campaigns", summary="Draft a campaign (held for a supervisor)")
def create(body: CampaignRequest, settings: SettingsDep, engine: EngineDep,
           user: Annotated[User, Depends(require("read_person"))]) -> dict:
    try:
        c = campaigns.create_campaign(engine, benefit=body.benefit, arrondissements=body.arrondissements,
                                      min_amount=body.min_amount, created_by=user.username, limit=body.limit)
    except (campaigns.CampaignError, UnknownNameError) as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    return {"id": c.id, "batch_id": c.batch_id, "status": c.status,
            "offers": len(campaigns.campaign_offers(engine, c.id)), "preview": campaigns.preview(settings, engine, c.id)}


@router.post("/campaigns/{campaign_id}/validate", summary="Validate a campaign: journal, codes, messages queued")
def validate(campaign_id: int, settings: SettingsDep, engine: EngineDep,
             user: Annotated[User, Depends(require("validate_batch"))]) -> dict:
    try:
        return {"queued": campaigns.validate_campaign(settings, engine, campaign_id, supervisor=user.username)}
    except campaigns.CampaignError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None


@router.get("/dashboard", summary="Offers, answers, uptake, euros per month unlocked")
def dashboard(engine: EngineDep, user: Annotated[User, Depends(require("read_person"))]) -> dict:
    return campaigns.dashboard(engine)


class Answer(BaseModel):
    code: str = Field(min_length=4, max_length=32)
    choice: Literal["confirm", "decline", "already", "call"]


@router.post("/answer", summary="A resident answers an offer with their personal code (idempotent)")
def answer(body: Answer, request: Request, engine: EngineDep) -> dict:
    try:
        entry = code_entry(request, body.code)
    except RateLimited:
        raise HTTPException(status_code=429, detail="too many wrong codes: try again in 15 minutes") from None
    offer = campaigns.offer_for_entry(engine, entry.id) if entry else None
    if offer is None:
        raise HTTPException(status_code=404, detail="this code matches no offer, or it expired")
    offer, dossier, new = campaigns.answer(engine, offer.id, body.choice)
    return {"offer": offer.id, "status": offer.status, "answer": offer.answer, "recorded_now": new,
            "dossier": dossier.fields if dossier else None}
