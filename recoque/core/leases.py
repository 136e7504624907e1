"""Named leases in the store: at most one process at a time does a given job (e.g. delivering the
outbox), on one machine or several sharing the store.

A lease has a holder (``host:pid``) and an expiry the holder pushes forward while it works. A
second process is refused while the lease is live. A holder that died without releasing it
(``kill -9``, a crash) is taken over at once when it ran on this machine and its process is
gone, and otherwise when its lease expires.
"""

from __future__ import annotations

import contextlib
import os
import socket
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from recoque.core.errors import RecoqueError
from recoque.core.models import Lease

HOST = socket.gethostname()


class LeaseHeld(RecoqueError):
    """Another live process holds the lease."""


def holder() -> str:
    return f"{HOST}:{os.getpid()}"


def _dead(owner: str) -> bool:
    """True only for a holder on this machine whose process is gone (signal 0 probes, sends nothing)."""
    host, _, pid = owner.rpartition(":")
    if host != HOST or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, under another user
        return False
    return False


def acquire(engine: Engine, name: str, *, ttl_s: float = 120.0) -> str:
    """Take lease ``name`` for this process; ``LeaseHeld`` if another live process has it."""
    me, now = holder(), datetime.now(UTC)
    expires = now + timedelta(seconds=ttl_s)
    with contextlib.suppress(IntegrityError):  # a row exists: below, see whether it may be taken over
        with engine.begin() as conn:
            conn.execute(insert(Lease).values(name=name, holder=me, expires_at=expires))
        return me
    with engine.begin() as conn:
        row = conn.execute(select(Lease.holder, Lease.expires_at).where(Lease.name == name)).one_or_none()
        if row is None:  # released in between: try again from the start
            return acquire(engine, name, ttl_s=ttl_s)
        until = row.expires_at.replace(tzinfo=row.expires_at.tzinfo or UTC)
        if row.holder != me and until > now and not _dead(row.holder):
            raise LeaseHeld(f"{name}: held by {row.holder} until {until.isoformat(timespec='seconds')}")
        # only if nobody took it meanwhile: of two takers, the second matches no row
        taken = conn.execute(update(Lease).where(Lease.name == name, Lease.holder == row.holder)
                             .values(holder=me, expires_at=expires)).rowcount
    if taken != 1:
        raise LeaseHeld(f"{name}: taken by another process at the same moment")
    return me


def renew(engine: Engine, name: str, owner: str, *, ttl_s: float = 120.0) -> None:
    """Push the expiry forward; ``LeaseHeld`` if the lease was lost (expired and taken over)."""
    with engine.begin() as conn:
        kept = conn.execute(update(Lease).where(Lease.name == name, Lease.holder == owner)
                            .values(expires_at=datetime.now(UTC) + timedelta(seconds=ttl_s))).rowcount
    if kept != 1:
        raise LeaseHeld(f"{name}: this process ({owner}) lost its lease; it stops here")


def release(engine: Engine, name: str, owner: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(Lease).where(Lease.name == name, Lease.holder == owner))
