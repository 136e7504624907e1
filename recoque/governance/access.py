"""Who may read what: roles, agent accounts (argon2 password hashes, guessable passwords refused
with zxcvbn), server sessions, login throttling, and the access log of every read of a person's
record (who, when, purpose), every refusal and every failed login."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError

from recoque.core.errors import RecoqueError
from recoque.core.store import session_scope
from recoque.governance.models import AccessLogEntry, AgentSession, LoginFailure, User

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
MIN_PASSWORD_LENGTH = 12
MIN_PASSWORD_SCORE = 3          # zxcvbn: 3 = "safely unguessable" against throttled online attacks
LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5    # then that account waits out the window (whoever tries)
MAX_FAILURES_PER_CLIENT = 20    # then that address waits (one address trying many accounts)
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccessError(RecoqueError):
    """Bad credentials, unknown role, or a refused action."""


class LoginThrottled(AccessError):
    """Too many failed logins for this account or from this address; try again later."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


def password_problem(password: str, username: str = "") -> str | None:
    """Why ``password`` may not be used (too short, common, trivial, built on the username), or None."""
    from zxcvbn import zxcvbn

    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password must have at least {MIN_PASSWORD_LENGTH} characters"
    verdict = zxcvbn(password[:100], user_inputs=[username, "recoque", "paris", "mairie"])
    if verdict["score"] < MIN_PASSWORD_SCORE:
        hint = verdict["feedback"]["warning"] or "it is easy to guess"
        return (f"this password is too easy to guess ({hint.rstrip('.')}; about {verdict['guesses']:.0e} guesses): "
                "use a passphrase of several unrelated words")
    return None


def allowed(role: str, permission: str) -> bool:
    return permission in PERMISSIONS.get(role, frozenset())


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(engine: Engine, username: str, password: str, role: str) -> None:
    if role not in ROLES or role == "resident":
        raise AccessError(f"role must be one of {', '.join(r for r in ROLES if r != 'resident')}")
    problem = password_problem(password, username)
    if problem:
        raise AccessError(problem)
    try:
        with session_scope(engine) as session:
            session.add(User(username=username, password_hash=hash_password(password), role=role,
                             created_at=datetime.now(UTC)))
    except IntegrityError:
        raise AccessError(f"user {username!r} already exists") from None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _throttled(session, username: str, client: str, now: datetime) -> None:
    since = now - LOGIN_WINDOW
    recent = select(LoginFailure.at).where(LoginFailure.at >= since)
    for what, query, most in (("this account", recent.where(LoginFailure.username == username), MAX_FAILURES_PER_ACCOUNT),
                              ("this address", recent.where(LoginFailure.client == client), MAX_FAILURES_PER_CLIENT)):
        times = sorted(session.scalars(query))
        if len(times) >= most:
            oldest = times[-most].replace(tzinfo=times[-most].tzinfo or UTC)
            wait = max(1, int((oldest + LOGIN_WINDOW - now).total_seconds()))
            raise LoginThrottled(f"too many failed logins for {what}: try again in {-(-wait // 60)} min", wait)


def login(engine: Engine, username: str, password: str, *, client: str = "unknown") -> str:
    """A new session token for valid credentials; the same error for any failure. Failures are
    counted per account and per address (``client``) and logged; past the limits, logins wait
    out the window without the password being checked."""
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        refused: LoginThrottled | None = None
        try:
            _throttled(session, username, client, now)
        except LoginThrottled as exc:
            refused = exc
        user = session.scalars(select(User).where(User.username == username)).first()
        user_id, role = (user.id, user.role) if user else (None, "unknown")
        if refused is None:
            try:
                _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)  # same cost either way
                failed = user is None or user.disabled_at is not None   # a disabled account: the same answer
            except VerificationError:
                failed = True
    if refused is not None or failed:
        with session_scope(engine) as session:
            if refused is None:
                session.add(LoginFailure(username=username[:64], client=client[:64], at=now))
            session.add(AccessLogEntry(at=now, actor=username[:64], role=role, resource="login", allowed=False,
                                       purpose=(f"login refused from {client}: {refused}" if refused
                                                else f"failed login from {client}")[:256]))
        if refused is not None:
            raise refused
        raise AccessError("unknown user or wrong password")
    with session_scope(engine) as session:
        token = secrets.token_urlsafe(32)
        session.add(AgentSession(token_hash=_token_hash(token), user_id=user_id,
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
    if user.disabled_at is not None:
        return None
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
