"""Signed heads of the decision journal, published where the database cannot rewrite them.

The hash chain shows that entries agree with one another, but someone who can write to the
database can edit an entry and recompute every hash after it. A *checkpoint* is the journal's
head at one moment — how many entries, the hash of the last one — signed with an Ed25519 key
kept outside the database (``RECOQUE_JOURNAL_KEY_FILE``) and appended to a file outside it
(``RECOQUE_JOURNAL_HEADS_FILE``), which the public register page and
``GET /api/v1/register/journal-head`` also show, so anyone may archive it. ``journal.verify``
walks the chain and checks that the entry at each published position still carries the
published hash: a rewrite before the last checkpoint is named, whoever did it.

What each setting protects against (docs/governance.md says it for operators):

- the chain alone: accidental corruption, an edit that does not recompute the hashes;
- the signed heads file: a database administrator who rewrites the chain, as long as they
  cannot write the heads file and read the key (keep both on another account or machine);
- the published head archived by others (register page, API): an administrator of the whole
  host, who could rewrite the file too, against the copies outside.

Entries appended after the last checkpoint are protected by the chain only, until the next
publication (the server publishes every ``RECOQUE_JOURNAL_PUBLISH_SECONDS``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from sqlalchemy import Engine, select

from recoque.core.errors import RecoqueError
from recoque.core.settings import Settings
from recoque.governance.models import JournalEntry, JournalHead

log = logging.getLogger(__name__)
SIGNED_FIELDS = ("entries", "last_id", "last_hash", "published_at", "key_id")


class CheckpointError(RecoqueError):
    """The heads file cannot be read, or a line in it is not signed by the journal's key."""


@dataclass(frozen=True)
class Checkpoint:
    entries: int         # how many entries the chain held
    last_id: int | None  # the id of the last one
    last_hash: str       # its hash
    published_at: str
    key_id: str          # SHA-256 of the public key, hex, first 16
    signature: str       # base64 of the Ed25519 signature over the canonical payload

    def payload(self) -> bytes:
        return json.dumps({k: getattr(self, k) for k in SIGNED_FIELDS}, sort_keys=True,
                          separators=(",", ":")).encode()

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in (*SIGNED_FIELDS, "signature")}


def key_file(settings: Settings) -> Path:
    return settings.journal_key_file or settings.var_dir / "keys" / "journal-ed25519.pem"


def heads_file(settings: Settings) -> Path:
    return settings.journal_heads_file or settings.var_dir / "published" / "journal-heads.jsonl"


def signing_key(settings: Settings, *, create: bool = True) -> Ed25519PrivateKey:
    """The journal's private key; created (mode 0600) on first use when ``create``."""
    path = key_file(settings)
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise CheckpointError(f"{path} does not hold an Ed25519 private key")
        return key
    if not create:
        raise CheckpointError(f"no journal signing key at {path}: run `recoque journal publish` once to create it")
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    log.warning("created the journal signing key %s (keep it away from the database's administrators)", path)
    return key


def public_key_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def key_id(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    return hashlib.sha256(public_key_pem(key).encode()).hexdigest()[:16]


def publish(engine: Engine, settings: Settings) -> Checkpoint | None:
    """Sign the journal's current head and append it to the heads file; None when the head has
    not moved since the last checkpoint (nothing new to vouch for)."""
    key = signing_key(settings)
    with engine.connect() as conn:
        head = conn.execute(select(JournalHead.entries, JournalHead.last_hash)).one()
        last_id = conn.execute(select(JournalEntry.id).order_by(JournalEntry.id.desc()).limit(1)).scalar()
    previous = _last(settings, key.public_key())
    if previous and previous.entries == head.entries and previous.last_hash == head.last_hash:
        return None
    unsigned = Checkpoint(entries=head.entries, last_id=last_id, last_hash=head.last_hash,
                          published_at=datetime.now(UTC).isoformat(timespec="seconds"), key_id=key_id(key),
                          signature="")
    signed = Checkpoint(**{**unsigned.as_dict(), "signature": base64.b64encode(key.sign(unsigned.payload())).decode()})
    path = heads_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(signed.as_dict(), sort_keys=True) + "\n")
        out.flush()
        os.fsync(out.fileno())
    return signed


def _last(settings: Settings, public: Ed25519PublicKey) -> Checkpoint | None:
    """The last line only, its signature checked (publishing must not reread a year of heads)."""
    path = heads_file(settings)
    if not path.exists() or path.stat().st_size == 0:
        return None
    with path.open("rb") as f:
        f.seek(max(0, path.stat().st_size - 4096))
        line = f.read().decode("utf-8", errors="replace").strip().splitlines()[-1]
    try:
        c = Checkpoint(**json.loads(line))
        public.verify(base64.b64decode(c.signature), c.payload())
    except (ValueError, TypeError, InvalidSignature):
        raise CheckpointError(f"{path}: its last line is not a head signed by the journal key ({key_id(public)}); "
                              "nothing is published over it until an auditor has looked") from None
    return c


def published(settings: Settings, public: Ed25519PublicKey | None = None) -> list[Checkpoint]:
    """Every checkpoint in the heads file, each signature checked; [] when nothing was published."""
    path = heads_file(settings)
    if not path.exists():
        return []
    if public is None:
        public = signing_key(settings, create=False).public_key()
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            c = Checkpoint(**json.loads(line))
            public.verify(base64.b64decode(c.signature), c.payload())
        except (ValueError, TypeError) as exc:
            raise CheckpointError(f"{path}, line {number}: not a checkpoint ({exc})") from None
        except InvalidSignature:
            raise CheckpointError(f"{path}, line {number}: its signature is not the journal key's "
                                  f"({key_id(public)}): the heads file was altered") from None
        if found and c.entries < found[-1].entries:
            raise CheckpointError(f"{path}, line {number}: counts {c.entries} entries, fewer than the line before "
                                  f"({found[-1].entries}): the journal shrank between two publications")
        found.append(c)
    return found


def latest(settings: Settings) -> dict | None:
    """The last published head with the public key that checks it (for the register page and API);
    only that line is read and checked — ``verify`` checks them all."""
    if not key_file(settings).exists():
        return None
    key = signing_key(settings, create=False)
    try:
        head = _last(settings, key.public_key())
    except CheckpointError:
        return None
    return None if head is None else head.as_dict() | {"public_key": public_key_pem(key)}


def verify_against_published(engine: Engine, settings: Settings, **options):
    """``journal.verify`` against every published head; a heads file that fails its own checks
    is a failed verification too (it names the line)."""
    from recoque.governance.journal import Verification, verify

    try:
        heads = published(settings)
    except CheckpointError as exc:
        return Verification(False, 0, str(exc))
    return verify(engine, checkpoints=heads, **options)
