"""The outbox: messages wait in the store, then leave through an adapter, exactly once.

Each message has a unique ``key``. Delivery marks it ``sending`` (committed) before the adapter
runs and ``sent`` after; a process killed in between leaves it ``sending``, and the next
delivery asks the adapter whether that key already left:

- ``file`` (default): one file per key under ``var/outbox/<channel>/`` (JSON for SMS and
  e-mail, a PDF ready to print for letters), created from a complete temporary file with
  ``os.link``, which refuses an existing name: a key is written at most once and never half;
- ``sms-http``: POST to an SMS gateway with the key as ``Idempotency-Key`` (the gateway drops a
  repeated key);
- ``smtp``: e-mail with the key as Message-ID. SMTP has no idempotency key, so a message a crash
  left ``sending`` is never re-sent on its own: it becomes ``uncertain`` and waits for an operator,
  who checks the mail server's log for its Message-ID and then either marks it sent or re-sends
  it with the same Message-ID (``recoque rights deliver --resend-uncertain``), which mail
  systems that deduplicate by Message-ID keep once.

One delivery runs at a time: ``deliver`` holds the store's ``outbox`` lease (``recoque.core.leases``)
and a second process is refused with who holds it, so no message is handed to an adapter twice.
"""

from __future__ import annotations

import json
import os
import smtplib
import time
import urllib.request
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from recoque.core.errors import RecoqueError
from recoque.core.settings import Settings
from recoque.core.store import session_scope
from recoque.outreach import sms
from recoque.outreach.models import OutboxMessage

SMS_MAX = sms.SINGLE_SEGMENT


class OutboxError(RecoqueError):
    """A message cannot be queued or an adapter cannot deliver."""


def enqueue(engine: Engine, *, key: str, channel: str, recipient: str, body: str, subject: str = "",
            offer_id: int | None = None, max_segments: int = 1) -> bool:
    """Queue a message; False when ``key`` was already queued (nothing changes). An SMS is GSM
    03.38 text of at most ``max_segments`` messages (160 septets alone, 153 each when joined)."""
    if channel == "sms":
        try:
            parts = sms.segments(body)
        except UnicodeEncodeError:
            raise OutboxError(f"an SMS must be GSM 03.38 text: {body!r}") from None
        if parts > max_segments:
            raise OutboxError(f"this SMS takes {parts} messages, at most {max_segments} allowed: {body!r}")
    try:
        with session_scope(engine) as session:
            session.add(OutboxMessage(key=key, channel=channel, recipient=recipient, subject=subject, body=body,
                                      offer_id=offer_id, status="pending", created_at=datetime.now(UTC), attempts=0))
        return True
    except IntegrityError:
        return False


class FileAdapter:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _target(self, message: OutboxMessage) -> Path:
        suffix = "pdf" if message.channel == "letter" else "json"
        return self.folder / message.channel / f"{message.key}.{suffix}"

    def delivered(self, message: OutboxMessage) -> bool:
        return self._target(message).exists()

    def send(self, message: OutboxMessage) -> None:
        target = self._target(message)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(f".tmp-{os.getpid()}")
        if message.channel == "letter":
            temporary.write_bytes(letter_pdf(message))
        else:
            temporary.write_text(json.dumps({"key": message.key, "channel": message.channel, "to": message.recipient,
                                             "subject": message.subject, "body": message.body}, ensure_ascii=False),
                                 encoding="utf-8")
        try:
            os.link(temporary, target)   # atomic, and refuses an existing name: written at most once
        except FileExistsError:   # this key already left (a crash after the link): nothing to send again
            pass
        finally:
            temporary.unlink(missing_ok=True)


def letter_pdf(message: OutboxMessage) -> bytes:
    """A letter as a printable A4 PDF (ReportLab): address block, subject, body paragraphs."""
    import io
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    story = [Paragraph("Ville de Paris — Centre d'action sociale", styles["Heading2"]),
             # the address block, one line per part of the records' address (« 12 rue X ; 75013 Paris »)
             Paragraph("<br/>".join(escape(line.strip()) for line in message.recipient.split(";")), styles["Normal"]),
             Spacer(1, 18),
             Paragraph(escape(message.subject or "Une aide pour vous"), styles["Heading3"])]
    for paragraph in message.body.split("\n\n"):
        story += [Paragraph(escape(paragraph).replace("\n", "<br/>"), styles["Normal"]), Spacer(1, 8)]
    story.append(Paragraph(escape(f"Référence : {message.key}"), styles["Italic"]))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=message.subject or "Ville de Paris",
                      invariant=True).build(story)
    return buffer.getvalue()


