"""Agents' and auditors' API: login, person records (logged reads), journal, access log, contests."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from recoque.api.deps import (
    EngineDep,
    SettingsDep,
    client_address,
    require,
    session_token,
)
from recoque.api.security import end_session, start_session
from recoque.core.errors import NotBuiltError
from recoque.governance import access, batches, contests
from recoque.governance.journal import latest_entries
from recoque.governance.models import User

router = APIRouter(prefix="/api/v1", tags=["governance"])


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    bearer: bool = Field(default=False, description="return the session token in the body, for a client that "
                         "sends it as `Authorization: Bearer` (otherwise only the HttpOnly cookie carries it)")


class Outcome(BaseModel):
    outcome: str = Field(pattern="^(maintenue|revisee|transmise)$")
    reason: str = Field(min_length=3, max_length=2000)
    new_decision: str = Field(default="", max_length=2000, description="the new decision (required when revised)")


@router.post("/auth/login", summary="Agent login: sets a server session cookie (the token in the body only "
             "when asked with `bearer: true`)")
def login(credentials: Credentials, request: Request, response: Response, engine: EngineDep,
          settings: SettingsDep) -> dict:
    try:
        token = access.login(engine, credentials.username, credentials.password, client=client_address(request))
    except access.LoginThrottled as exc:
        raise HTTPException(status_code=429, detail=str(exc),
                            headers={"Retry-After": str(exc.retry_after_s)}) from None
    except access.AccessError as exc:
        raise HTTPException(status_code=401, detail=str(exc)) from None
    start_session(response, settings, token)
    return {"token": token} if credentials.bearer else {"ok": True}


@router.post("/auth/logout", summary="End the session")
def logout(request: Request, response: Response, engine: EngineDep) -> dict:
    token = session_token(request)
    if token:
        access.logout(engine, token)
    end_session(response)
    return {"ok": True}


@router.get("/people/{person_id}", summary="A person's record (agents); every read is logged with its purpose")
def person(
    person_id: str, request: Request, engine: EngineDep, user: Annotated[User, Depends(require("read_person"))],
    purpose: Annotated[str, Query(min_length=5, max_length=256, description="why the record is read")],
) -> dict:
    from recoque.population.service import current
    from recoque.population.storage import connect

    try:
        con = connect(current(engine).location)
    except NotBuiltError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    rows = con.execute("SELECT * FROM persons WHERE person_id = ?", [person_id]).df()
    access.log_access(engine, actor=user.username, role=user.role, resource=request.url.path,
                      subject=person_id, purpose=purpose, allowed=True)
    if rows.empty:
        raise HTTPException(status_code=404, detail=f"no person {person_id!r}")
    record = rows.iloc[0].to_dict()
    household = con.execute("SELECT * FROM households WHERE household_id = ?", [record["household_id"]]).df()
    return {"person": _jsonable(record), "household": _jsonable(household.iloc[0].to_dict())}


def _jsonable(record: dict) -> dict:
    out = {}
    for key, value in record.items():
        out[key] = value.item() if hasattr(value, "item") else (None if value != value else value)  # NaN -> None
    return out


@router.get("/audit/journal", summary="The latest journal entries (auditors)")
def journal(engine: EngineDep, _user: Annotated[User, Depends(require("read_journal"))],
            limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict]:
    return [{"id": r.id, "algorithm_id": r.algorithm_id, "algorithm_version": r.algorithm_version,
             "subject": r.subject, "output": r.output, "validator": r.validator, "references": r.references,
             "created_at": r.created_at, "entry_hash": r.entry_hash} for r in latest_entries(engine, limit)]


@router.get("/audit/journal/verify", summary="Recompute the journal's hash chain (auditors)")
def journal_verify(engine: EngineDep, settings: SettingsDep,
                   _user: Annotated[User, Depends(require("read_journal"))]) -> dict:
    from recoque.governance import checkpoints

    result = checkpoints.verify_against_published(engine, settings)
    return {"ok": result.ok, "checked": result.checked, "problem": result.problem, "entry_id": result.entry_id,
            "anchored": result.anchored, "anchored_at": result.anchored_at}


@router.get("/audit/access-log", summary="Who read what, when and why (auditors)")
def access_log(engine: EngineDep, _user: Annotated[User, Depends(require("read_access_log"))],
               subject: str | None = None, limit: Annotated[int, Query(ge=1, le=5000)] = 500) -> list[dict]:
    return [{"at": r.at.isoformat(), "actor": r.actor, "role": r.role, "resource": r.resource, "subject": r.subject,
             "purpose": r.purpose, "allowed": r.allowed} for r in access.access_log(engine, subject=subject, limit=limit)]


@router.get("/contests", summary="My open contest cases, earliest deadline first (agents)")
def my_contests(engine: EngineDep, user: Annotated[User, Depends(require("handle_contest"))]) -> list[dict]:
    return [{"id": c.id, "entry_id": c.entry_id, "message": c.message, "opened_at": c.opened_at.isoformat(),
             "due_at": c.due_at.isoformat()} for c in contests.queue(engine, user.username)]


@router.post("/contests/{case_id}/close", summary="Decide a contest; the outcome is journaled")
def close_contest(case_id: int, body: Outcome, engine: EngineDep,
                  user: Annotated[User, Depends(require("handle_contest"))]) -> dict:
    try:
        entry_id = contests.close_case(engine, case_id, agent=user.username, outcome=body.outcome, reason=body.reason,
                                       new_decision=body.new_decision)
    except contests.ContestError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    return {"outcome_entry_id": entry_id}


@router.get("/audit/bias", summary="The latest bias audit of each algorithm (auditors)")
def bias_audits(engine: EngineDep, _user: Annotated[User, Depends(require("read_audits"))]) -> dict:
    from recoque.governance.bias import latest_audits

    return latest_audits(engine)


class Rejection(BaseModel):
    reason: str = Field(min_length=3, max_length=2000)


@router.get("/batches", summary="Batches of outputs waiting for a supervisor")
def pending_batches(engine: EngineDep, _user: Annotated[User, Depends(require("validate_batch"))]) -> list[dict]:
    return [{"id": b.id, "algorithm_id": b.algorithm_id, "created_at": b.created_at.isoformat(),
             "outputs": len(b.items), "items": b.items} for b in batches.pending(engine)]


@router.post("/batches/{batch_id}/validate", summary="Validate a batch: its outputs are journaled and may leave")
def validate_batch(batch_id: int, engine: EngineDep,
                   user: Annotated[User, Depends(require("validate_batch"))]) -> dict:
    try:
        ids = batches.validate(engine, batch_id, supervisor=user.username)
    except batches.BatchError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    return {"journal_entries": ids}


@router.post("/batches/{batch_id}/reject", summary="Reject a batch: nothing is journaled or sent")
def reject_batch(batch_id: int, body: Rejection, engine: EngineDep,
                 user: Annotated[User, Depends(require("validate_batch"))]) -> dict:
    try:
        batches.reject(engine, batch_id, supervisor=user.username, reason=body.reason)
    except batches.BatchError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    return {"rejected": batch_id}
