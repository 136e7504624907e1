"""Who may read what: roles, agent accounts (argon2 password hashes), server sessions, and the
access log of every read of a person's record (who, when, purpose) and every refusal."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError

from recoque.core.errors import RecoqueError
from recoque.core.models import AccessLogEntry, AgentSession, User
from recoque.core.store import session_scope

ROLES = ("resident", "agent", "supervisor", "auditor", "operator", "caller", "admin")
PERMISSIONS: dict[str, frozenset[str]] = {
    "resident": frozenset(),
    "agent": frozenset({"read_person", "handle_contest", "run_twin"}),
    "supervisor": frozenset({"read_person", "handle_contest", "validate_batch", "manage_heat_plan", "record_call",
                              "run_twin"}),
    "auditor": frozenset({"read_journal", "read_access_log", "read_audits"}),
    "operator": frozenset({"use_open_data_api"}),
    # heat-wave call-centre operator: the day's calls and the situation of the person called (logged)
    "caller": frozenset({"record_call"}),
    "admin": frozenset({"manage_users"}),
}
SESSION_HOURS = 8
_hasher = PasswordHasher()


class AccessError(RecoqueError):
    """Bad credentials, unknown role, or a refused action."""


def allowed(role: str, permission: str) -> bool:
    return permission in PERMISSIONS.get(role, frozenset())


def create_user(engine: Engine, username: str, password: str, role: str) -> None:
    if role not in ROLES or role == "resident":
        raise AccessError(f"role must be one of {', '.join(r for r in ROLES if r != 'resident')}")
    if len(password) < 12:
        raise AccessError("the password must have at least 12 characters")
    try:
        with session_scope(engine) as session:
            session.add(User(username=username, password_hash=_hasher.hash(password), role=role,
                             created_at=datetime.now(UTC)))
    except IntegrityError:
        raise AccessError(f"user {username!r} already exists") from None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login(engine: Engine, username: str, password: str) -> str:
    """A new session token for valid credentials; the same error for any failure."""
    with session_scope(engine) as session:
        user = session.scalars(select(User).where(User.username == username)).first()
        try:
            if user is None:
                _hasher.verify(_hasher.hash("x" * 12), password)  # same cost whether or not the user exists
                raise VerificationError
            _hasher.verify(user.password_hash, password)
        except VerificationError:
            raise AccessError("unknown user or wrong password") from None
        token = secrets.token_urlsafe(32)
        session.add(AgentSession(token_hash=_token_hash(token), user_id=user.id,
                                 expires_at=datetime.now(UTC) + timedelta(hours=SESSION_HOURS)))
    return token


def logout(engine: Engine, token: str) -> None:
    with session_scope(engine) as session:
        session.execute(delete(AgentSession).where(AgentSession.token_hash == _token_hash(token)))


def session_user(engine: Engine, token: str | None) -> User | None:
    if not token:
        return None
    with session_scope(engine) as session:
        row = session.execute(select(User, AgentSession.expires_at).join(AgentSession, AgentSession.user_id == User.id)
                              .where(AgentSession.token_hash == _token_hash(token))).first()
    if row is None:
        return None
    user, expires = row
    if expires.replace(tzinfo=expires.tzinfo or UTC) < datetime.now(UTC):
        return None
    return user


def log_access(engine: Engine, *, actor: str, role: str, resource: str, allowed: bool,
               subject: str | None = None, purpose: str | None = None) -> None:
    with session_scope(engine) as session:
        session.add(AccessLogEntry(at=datetime.now(UTC), actor=actor, role=role, resource=resource,
                                   subject=subject, purpose=purpose, allowed=allowed))


def access_log(engine: Engine, *, subject: str | None = None, limit: int = 500) -> list[AccessLogEntry]:
    with session_scope(engine) as session:
        query = select(AccessLogEntry).order_by(AccessLogEntry.id.desc()).limit(limit)
        if subject:
            query = query.where(AccessLogEntry.subject == subject)
        return list(session.scalars(query))
