"""The individual explanation French law requires, from any journal entry.

CRPA art. R311-3-1-2: on request, in intelligible form, (1) the degree and mode of the
algorithm's contribution to the decision, (2) the data processed and their sources, (3) the
processing parameters and their weighting applied to the person's situation, (4) the operations
carried out. Art. L311-3-1: a decision taken on the basis of an algorithm says so explicitly.
Residents reach their explanation with the access code printed on the message.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select

from recoque.core.store import session_scope
from recoque.governance.models import AccessCode, CodeAttempt, JournalEntry
from recoque.governance.register import entry as register_entry

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
CODE_VALID_DAYS = 365
MAX_FAILURES = 5                     # distinct wrong codes per address per window
FAILURE_WINDOW = timedelta(minutes=15)
GLOBAL_WINDOW = timedelta(hours=1)


def l311_3_1_mention(algorithm_id: str) -> str:
    """The explicit mention an outgoing message carries (CRPA L311-3-1, R311-3-1-1)."""
    e = register_entry(algorithm_id)
    return (f"Ce message s'appuie sur un traitement algorithmique (« {e.name_fr} », {e.purpose.rstrip('.')}). "
            "Vous pouvez demander la communication des règles de ce traitement et de la façon dont il s'applique "
            "à votre situation (articles L311-3-1 et R311-3-1-1 du code des relations entre le public et "
            "l'administration) : rendez-vous sur /explication avec votre code personnel.")


def explain(entry: JournalEntry) -> dict:
    """The four points of R311-3-1-2 applied to ``entry``, in plain French."""
    e = register_entry(entry.algorithm_id)
    payload = entry.explanation or {}
    validator = entry.validator
    contribution = (f"{e.automation.level.capitalize()}. {e.automation.human_decision}"
                    + (f" Cette décision a été validée par un agent ({validator})." if validator else ""))
    data = [{"donnee": name, "valeur": value} for name, value in (entry.inputs or {}).items()]
    sources = [f"{d.name} ({d.source})" for d in e.data]
    parameters = payload.get("parameters", [])
    operations = payload.get("operations") or e.operations
    return {
        "algorithm": {"id": e.id, "name": e.name_fr, "version": entry.algorithm_version},
        "decision": entry.output,
        "date": entry.created_at,
        "points": [
            {"title": "1. Le rôle de l'algorithme dans la décision", "text": contribution},
            {"title": "2. Les données utilisées et leurs sources", "data": data, "sources": sources},
            {"title": "3. Les paramètres appliqués à votre situation et leur poids", "parameters": parameters},
            {"title": "4. Les opérations effectuées", "operations": operations},
        ],
        "mention": l311_3_1_mention(entry.algorithm_id),
        "entry_id": entry.id,
    }


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").replace(" ", "").upper().encode()).hexdigest()


def issue_code(engine: Engine, entry_id: int) -> str:
    """A new personal code (``ABCD-EFGH-JK``) opening the explanation of journal entry ``entry_id``."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    with session_scope(engine) as session:
        entry = session.get(JournalEntry, entry_id)
        if entry is None:
            raise LookupError(f"no journal entry {entry_id}")
        session.add(AccessCode(code_hash=_code_hash(raw), entry_id=entry_id, subject=entry.subject,
                               expires_at=datetime.now(UTC) + timedelta(days=CODE_VALID_DAYS)))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


class RateLimited(Exception):
    """Too many wrong codes from this client: try later."""


def entry_for_code(engine: Engine, code: str, *, client: str, global_per_hour: int = 600) -> JournalEntry | None:
    """The journal entry a code opens, or None (wrong, unknown and expired codes look alike).

    Guessing is bounded twice. Per address: ``MAX_FAILURES`` *distinct* wrong codes per
    ``FAILURE_WINDOW`` (retyping one typo counts once). For everyone together:
    ``global_per_hour`` wrong codes per hour; past it, an address that already failed in the
    window is refused, while one with no recent failure still gets its try, so a resident who
    types their code right is never locked out by someone else's guessing. With the default
    600 an hour, a year of guessing from a few addresses is about 5×10⁶ tries against 8.2×10¹⁴
    codes (31¹⁰): with a million codes issued, under 1 chance in 100 of opening one; past the
    cap, each further guess needs an address that has not failed for a quarter of an hour.
    """
    now = datetime.now(UTC)
    tried = _code_hash(code)
    with session_scope(engine) as session:
        mine = set(session.scalars(select(CodeAttempt.code_hash).where(
            CodeAttempt.client == client, CodeAttempt.at >= now - FAILURE_WINDOW)))
        if len(mine) >= MAX_FAILURES and tried not in mine:
            raise RateLimited
        if mine:
            everyone = session.scalar(select(func.count()).select_from(CodeAttempt).where(
                CodeAttempt.at >= now - GLOBAL_WINDOW))
            if everyone >= global_per_hour:
                raise RateLimited
        row = session.get(AccessCode, tried)
        expires = row.expires_at.replace(tzinfo=row.expires_at.tzinfo or UTC) if row else None
        if row is None or expires < now:
            if tried not in mine:
                session.add(CodeAttempt(client=client, at=now, code_hash=tried))
            return None
        return session.get(JournalEntry, row.entry_id)


def explanation_pdf(explanation: dict) -> bytes:
    """The explanation as a PDF letter (ReportLab)."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    story = [Paragraph("Ville de Paris — explication d'une décision", styles["Title"]),
             Paragraph(f"{explanation['algorithm']['name']} (version {explanation['algorithm']['version']}), "
                       f"le {explanation['date'][:10]}", styles["Normal"]), Spacer(1, 12)]
    for point in explanation["points"]:
        story.append(Paragraph(point["title"], styles["Heading2"]))
        if "text" in point:
            story.append(Paragraph(point["text"], styles["Normal"]))
        for d in point.get("data", []):
            story.append(Paragraph(f"• {d['donnee']} : {d['valeur']}", styles["Normal"]))
        for s in point.get("sources", []):
            story.append(Paragraph(f"Source : {s}", styles["Normal"]))
        for p in point.get("parameters", []):
            weight = f" ({p['weight']})" if p.get("weight") else ""
            reference = f"<br/><font size=8>Texte : {escape(p['reference'])}</font>" if p.get("reference") else ""
            story.append(Paragraph(f"• <b>{escape(str(p.get('name')))}</b> : {escape(str(p.get('value')))}{escape(weight)}"
                                   f"{reference}", styles["Normal"]))
        for o in point.get("operations", []):
            story.append(Paragraph(f"• {o}", styles["Normal"]))
    story += [Spacer(1, 12), Paragraph(explanation["mention"], styles["Italic"])]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title="Explication d'une décision").build(story)
    return buffer.getvalue()