class SmsHttpAdapter:
    def __init__(self, url: str, token: str | None) -> None:
        self.url, self.token = url, token

    def delivered(self, message: OutboxMessage) -> bool:
        return False   # the gateway drops a repeated Idempotency-Key, so re-sending is safe

    def send(self, message: OutboxMessage) -> None:
        data = json.dumps({"to": message.recipient, "text": message.body}).encode()
        request = urllib.request.Request(self.url, data=data, method="POST", headers={
            "Content-Type": "application/json", "Idempotency-Key": message.key,
            **({"Authorization": f"Bearer {self.token}"} if self.token else {})})
        with urllib.request.urlopen(request, timeout=10) as response:
            if response.status >= 300:
                raise OutboxError(f"SMS gateway answered {response.status}")


class SmtpAdapter:
    resend_after_crash = False  # SMTP cannot say whether a message left, nor drop a repeat

    def __init__(self, host: str, port: int, sender: str) -> None:
        self.host, self.port, self.sender = host, port, sender

    def delivered(self, message: OutboxMessage) -> bool:
        return False

    def send(self, message: OutboxMessage) -> None:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.sender, message.recipient, message.subject or "Ville de Paris"
        mail["Message-ID"] = f"<{message.key}@recoque>"
        mail.set_content(message.body)
        with smtplib.SMTP(self.host, self.port, timeout=10) as smtp:
            smtp.send_message(mail)


def adapter_for(settings: Settings, channel: str):
    """SMS go to the SMS gateway when one is set, letters and e-mails to SMTP when set; else files."""
    if channel == "sms" and settings.sms_gateway_url:
        return SmsHttpAdapter(settings.sms_gateway_url, settings.sms_gateway_token)
    if channel == "email" and settings.smtp_host:
        return SmtpAdapter(settings.smtp_host, settings.smtp_port, settings.smtp_sender)
    return FileAdapter(settings.var_dir / "outbox")


LEASE = "outbox"
LEASE_TTL_S = 120.0


def deliver(engine: Engine, settings: Settings, *, limit: int | None = None, on_sent=None,
            resend_uncertain: bool = False) -> int:
    """Send every pending message (and finish those a crash left ``sending``); returns how many left.
    Holds the outbox lease throughout (``LeaseHeld`` if another delivery runs). With
    ``resend_uncertain``, e-mails a crash left in doubt are sent again under the same Message-ID."""
    from recoque.core import leases

    delay = settings.outbox_delay_s   # tests widen the crash window
    owner = leases.acquire(engine, LEASE, ttl_s=LEASE_TTL_S)
    renewed = time.monotonic()
    statuses = ("sending", "pending", "uncertain") if resend_uncertain else ("sending", "pending")
    sent = 0
    try:
        while limit is None or sent < limit:
            if time.monotonic() - renewed > LEASE_TTL_S / 4:
                leases.renew(engine, LEASE, owner, ttl_s=LEASE_TTL_S)
                renewed = time.monotonic()
            with session_scope(engine) as session:
                message = session.scalars(select(OutboxMessage).where(OutboxMessage.status.in_(statuses))
                                          .order_by(OutboxMessage.id).limit(1)).first()
                if message is None:
                    break
                adapter = adapter_for(settings, message.channel)
                resumed = message.status == "sending"
                if resumed and not getattr(adapter, "resend_after_crash", True):
                    message.status = "uncertain"  # it may have left: a person decides (see the module's doc)
                    continue
                message.status, message.attempts = "sending", message.attempts + 1
                session.flush()
            if not (resumed and adapter.delivered(message)):
                if delay:
                    time.sleep(delay)
                adapter.send(message)
            with session_scope(engine) as session:
                row = session.get(OutboxMessage, message.id)
                row.status, row.sent_at = "sent", datetime.now(UTC)
            sent += 1
            if on_sent:
                on_sent(message)
    finally:
        leases.release(engine, LEASE, owner)
    return sent


def counts(engine: Engine) -> dict[str, int]:
    from sqlalchemy import func

    with session_scope(engine) as session:
        return dict(session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
