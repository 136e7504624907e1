"""Agent accounts administered from the console: add, disable and re-enable, reset a password,
change a role. Every change is written to the decision journal (procedure ``agent-accounts``)
with the administrator who made it, so that who was given which rights, and when, is as
tamper-evident as the decisions about residents. An administrator cannot disable or demote the
last active administrator (nobody could manage the accounts any more)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, func, select

from recoque.core.store import session_scope
from recoque.governance import access, journal
from recoque.governance.models import AgentSession, User

PROCEDURE = "agent-accounts"
VERSION = "1.0"
ROLES_FR = {
    "agent": "agent (dossiers, contestations, jumeau)",
    "supervisor": "responsable (valide les lots, pilote le plan canicule)",
    "auditor": "auditeur (journal, accès, audits de biais)",
    "operator": "opérateur de données ouvertes",
    "caller": "téléconseiller canicule (appels)",
    "admin": "administrateur (comptes)",
}
_UNAMBIGUOUS = "abcdefghjkmnpqrstuvwxyz23456789"   # no 0/o, 1/l/i to misread when handed over
ACTIONS_FR = {"add": "compte créé", "disable": "compte désactivé", "enable": "compte réactivé",
              "reset": "mot de passe réinitialisé", "role": "rôle changé"}


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    created_at: datetime
    disabled_at: datetime | None

    @property
    def active(self) -> bool:
        return self.disabled_at is None


def accounts(engine: Engine) -> list[Account]:
    with session_scope(engine) as session:
        return [Account(u.username, u.role, u.created_at, u.disabled_at)
                for u in session.scalars(select(User).order_by(User.username))]


def _journal(engine: Engine, admin: str, username: str, action: str, **details) -> None:
    journal.append(engine, [journal.Decision(
        algorithm_id=PROCEDURE, algorithm_version=VERSION, subject=f"agent:{username}",
        inputs={"action": action, **details}, output={"action": action, "username": username, **details},
        explanation={"fr": f"{ACTIONS_FR[action]} par {admin}"}, validator=admin)])


def _user(session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise access.AccessError(f"no account named {username!r}")
    return user


def _other_active_admins(session, username: str) -> int:
    return session.scalar(select(func.count()).select_from(User).where(
        User.role == "admin", User.disabled_at.is_(None), User.username != username))


def add(engine: Engine, admin: str, username: str, password: str, role: str) -> None:
    if not username or len(username) > 64 or not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
        raise access.AccessError("the login name holds letters, digits, dots, dashes or underscores (64 at most)")
    access.create_user(engine, username, password, role)
    _journal(engine, admin, username, "add", role=role)


def set_active(engine: Engine, admin: str, username: str, active: bool) -> None:
    """Disable (its sessions end at once) or re-enable an account."""
    with session_scope(engine) as session:
        user = _user(session, username)
        if (user.disabled_at is None) == active:
            return
        if not active and user.role == "admin" and _other_active_admins(session, username) == 0:
            raise access.AccessError("the last active administrator cannot be disabled")
        user.disabled_at = None if active else datetime.now(UTC)
        if not active:
            session.execute(delete(AgentSession).where(AgentSession.user_id == user.id))
    _journal(engine, admin, username, "enable" if active else "disable")


def change_role(engine: Engine, admin: str, username: str, role: str) -> None:
    if role not in access.ROLES or role == "resident":
        raise access.AccessError(f"role must be one of {', '.join(ROLES_FR)}")
    with session_scope(engine) as session:
        user = _user(session, username)
        previous = user.role
        if previous == role:
            return
        if previous == "admin" and _other_active_admins(session, username) == 0:
            raise access.AccessError("the last active administrator keeps the admin role")
        user.role = role
    _journal(engine, admin, username, "role", previous=previous, role=role)


def reset_password(engine: Engine, admin: str, username: str) -> str:
    """A new random password (shown once to the administrator, to hand over); the account's
    sessions end."""
    password = "-".join("".join(secrets.choice(_UNAMBIGUOUS) for _ in range(5)) for _ in range(4))  # ≈ 99 bits
    with session_scope(engine) as session:
        user = _user(session, username)
        user.password_hash = access.hash_password(password)
        session.execute(delete(AgentSession).where(AgentSession.user_id == user.id))
    _journal(engine, admin, username, "reset")
    return password
