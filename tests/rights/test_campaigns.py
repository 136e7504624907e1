"""Campaigns end to end: draft, supervisor validation, messages with code and mention, outbox
(exactly once, even after kill -9), the resident's answer (idempotent), dossier, reminders."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import zlib
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import func, insert, select

from recoque.core.models import Lease
from recoque.core.store import create_store_engine, migrate, session_scope
from recoque.governance import access
from recoque.governance.journal import verify
from recoque.outreach import outbox, sms
from recoque.outreach.models import OutboxMessage
from recoque.rights import campaigns
from recoque.rights.models import Dossier, Offer

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture(scope="module")
def campaign(city):
    for name, role in (("assistante", "agent"), ("cheffe", "supervisor")):
        with contextlib.suppress(access.AccessError):  # the package's store may already hold them
            access.create_user(city.engine, name, "a long enough password", role)
    c = campaigns.create_campaign(city.engine, benefit="ppa", arrondissements=None, min_amount=50,
                                  created_by="assistante", limit=6)
    return c


def test_a_campaign_waits_for_a_supervisor_and_its_messages_are_plain(city, campaign):
    offers = campaigns.campaign_offers(city.engine, campaign.id)
    assert len(offers) == 6 and all(o.status == "draft" and o.amount_month >= 50 for o in offers)
    with session_scope(city.engine) as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0   # nothing leaves before validation
    for m in campaigns.preview(city.settings, city.engine, campaign.id, limit=6):
        assert "XXXX-XXXX-XX" in m["text"] and "L311-3-1" in m["text"]
        if m["channel"] == "sms":
            # one GSM 03.38 message, accents kept, counted in septets
            assert sms.fits(m["text"]) and "é" in m["text"] and "a la prime" not in m["text"]
        else:
            assert "Vous n'avez aucun formulaire" in m["text"] and "R311-3-1-1" in m["text"]


def test_the_author_of_a_campaign_cannot_validate_it(city):
    with contextlib.suppress(access.AccessError):
        access.create_user(city.engine, "cheffe2", "a long enough password", "supervisor")
    own = campaigns.create_campaign(city.engine, benefit="aspa", arrondissements=None, min_amount=0,
                                    created_by="cheffe2", limit=2)
    with pytest.raises(campaigns.CampaignError, match="quatre yeux"):
        campaigns.validate_campaign(city.settings, city.engine, own.id, supervisor="cheffe2")
    assert campaigns.get_campaign(city.engine, own.id).status == "draft"
    campaigns.reject_campaign(city.engine, own.id, supervisor="cheffe", reason="essai des quatre yeux")


def test_validation_journals_codes_and_queues_then_delivery_sends_once(city, campaign):
    queued = campaigns.validate_campaign(city.settings, city.engine, campaign.id, supervisor="cheffe")
    assert queued == 6
    with pytest.raises(campaigns.CampaignError):
        campaigns.validate_campaign(city.settings, city.engine, campaign.id, supervisor="cheffe")
    assert campaigns.deliver(city.engine, city.settings) == 6
    assert campaigns.deliver(city.engine, city.settings) == 0
    offers = campaigns.campaign_offers(city.engine, campaign.id)
    assert all(o.status == "sent" and o.entry_id for o in offers)
    files = sorted((city.settings.var_dir / "outbox").rglob("offer-*-initial.*"))
    assert len(files) == 6
    for f in files:
        if f.suffix == ".pdf":   # letters are printable PDFs
            assert f.read_bytes().startswith(b"%PDF")
        else:
            assert "code" in json.loads(f.read_text())["body"]
    assert verify(city.engine).ok


def _code_of(city, offer: Offer) -> str:
    import re

    with session_scope(city.engine) as session:   # the letter is a PDF: read the queued text
        body = session.scalars(select(OutboxMessage.body).where(OutboxMessage.key == f"offer-{offer.id}-initial")).one()
    return re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2}", body).group(0)


def test_resident_answers_once_and_gets_a_prefilled_dossier(city, campaign):
    from fastapi.testclient import TestClient

    from recoque.server import create_app

    offers = campaigns.campaign_offers(city.engine, campaign.id)
    first, second = offers[0], offers[1]
    with TestClient(create_app(city.settings)) as client:
        page = client.post("/droits/r", data={"code": _code_of(city, first)})
        assert page.status_code == 200 and "Oui, je la veux" in page.text and "L311-3-1" in page.text
        r = client.post("/droits/r/repondre", data={"code": _code_of(city, first), "choice": "confirm"})
        assert "Votre dossier, déjà rempli" in r.text
        again = client.post("/api/v1/rights/answer", json={"code": _code_of(city, first), "choice": "decline"})
        assert again.status_code == 200
        assert again.json()["recorded_now"] is False and again.json()["answer"] == "confirm"
        checked = client.post("/droits/r/dossier", data={"code": _code_of(city, first), "correct": "oui"})
        assert "Votre dossier est transmis" in checked.text
        call = client.post("/api/v1/rights/answer", json={"code": _code_of(city, second), "choice": "call"})
        assert call.json()["status"] == "handed"
        wrong = client.post("/api/v1/rights/answer", json={"code": "AAAA-BBBB-CC", "choice": "confirm"})
        assert wrong.status_code == 404
    with session_scope(city.engine) as session:
        dossiers = list(session.scalars(select(Dossier).where(Dossier.offer_id == first.id)))
        assert len(dossiers) == 1 and dossiers[0].status == "submitted"
        fields = dossiers[0].fields
        assert fields["personnes"] and fields["montant_mensuel_estime"] == round(first.amount_month, 2)
        assert session.get(Offer, second.id).assigned_to in ("assistante", "cheffe")
    statuses = [e.status for e in campaigns.timeline(city.engine, first.id)]
    assert statuses[:5] == ["draft", "queued", "sent", "opened", "confirmed"]
    campaigns.grant(city.engine, first.id, agent="assistante")
    board = campaigns.dashboard(city.engine)
    assert board["euros_month_granted"] == pytest.approx(round(first.amount_month, 2))
    assert board["by_status"]["granted"] == 1


def test_reminder_at_15_days_and_hand_over_at_30(city, campaign):
    later = datetime.now(UTC) + timedelta(days=16)
    first = campaigns.follow_up(city.engine, city.settings, now=later)
    assert first["reminded"] == 4          # six offers, two answered
    assert campaigns.follow_up(city.engine, city.settings, now=later)["reminded"] == 0   # idempotent
    assert campaigns.deliver(city.engine, city.settings) == 4
    handed = campaigns.follow_up(city.engine, city.settings, now=datetime.now(UTC) + timedelta(days=31))
    assert handed["handed"] == 4
    statuses = {o.status for o in campaigns.campaign_offers(city.engine, campaign.id)}
    assert "reminded" not in statuses and "handed" in statuses


def _queued(settings_for, count: int, prefix: str):
    """A fresh store with ``count`` SMS queued, keys ``<prefix>-000`` …"""
    settings = settings_for()
    engine = create_store_engine(settings.sqlalchemy_url)
    migrate(engine)
    for k in range(count):
        assert outbox.enqueue(engine, key=f"{prefix}-{k:03d}", channel="sms", recipient=f"06{k:08d}",
                              body=f"message {k}")
    return settings, engine


def _deliverer(settings, delay_s: str) -> tuple[subprocess.Popen, dict]:
    """`recoque rights deliver` in its own process, each message slowed by ``delay_s``."""
    env = dict(os.environ, RECOQUE_VAR_DIR=str(settings.var_dir), RECOQUE_OUTBOX_DELAY_S=delay_s,
               RECOQUE_FOOTPRINT_METER="cpu-time")
    return subprocess.Popen([sys.executable, "-m", "recoque.cli", "rights", "deliver"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE), env


def _until_sent(engine, count: int) -> None:
    deadline = time.time() + 60
    while time.time() < deadline and outbox.counts(engine).get("sent", 0) < count:
        time.sleep(0.02)


def test_outbox_survives_kill_9_without_losing_or_doubling(settings_for, tmp_path):
    settings, engine = _queued(settings_for, 40, "msg")
    assert not outbox.enqueue(engine, key="msg-000", channel="sms", recipient="x", body="again")  # same key: ignored
    sender, env = _deliverer(settings, "0.05")
    _until_sent(engine, 5)
    os.kill(sender.pid, signal.SIGKILL)
    sender.wait()
    before = outbox.counts(engine)
    assert 5 <= before.get("sent", 0) < 40, before
    env["RECOQUE_OUTBOX_DELAY_S"] = "0"
    subprocess.run([sys.executable, "-m", "recoque.cli", "rights", "deliver"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    assert outbox.counts(engine) == {"sent": 40}
    files = sorted((settings.var_dir / "outbox" / "sms").glob("*.json"))
    assert [f.stem for f in files] == [f"msg-{k:03d}" for k in range(40)]
    assert all(json.loads(f.read_text())["body"] == f"message {int(f.stem[4:])}" for f in files)
    assert not list((settings.var_dir / "outbox" / "sms").glob("*.tmp-*"))


def test_two_deliveries_at_once_hand_no_message_twice(settings_for):
    """The probe: two `recoque rights deliver` at once. The second is refused while the first runs."""
    settings, engine = _queued(settings_for, 30, "m")
    first, env = _deliverer(settings, "0.25")  # 30 × 0.25 s: the second starts well within
    _until_sent(engine, 2)
    second = subprocess.run([sys.executable, "-m", "recoque.cli", "rights", "deliver"], env=env,
                            capture_output=True, text=True)
    assert second.returncode == 1 and "Une autre distribution est en cours" in second.stderr
    assert first.wait(timeout=60) == 0
    assert outbox.counts(engine) == {"sent": 30}
    with session_scope(engine) as session:  # each message handed to the adapter once
        assert set(session.scalars(select(OutboxMessage.attempts))) == {1}


def test_a_killed_deliverer_does_not_block_the_next_one_on_this_machine(settings_for):
    from recoque.core import leases

    settings = settings_for()
    engine = create_store_engine(settings.sqlalchemy_url)
    migrate(engine)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with engine.begin() as conn:  # a lease left by a process that no longer exists, far from expiry
        conn.execute(insert(Lease).values(name="outbox", holder=f"{leases.HOST}:{dead.pid}",
                                                        expires_at=datetime.now(UTC) + timedelta(hours=1)))
    outbox.enqueue(engine, key="m-1", channel="sms", recipient="0600000000", body="bonjour")
    assert outbox.deliver(engine, settings) == 1
    # a live holder elsewhere is respected until its lease expires
    with engine.begin() as conn:
        conn.execute(insert(Lease).values(name="outbox", holder="autre-machine:1",
                                                        expires_at=datetime.now(UTC) + timedelta(hours=1)))
    with pytest.raises(leases.LeaseHeld, match="autre-machine:1"):
        outbox.deliver(engine, settings)


def test_an_email_a_crash_left_in_doubt_is_not_sent_again_unless_asked(settings_for, monkeypatch):
    sent: list[str] = []
    monkeypatch.setattr(outbox.SmtpAdapter, "send", lambda self, message: sent.append(message.key))
    settings = settings_for(smtp_host="127.0.0.1")
    engine = create_store_engine(settings.sqlalchemy_url)
    migrate(engine)
    outbox.enqueue(engine, key="offer-2-initial", channel="email", recipient="a@example.org", body="bonjour")
    outbox.enqueue(engine, key="offer-3-initial", channel="email", recipient="b@example.org", body="bonjour")
    with session_scope(engine) as session:  # a crash between "record before send" and "sent"
        session.scalars(select(OutboxMessage).where(OutboxMessage.key == "offer-2-initial")).one().status = "sending"
    assert outbox.deliver(engine, settings) == 1 and sent == ["offer-3-initial"]
    assert outbox.counts(engine) == {"sent": 1, "uncertain": 1}
    assert outbox.deliver(engine, settings) == 0  # still not re-sent by a plain delivery
    assert outbox.deliver(engine, settings, resend_uncertain=True) == 1 and sent[-1] == "offer-2-initial"
    assert outbox.counts(engine) == {"sent": 2}


def test_sms_gateway_gets_an_idempotency_key_and_resends_the_same_after_a_crash(settings_for):
    seen: list[str] = []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            seen.append(self.headers["Idempotency-Key"])
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(202)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings = settings_for(sms_gateway_url=f"http://127.0.0.1:{server.server_port}/sms")
    engine = create_store_engine(settings.sqlalchemy_url)
    migrate(engine)
    outbox.enqueue(engine, key="offer-1-initial", channel="sms", recipient="0600000000", body="bonjour")
    # a crash after the gateway accepted the message and before it was marked sent
    outbox.adapter_for(settings, "sms").send(_message(engine))
    with session_scope(engine) as session:
        session.scalars(select(OutboxMessage)).one().status = "sending"
    assert outbox.deliver(engine, settings) == 1
    server.shutdown()
    assert seen == ["offer-1-initial", "offer-1-initial"]       # same key: the gateway keeps one
    assert outbox.counts(engine) == {"sent": 1}


def _message(engine):
    with session_scope(engine) as session:
        m = session.scalars(select(OutboxMessage)).one()
        session.expunge(m)
        return m


def test_an_sms_over_one_message_or_outside_gsm_is_refused(settings_for):
    settings = settings_for()
    engine = create_store_engine(settings.sqlalchemy_url)
    migrate(engine)
    with pytest.raises(outbox.OutboxError, match="2 messages, at most 1"):
        outbox.enqueue(engine, key="long", channel="sms", recipient="06", body="x" * 161)
    with pytest.raises(outbox.OutboxError, match="2 messages, at most 1"):
        outbox.enqueue(engine, key="tilde", channel="sms", recipient="06", body="x" * 159 + "~")   # ~ takes 2 septets
    with pytest.raises(outbox.OutboxError, match="GSM 03.38"):
        outbox.enqueue(engine, key="cyrillic", channel="sms", recipient="06", body="Привет")
    assert outbox.counts(engine) == {}
    assert outbox.enqueue(engine, key="two", channel="sms", recipient="06", body="é" * 300, max_segments=2)


def test_one_offer_per_household_and_benefit_ever(city, campaign):
    """A second campaign for the same benefit leaves out every household already offered it; a
    refused campaign frees its households for a new one."""
    first = {o.household_id for o in campaigns.campaign_offers(city.engine, campaign.id)}
    second = campaigns.create_campaign(city.engine, benefit="ppa", arrondissements=None, min_amount=50,
                                       created_by="assistante", limit=20)
    offered = [o.household_id for o in campaigns.campaign_offers(city.engine, second.id)]
    assert len(offered) == len(set(offered)) and not first & set(offered)
    campaigns.reject_campaign(city.engine, second.id, supervisor="cheffe", reason="essai")
    third = campaigns.create_campaign(city.engine, benefit="ppa", arrondissements=None, min_amount=50,
                                      created_by="assistante", limit=20)
    assert {o.household_id for o in campaigns.campaign_offers(city.engine, third.id)} == set(offered)
    campaigns.reject_campaign(city.engine, third.id, supervisor="cheffe", reason="essai")


def test_offers_go_by_email_or_by_letter_when_the_records_hold_them(city, campaign):
    """Without a mobile, an e-mail address in the records gets an e-mail and a postal address a
    letter (the address printed on it), through the same exactly-once outbox."""
    from pathlib import Path

    import pandas as pd

    from recoque.rights import service

    run = service.latest_run(city.engine)
    path = Path(run.location) / "households.parquet"
    saved = path.read_bytes()
    with session_scope(city.engine) as session:
        offered = set(session.scalars(select(Offer.household_id).where(Offer.benefit == "aspa",
                                                                       Offer.status.not_in(campaigns.ENDED))))
    order = [h for h in pd.unique(service.findings(city.engine, run, benefit="aspa", min_amount=0, limit=None)
                                  ["household_id"]) if h not in offered]
    by_mail, by_letter = order[:2]
    try:
        facts = pd.read_parquet(path)
        facts.loc[facts["household_id"].isin([by_mail, by_letter]), "mobile"] = None
        facts.loc[facts["household_id"] == by_mail, "email"] = "jeanne.durand@example.org"
        facts.loc[facts["household_id"] == by_letter, "postal_address"] = "Mme Martin ; 12 rue de la Glacière ; 75013 Paris"
        facts.to_parquet(path, index=False)
        drafted = campaigns.create_campaign(city.engine, benefit="aspa", arrondissements=None, min_amount=0,
                                            created_by="assistante", limit=2)
    finally:
        path.write_bytes(saved)
    offers = {o.household_id: o for o in campaigns.campaign_offers(city.engine, drafted.id)}
    assert set(offers) == {by_mail, by_letter}, (list(offers), order[:4])
    assert (offers[by_mail].channel, offers[by_mail].recipient) == ("email", "jeanne.durand@example.org")
    assert offers[by_letter].channel == "letter" and offers[by_letter].recipient.endswith("75013 Paris")
    assert campaigns.validate_campaign(city.settings, city.engine, drafted.id, supervisor="cheffe") == 2
    outbox.deliver(city.engine, city.settings)
    outbox.deliver(city.engine, city.settings)   # a second pass sends nothing again
    sent = city.settings.var_dir / "outbox"
    mail = json.loads((sent / "email" / f"offer-{offers[by_mail].id}-initial.json").read_text(encoding="utf-8"))
    assert mail["to"] == "jeanne.durand@example.org" and "Vous n'avez aucun formulaire" in mail["body"]
    pdf = (sent / "letter" / f"offer-{offers[by_letter].id}-initial.pdf").read_bytes()
    # ReportLab's page streams (ASCII85, then Flate), unpacked to read the text drawn
    letter = b"".join(zlib.decompress(base64.a85decode(m, adobe=False)) for m in
                      re.findall(rb"/ASCII85Decode /FlateDecode \].*?stream\r?\n(.*?)~>", pdf, re.S))
    assert b"(Mme Martin)" in letter and b"(75013 Paris)" in letter and b"R311-3-1-1" in letter
    with session_scope(city.engine) as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.offer_id.in_([offers[by_mail].id, offers[by_letter].id]))) == 2


def test_a_household_with_no_contact_goes_to_a_social_worker():
    from types import SimpleNamespace

    row = SimpleNamespace(mobile=None, email="  ", postal_address=None)
    assert campaigns.contact(row) == ("agent", campaigns.NO_CONTACT)
    row = SimpleNamespace(mobile="06 39 98 12 34", email="a@b.fr", postal_address="1 rue X ; 75001 Paris")
    assert campaigns.contact(row) == ("sms", "06 39 98 12 34")


def test_sms_are_counted_as_the_network_counts_them():
    assert sms.septets("é à è ù") == 7 and sms.septets("~") == 2 and sms.septets("€") == 2
    assert sms.to_gsm("Complément, ça côute") == "Complément, ca coute"
    assert sms.fits("a" * 160) and not sms.fits("a" * 159 + "~") and sms.segments("a" * 161) == 2


@pytest.mark.parametrize("benefit_id, law", [("aspa", "L815-9"), ("ppa", "L841-1"), ("af", "L521-1"),
                                              ("cmu_c", "L861-1"), ("paris_logement", "Règlement municipal")])
def test_each_benefit_family_gets_an_explanation_that_explains(city, campaign, benefit_id, law):
    """R311-3-1-2 applied to the person: the degree of the algorithm's part, the data and their
    sources, the rule and the legislation's values with their texts, the household's own
    figures, the operations — in French sentences, on the page and in the PDF."""
    from fastapi.testclient import TestClient

    from recoque.governance.explanations import explain, explanation_pdf, issue_code
    from recoque.governance.models import JournalEntry
    from recoque.server import create_app

    made = campaigns.create_campaign(city.engine, benefit=benefit_id, arrondissements=None, min_amount=0,
                                     created_by="assistante", limit=1)
    campaigns.validate_campaign(city.settings, city.engine, made.id, supervisor="cheffe")
    offer = campaigns.campaign_offers(city.engine, made.id)[0]
    with session_scope(city.engine) as session:
        entry = session.get(JournalEntry, offer.entry_id)
        session.expunge(entry)
    x = explain(entry)
    data = {d["donnee"]: d["valeur"] for d in x["points"][1]["data"]}
    assert {"Composition du foyer", "Logement", "Vous", "Années de résidence à Paris",
            "Prestations versées selon les registres"} <= set(data)
    assert "ans" in data["Vous"] and "€" in data["Loyer mensuel hors charges"]
    params = x["points"][2]["parameters"]
    assert params[0]["name"] == "Règle appliquée" and len(params[0]["value"]) > 60 and law in params[0]["reference"]
    assert params[-1]["name"].startswith("Résultat pour")
    legislation = [p for p in params if p.get("weight") == "valeur fixée par le texte"]
    if benefits_with_parameters(benefit_id):
        assert legislation and all(p["reference"] for p in legislation[:1])
    # nothing a resident cannot read: no variable names, no Python values
    text = str(x["points"])
    for raw in ("montant_mensuel_calcule", "repérage", "'canal'", "True", "None", f"'{benefit_id}'"):
        assert raw not in text, raw
    assert len(x["points"][3]["operations"]) >= 3
    assert explanation_pdf(x)[:4] == b"%PDF"
    code = issue_code(city.engine, offer.entry_id)
    with TestClient(create_app(city.settings)) as client:
        page = client.post("/explication", data={"code": code})
    assert page.status_code == 200 and law in page.text and "Règle appliquée" in page.text


def benefits_with_parameters(benefit_id: str) -> bool:
    from recoque.rights.catalogue import benefit

    return bool(benefit(benefit_id).legislation)
