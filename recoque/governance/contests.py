"""Contests: a resident contests a decision; a human decides within one month; the outcome is a
new journal entry referencing the contested one."""

from __future__ import annotations

from datetime import UTC, datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import Engine, func, select

from recoque.core.errors import RecoqueError
from recoque.core.store import session_scope
from recoque.governance.journal import Decision, append
from recoque.governance.models import ContestCase, JournalEntry, User

#: CRPA: silence for one month is a refusal; the case must be decided before
DEADLINE = relativedelta(months=1)
#: what a human may decide, and how the resident reads it
OUTCOMES = {"maintenue": "décision maintenue", "revisee": "décision révisée",
            "transmise": "dossier transmis au service compétent"}


class ContestError(RecoqueError):
    """The contest cannot be opened or closed as asked."""


def open_case(engine: Engine, entry: JournalEntry, message: str) -> ContestCase:
    """Open a case assigned to the agent or supervisor with the fewest open cases."""
    message = message.strip()
    if not message:
        raise ContestError("say in a few words what you contest")
    if len(message) > 4000:
        raise ContestError("the message is limited to 4,000 characters")
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        already = session.scalars(select(ContestCase).where(ContestCase.entry_id == entry.id,
                                                            ContestCase.status == "open")).first()
        if already is not None:
            raise ContestError(f"cette décision est déjà contestée (dossier n° {already.id}, réponse avant le "
                               f"{already.due_at:%d/%m/%Y}) : une seule contestation ouverte par décision")
        load = dict(session.execute(select(ContestCase.assigned_to, func.count()).where(ContestCase.status == "open")
                                    .group_by(ContestCase.assigned_to)).all())
        humans = session.scalars(select(User.username).where(User.role.in_(("agent", "supervisor")), User.disabled_at.is_(None))
                                 .order_by(User.username)).all()
        if not humans:
            raise ContestError("no agent can take the case yet: an administrator must create an agent account")
        assignee = min(humans, key=lambda name: (load.get(name, 0), name))
        case = ContestCase(entry_id=entry.id, subject=entry.subject, message=message, opened_at=now,
                           due_at=now + DEADLINE, assigned_to=assignee, status="open")
        session.add(case)
    return case


def queue(engine: Engine, username: str) -> list[ContestCase]:
    with session_scope(engine) as session:
        return list(session.scalars(select(ContestCase).where(ContestCase.assigned_to == username,
                                                              ContestCase.status == "open")
                                    .order_by(ContestCase.due_at)))


def open_cases(engine: Engine) -> list[ContestCase]:
    """Every open case, earliest deadline first (supervisors watch the overdue ones)."""
    with session_scope(engine) as session:
        return list(session.scalars(select(ContestCase).where(ContestCase.status == "open")
                                    .order_by(ContestCase.due_at)))


def get_case(engine: Engine, case_id: int) -> ContestCase:
    with session_scope(engine) as session:
        case = session.get(ContestCase, case_id)
        if case is None:
            raise ContestError(f"no case {case_id}")
        return case


def latest_for_entry(engine: Engine, entry_id: int) -> tuple[ContestCase, JournalEntry | None] | None:
    """The latest case on a decision and, once decided, its outcome entry (what the resident reads)."""
    with session_scope(engine) as session:
        case = session.scalars(select(ContestCase).where(ContestCase.entry_id == entry_id)
                               .order_by(ContestCase.id.desc())).first()
        if case is None:
            return None
        outcome = session.get(JournalEntry, case.outcome_entry_id) if case.outcome_entry_id else None
        return case, outcome


def is_overdue(case: ContestCase, now: datetime | None = None) -> bool:
    due = case.due_at.replace(tzinfo=case.due_at.tzinfo or UTC)
    return case.status == "open" and due < (now or datetime.now(UTC))


def close_case(engine: Engine, case_id: int, *, agent: str, outcome: str, reason: str,
               new_decision: str = "") -> int:
    """Decide a case: journal the outcome (referencing the contested entry), close the case. A
    revised decision says what the new one is; a case sent on says where (in ``reason``)."""
    if outcome not in OUTCOMES:
        raise ContestError("outcome must be 'maintenue' (decision kept), 'revisee' (decision revised) "
                           "or 'transmise' (sent to the competent service)")
    reason, new_decision = reason.strip(), new_decision.strip()
    if len(reason) < 3:
        raise ContestError("give the reason of the outcome, in a sentence the resident will read")
    if outcome == "revisee" and not new_decision:
        raise ContestError("a revised decision says what the new decision is")
    with session_scope(engine) as session:
        case = session.get(ContestCase, case_id)
        if case is None or case.status != "open":
            raise ContestError(f"no open case {case_id}")
        if case.assigned_to != agent:
            raise ContestError(f"case {case_id} is assigned to another agent")
        contested = session.get(JournalEntry, case.entry_id)
        algorithm_id, version, subject = contested.algorithm_id, contested.algorithm_version, contested.subject
    [entry_id] = append(engine, [Decision(
        algorithm_id=algorithm_id, algorithm_version=version, subject=subject,
        inputs={"contest_case": case_id, "message": case.message},
        output={"contest_outcome": outcome, "reason": reason,
                **({"new_decision": new_decision} if outcome == "revisee" else {})},
        explanation={"operations": [f"Réexamen humain de la décision n° {case.entry_id} à la suite d'une contestation"]},
        validator=agent, references=case.entry_id)])
    with session_scope(engine) as session:
        case = session.get(ContestCase, case_id)
        case.status, case.outcome_entry_id = "closed", entry_id
    return entry_id
