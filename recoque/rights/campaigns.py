"""Campaigns and offers: from a screening's findings to a validated message, the resident's
answer, a pre-filled dossier, reminders and hand-over, each step visible and journaled.

Statuses of an offer: draft → queued → sent → opened → confirmed | declined | already_receiving |
call_requested; reminded (D+15 without answer); no_answer (D+30) → handed (to a social worker);
granted (the organism granted the aid).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from recoque.core.errors import RecoqueError
from recoque.core.settings import Settings
from recoque.core.store import detached_get, detached_row, detached_rows, session_scope
from recoque.governance import batches
from recoque.governance.explanations import issue_code, l311_3_1_mention
from recoque.governance.journal import Decision
from recoque.governance.models import User
from recoque.outreach import outbox, sms
from recoque.rights import explain as rights_explain
from recoque.rights import service
from recoque.rights.catalogue import benefit as get_benefit
from recoque.rights.models import Campaign, Dossier, Offer, OfferEvent

REMIND_AFTER = timedelta(days=15)
HAND_OVER_AFTER = timedelta(days=30)
ANSWERS = {"confirm": "confirmed", "decline": "declined", "already": "already_receiving", "call": "call_requested"}
STATUS_FR = {"draft": "en attente de validation", "queued": "prêt à partir", "sent": "envoyé", "opened": "ouvert",
             "confirmed": "accepté", "declined": "refusé", "already_receiving": "déjà perçu",
             "call_requested": "demande d'appel", "reminded": "relancé (J+15)", "no_answer": "sans réponse",
             "handed": "confié à un travailleur social", "granted": "accordé", "rejected": "campagne refusée"}
SHORT_FR = {"rsa": "au RSA", "ppa": "à la prime d'activité", "aide_logement": "à une aide au logement",
            "aspa": "au minimum vieillesse (ASPA)", "asi": "à l'ASI", "aah": "à l'AAH", "af": "aux allocations familiales",
            "cf": "au complément familial", "asf": "à l'ASF", "paje_base": "à l'allocation de base PAJE",
            "cmu_c": "à la Complémentaire santé solidaire", "css_participation_forfaitaire": "à la Complémentaire santé solidaire",
            "cheque_energie": "au chèque énergie"}
#: statuses after which a household may receive a new offer of the same benefit: the campaign was
#: refused by its supervisor, or the message could not be delivered
ENDED = ("rejected", "undeliverable")


class CampaignError(RecoqueError):
    """A campaign or an answer cannot be recorded as asked."""


def _now() -> datetime:
    return datetime.now(UTC)


def _event(session, offer: Offer, status: str, actor: str, note: str = "") -> None:
    offer.status, offer.updated_at = status, _now()
    session.add(OfferEvent(offer_id=offer.id, at=_now(), status=status, actor=actor, note=note))


def sms_text(settings: Settings, benefit_id: str, amount: float, code: str) -> str:
    """One GSM 03.38 message (≤ 160 septets, accents kept: recoque.outreach.sms), in plain French, with
    the personal code and the short algorithmic mention (the full one is on the answer page and
    in letters). The shortest form that fits is chosen; the code and the mention always stay."""
    b = get_benefit(benefit_id)
    short = SHORT_FR.get(benefit_id, "à " + b.label_fr.split(" (")[0])
    amount_txt = f" (environ {amount:.0f} euros par mois)" if amount >= 1 else ""
    url = f"{settings.base_url}/droits/r"
    forms = (f"Ville de Paris : vous avez peut-être droit {short}{amount_txt}. Répondez sur {url} code {code}. "
             f"Décision aidée par algorithme : art. L311-3-1 CRPA",
             f"Paris : droit possible {short}{amount_txt}. {url} code {code}. Algorithme : art. L311-3-1 CRPA",
             f"Paris : droit possible {short}. {url} code {code}. Algorithme : L311-3-1 CRPA",
             f"Paris : une aide pour vous. {url} code {code}. Algorithme : L311-3-1 CRPA")
    for text in forms:
        text = sms.to_gsm(text)
        if sms.fits(text):
            return text
    raise CampaignError(f"the public address {settings.base_url!r} is too long for an SMS")


def letter_text(settings: Settings, benefit_id: str, amount: float, code: str) -> str:
    b = get_benefit(benefit_id)
    amount_txt = f" d'environ {amount:.0f} € par mois" if amount >= 1 else ""
    return (f"Madame, Monsieur,\n\nD'après les informations dont disposent les services sociaux, vous pourriez avoir "
            f"droit à : {b.label_fr}{amount_txt}. Vous ne la recevez pas aujourd'hui.\n\n"
            f"Vous n'avez aucun formulaire à remplir : allez sur {settings.base_url}/droits/r et saisissez votre code "
            f"personnel {code}. Vous pourrez accepter (nous préparons le dossier pour vous), refuser, nous dire que "
            f"vous la recevez déjà, ou demander qu'on vous appelle. Vous pouvez aussi appeler le 3975.\n\n"
            f"Organisme qui décide : {b.organism}.\n\n{l311_3_1_mention(service.ALGORITHM)}\n\n"
            "Le service social de la Ville de Paris")


NO_CONTACT = "à joindre par un travailleur social (ni mobile, ni e-mail, ni adresse postale dans les registres)"


def contact(row) -> tuple[str, str]:
    """How an offer reaches the household, from what the records hold: an SMS to the reference
    person's mobile, else an e-mail, else a letter to the postal address; with none of them, no
    letter is printed with a made-up address: a social worker reaches the household (the offer is
    handed over at validation)."""
    def known(value) -> str | None:
        return value.strip() if isinstance(value, str) and value.strip() else None

    for channel, value in (("sms", row.mobile), ("email", row.email), ("letter", row.postal_address)):
        if known(value):
            return channel, known(value)
    return "agent", NO_CONTACT


def create_campaign(engine: Engine, *, benefit: str, arrondissements: list[str] | None, min_amount: float,
                    created_by: str, limit: int | None = None) -> Campaign:
    """Draft a campaign from the latest screening and hold its offers for a supervisor."""
    get_benefit(benefit)
    if min_amount < 0:
        raise CampaignError("the minimum amount cannot be negative")
    run = service.latest_run(engine)
    if run is None:
        raise CampaignError("no screening yet: run `recoque rights screen` first")
    found = service.findings(engine, run, benefit=benefit, min_amount=min_amount, limit=None)
    if arrondissements:
        found = found[found["arrondissement"].isin(arrondissements)]
    for column in ("email", "postal_address"):   # a screening from before these were in the records
        if column not in found.columns:
            found[column] = None
    # one offer per household and benefit: the rights of several members (a person-level aid)
    # become one offer, and a household already offered this benefit is left out unless that
    # offer ended (campaign refused, message undeliverable)
    found = (found.groupby("household_id", sort=False)
             .agg(unit_id=("unit_id", "first"), amount_month=("amount_month", "sum"), mobile=("mobile", "first"),
                  email=("email", "first"), postal_address=("postal_address", "first"),
                  iris=("iris", "first"), fragility=("fragility", "first"))
             .reset_index())
    with session_scope(engine) as session:
        offered = set(session.scalars(select(Offer.household_id).where(Offer.benefit == benefit,
                                                                       Offer.status.not_in(ENDED))))
    found = found[~found["household_id"].isin(offered)]
    found = found.head(limit) if limit else found
    if found.empty:
        raise CampaignError("no unclaimed right matches this benefit, area and minimum amount "
                            "(households already offered it are left out)")
    details = _situations(engine, run, found, benefit)
    # a household whose situation or records changed since the screening so that the right is
    # gone is left out (the next screening will say so)
    found = found[found["household_id"].isin(details)]
    if found.empty:
        raise CampaignError("no household of this selection is still entitled: screen again first")
    now = _now()
    with session_scope(engine) as session:
        campaign = Campaign(benefit=benefit, arrondissements=sorted(arrondissements or []), min_amount=min_amount,
                            screening_run_id=run.id, status="draft", created_by=created_by, created_at=now)
        session.add(campaign)
        session.flush()
        decisions, offers = [], []
        for row in found.itertuples(index=False):
            channel, recipient = contact(row)
            offer = Offer(campaign_id=campaign.id, household_id=row.household_id, unit_id=row.unit_id, benefit=benefit,
                          amount_month=float(row.amount_month), channel=channel, recipient=recipient,
                          status="draft", created_at=now, updated_at=now)
            offers.append(offer)
        session.add_all(offers)
        session.flush()
        for offer in offers:
            session.add(OfferEvent(offer_id=offer.id, at=now, status="draft", actor=created_by,
                                   note=f"campagne {campaign.id}"))
            data, values = details[offer.household_id]
            decisions.append(Decision(
                algorithm_id=service.ALGORITHM, algorithm_version=service.VERSION, subject=offer.household_id,
                inputs=data,
                output={"proposition": get_benefit(benefit).label_fr, "offre": offer.id,
                        "montant_mensuel": round(offer.amount_month, 2), "canal": offer.channel},
                explanation=rights_explain.explanation(benefit, run.month, offer.amount_month, values)))
        campaign_id = campaign.id
    batch_id = batches.submit(engine, service.ALGORITHM, decisions)
    with session_scope(engine) as session:
        campaign = session.get(Campaign, campaign_id)
        campaign.batch_id = batch_id
        session.flush()
    return campaign


def _situations(engine: Engine, run, found: pd.DataFrame, benefit_id: str) -> dict[str, tuple[dict, dict]]:
    """household → (its data in plain French, OpenFisca's intermediate figures for the benefit),
    computed again from the population and the records for the explanation of each offer."""
    from pathlib import Path

    from recoque.population import service as population
    from recoque.rights import bridge, records
    from recoque.rights import engine as screening

    folder = population.current(engine).location
    records_build = service.current_records(engine)
    facts = pd.read_parquet(Path(run.location) / "households.parquet", columns=["household_id", "arrondissement"])
    wanted = facts[facts["household_id"].isin(set(found["household_id"]))]
    out: dict[str, tuple[dict, dict]] = {}
    for code, group in wanted.groupby("arrondissement"):
        ids = set(group["household_id"])
        households, persons = screening.read_partition(folder, str(code), ids)
        received = records.read(Path(records_build.location), str(code)) if records_build else \
            pd.DataFrame(columns=records.COLUMNS)
        received = received[received["household_id"].isin(ids)]
        ordered = sorted(ids)
        for start in range(0, len(ordered), 4000):
            part = set(ordered[start:start + 4000])
            h = households[households["household_id"].isin(part)]
            p = persons[persons["household_id"].isin(part)]
            r = received[received["household_id"].isin(part)]
            result = bridge.compute(h, p, run.month, benefit_ids=[benefit_id], records=r, explain=True)
            values_by_unit = {u: v.get(benefit_id, {}) for u, v in result.explanations.items()}
            for unit, hid in zip(result.amounts["unit_id"], result.amounts["household_id"]):
                if hid in out:
                    continue
                household = h[h["household_id"] == hid].iloc[0]
                members = p[p["household_id"] == hid]
                data = rights_explain.household_data(household, members, r[r["household_id"] == hid], run.month)
                out[hid] = (data, values_by_unit.get(str(unit), {}))
    return out


def campaign_offers(engine: Engine, campaign_id: int) -> list[Offer]:
    return detached_rows(engine, select(Offer).where(Offer.campaign_id == campaign_id).order_by(Offer.id))


def preview(settings: Settings, engine: Engine, campaign_id: int, limit: int = 5) -> list[dict]:
    """The messages as they will leave (the code is drawn at validation)."""
    return [{"offer": o.id, "channel": o.channel, "recipient": o.recipient,
             "text": (sms_text if o.channel == "sms" else letter_text)(settings, o.benefit, o.amount_month, "XXXX-XXXX-XX")}
            for o in campaign_offers(engine, campaign_id)[:limit]]


def get_campaign(engine: Engine, campaign_id: int) -> Campaign:
    campaign = detached_get(engine, Campaign, campaign_id)
    if campaign is None:
        raise CampaignError(f"no campaign {campaign_id}")
    return campaign


def campaign_of_batch(engine: Engine, batch_id: int) -> int | None:
    """The campaign whose messages form the batch ``batch_id`` (None for another kind of batch)."""
    with session_scope(engine) as session:
        return session.scalar(select(Campaign.id).where(Campaign.batch_id == batch_id))


def handed_to(engine: Engine, username: str, limit: int = 50) -> list[Offer]:
    """Offers handed to this social worker (no channel reached the household) or confirmed, to follow."""
    return detached_rows(engine, select(Offer).where(Offer.assigned_to == username,
                                                     Offer.status.in_(("handed", "confirmed"))).limit(limit))


def list_campaigns(engine: Engine) -> list[Campaign]:
    return detached_rows(engine, select(Campaign).order_by(Campaign.id.desc()))


def validate_campaign(settings: Settings, engine: Engine, campaign_id: int, *, supervisor: str) -> int:
    """Journal the offers (validated by ``supervisor``), draw each one's personal code and queue
    its message; returns the number of messages queued."""
    campaign = get_campaign(engine, campaign_id)
    if campaign.status != "draft":
        raise CampaignError(f"campaign {campaign_id} is {campaign.status}, not waiting for validation")
    if campaign.created_by == supervisor:
        raise CampaignError(f"campagne {campaign_id} : celui qui l'a préparée ({supervisor}) ne peut pas la valider — "
                            "un autre responsable relit et valide (principe des quatre yeux)")
    entry_ids = batches.validate(engine, campaign.batch_id, supervisor=supervisor)
    offers = campaign_offers(engine, campaign_id)
    queued = 0
    for offer, entry_id in zip(offers, entry_ids):
        code = issue_code(engine, entry_id)
        if offer.channel == "agent":   # nothing to send: a social worker reaches the household
            with session_scope(engine) as session:
                row = session.get(Offer, offer.id)
                row.entry_id = entry_id
                row.assigned_to = _least_loaded(session)
                _event(session, row, "handed", supervisor,
                       f"validé ; ni mobile, ni e-mail, ni adresse postale : confié à {row.assigned_to} (code {code[:4]}…)")
            continue
        body = (sms_text if offer.channel == "sms" else letter_text)(settings, offer.benefit, offer.amount_month, code)
        outbox.enqueue(engine, key=f"offer-{offer.id}-initial", channel=offer.channel, recipient=offer.recipient,
                       body=body, subject="Ville de Paris : une aide pour vous", offer_id=offer.id)
        with session_scope(engine) as session:
            row = session.get(Offer, offer.id)
            row.entry_id = entry_id
            _event(session, row, "queued", supervisor, "validé")
        queued += 1
    with session_scope(engine) as session:
        row = session.get(Campaign, campaign_id)
        row.status, row.decided_by = "validated", supervisor
    return queued


def reject_campaign(engine: Engine, campaign_id: int, *, supervisor: str, reason: str) -> None:
    campaign = get_campaign(engine, campaign_id)
    if campaign.status != "draft":
        raise CampaignError(f"campaign {campaign_id} is {campaign.status}, not waiting for validation")
    batches.reject(engine, campaign.batch_id, supervisor=supervisor, reason=reason)
    with session_scope(engine) as session:
        session.get(Campaign, campaign_id).status = "rejected"
        session.get(Campaign, campaign_id).decided_by = supervisor
        for offer in session.scalars(select(Offer).where(Offer.campaign_id == campaign_id)):
            _event(session, offer, "rejected", supervisor, reason[:500])


def mark_sent(engine: Engine, offer_id: int) -> None:
    """Called by the outbox when an offer's first message left."""
    with session_scope(engine) as session:
        offer = session.get(Offer, offer_id)
        if offer is not None and offer.status == "queued":
            offer.sent_at = _now()
            _event(session, offer, "sent", "outbox")


def deliver(engine: Engine, settings: Settings, *, resend_uncertain: bool = False) -> int:
    def on_sent(message) -> None:
        if message.offer_id is not None and message.key.endswith("-initial"):
            mark_sent(engine, message.offer_id)

    return outbox.deliver(engine, settings, on_sent=on_sent, resend_uncertain=resend_uncertain)


# ----------------------------------------------------------------------------------------------
# the resident


def offer_for_entry(engine: Engine, entry_id: int) -> Offer | None:
    return detached_row(engine, select(Offer).where(Offer.entry_id == entry_id))


def opened(engine: Engine, offer_id: int) -> None:
    with session_scope(engine) as session:
        offer = session.get(Offer, offer_id)
        if offer.status in ("sent", "reminded", "queued"):
            _event(session, offer, "opened", "résident")


def answer(engine: Engine, offer_id: int, choice: str) -> tuple[Offer, Dossier | None, bool]:
    """Record the resident's answer once. Returns (offer, dossier, new): a second answer changes
    nothing and returns the first one (new = False)."""
    if choice not in ANSWERS:
        raise CampaignError(f"unknown answer {choice!r}; expected one of {', '.join(ANSWERS)}")
    with session_scope(engine) as session:
        offer = session.get(Offer, offer_id, with_for_update=True)
        if offer is None:
            raise CampaignError("unknown offer")
        new = offer.answer is None
        if new:
            offer.answer = choice
            _event(session, offer, ANSWERS[choice], "résident")
            if choice == "call":
                offer.assigned_to = _least_loaded(session)
                _event(session, offer, "handed", "recoque", f"rappel demandé, confié à {offer.assigned_to}")
        session.flush()
    dossier = None
    if offer.answer == "confirm":
        dossier = _dossier(engine, offer)
    return offer, dossier, new


def _least_loaded(session) -> str | None:
    load = dict(session.execute(select(Offer.assigned_to, func.count()).where(Offer.status == "handed")
                                .group_by(Offer.assigned_to)).all())
    humans = session.scalars(select(User.username)
                             .where(User.role.in_(("agent", "supervisor")), User.disabled_at.is_(None))
                             .order_by(User.username)).all()
    return min(humans, key=lambda n: (load.get(n, 0), n)) if humans else None


def _dossier(engine: Engine, offer: Offer) -> Dossier:
    """The claim pre-filled from the records (created once per offer)."""
    with session_scope(engine) as session:
        existing = session.scalars(select(Dossier).where(Dossier.offer_id == offer.id)).first()
        if existing is not None:
            return existing
    fields = prefill(engine, offer)
    try:
        with session_scope(engine) as session:
            dossier = Dossier(offer_id=offer.id, created_at=_now(), fields=fields, status="to_check")
            session.add(dossier)
            session.flush()
            return dossier
    except IntegrityError:   # a concurrent confirmation created it first
        with session_scope(engine) as session:
            dossier = session.scalars(select(Dossier).where(Dossier.offer_id == offer.id)).one()
            return dossier


def prefill(engine: Engine, offer: Offer) -> dict:
    from recoque.population import service as population

    con = population.storage.connect(population.current(engine).location)
    h = con.execute("SELECT * FROM households WHERE household_id = ?", [offer.household_id]).df()
    p = con.execute("SELECT * FROM persons WHERE household_id = ? ORDER BY member", [offer.household_id]).df()
    b = get_benefit(offer.benefit)
    hh = h.iloc[0]
    return {
        "aide": b.label_fr, "organisme": b.organism, "montant_mensuel_estime": round(offer.amount_month, 2),
        "arrondissement": str(hh["arrondissement"]), "logement": rights_explain.TENURE_FR.get(str(hh["tenure"]), str(hh["tenure"])),
        "loyer_mensuel": round(float(hh["rent_eur_month"]), 2), "surface_m2": round(float(hh["surface_m2"]), 1),
        "composition": rights_explain.COMPOSITION_FR.get(str(hh["household_type"]), str(hh["household_type"])),
        "personnes": [{"rang": int(r.member), "age": int(r.age), "sexe": str(r.sex),
                       "salaire_net_mensuel": round(float(r.salary_month), 2),
                       "retraite_mensuelle": round(float(r.pension_month), 2),
                       "chomage_mensuel": round(float(r.unemployment_month), 2),
                       "autres_revenus_mensuels": round(float(r.other_income_month), 2),
                       "handicap_reconnu": bool(r.disability)} for r in p.itertuples()],
        "source": "registres de la Ville et des organismes sociaux (aucune saisie demandée)",
    }


def check_dossier(engine: Engine, offer_id: int, *, correct: bool, remark: str = "") -> Dossier:
    """The resident checked the pre-filled dossier: sent to the organism, or to an agent when a
    field is wrong."""
    with session_scope(engine) as session:
        dossier = session.scalars(select(Dossier).where(Dossier.offer_id == offer_id)).first()
        if dossier is None:
            raise CampaignError("no dossier for this offer: confirm the offer first")
        if dossier.status == "to_check":
            dossier.status = "submitted" if correct else "to_correct"
            offer = session.get(Offer, offer_id)
            note = "dossier vérifié par la personne, transmis à l'organisme" if correct else f"correction demandée : {remark[:400]}"
            session.add(OfferEvent(offer_id=offer_id, at=_now(), status=offer.status, actor="résident", note=note))
        session.flush()
        return dossier


def grant(engine: Engine, offer_id: int, *, agent: str) -> None:
    with session_scope(engine) as session:
        offer = session.get(Offer, offer_id)
        if offer is None:
            raise CampaignError(f"no offer {offer_id}")
        if offer.status == "granted":
            return
        if offer.answer not in ("confirm", "call") and offer.status not in ("handed",):
            raise CampaignError("only an accepted offer, or one handed to a social worker, can be granted")
        _event(session, offer, "granted", agent, "aide accordée par l'organisme")


def follow_up(engine: Engine, settings: Settings, *, now: datetime | None = None) -> dict:
    """Daily: a reminder 15 days after sending without answer; 30 days without answer, the offer
    goes to a social worker. Idempotent (keys and statuses)."""
    now = now or _now()
    reminded = handed = 0
    with session_scope(engine) as session:
        due = list(session.scalars(select(Offer).where(Offer.answer.is_(None), Offer.sent_at.is_not(None),
                                                       Offer.channel != "agent",
                                                       Offer.status.in_(("sent", "opened", "reminded")))))
        for offer in due:
            sent_at = offer.sent_at.replace(tzinfo=offer.sent_at.tzinfo or UTC)
            if offer.status != "reminded" and now - sent_at >= REMIND_AFTER:
                _event(session, offer, "reminded", "recoque", "relance J+15")
                reminded += 1
            elif offer.status == "reminded" and now - sent_at >= HAND_OVER_AFTER:
                _event(session, offer, "no_answer", "recoque", "sans réponse à J+30")
                offer.assigned_to = _least_loaded(session)
                _event(session, offer, "handed", "recoque", f"confié à {offer.assigned_to}")
                handed += 1
        reminders = [(o.id, o.channel, o.recipient, o.benefit, o.amount_month, o.entry_id)
                     for o in due if o.status == "reminded"]
    for offer_id, channel, recipient, benefit_id, amount, entry_id in reminders:
        code = issue_code(engine, entry_id)
        body = (sms_text if channel == "sms" else letter_text)(settings, benefit_id, amount, code)
        outbox.enqueue(engine, key=f"offer-{offer_id}-reminder", channel=channel, recipient=recipient,
                       body=body, subject="Rappel : une aide pour vous", offer_id=offer_id)
    return {"reminded": reminded, "handed": handed}


def timeline(engine: Engine, offer_id: int) -> list[OfferEvent]:
    return detached_rows(engine, select(OfferEvent).where(OfferEvent.offer_id == offer_id).order_by(OfferEvent.id))


def dashboard(engine: Engine) -> dict:
    """Offers, answers, uptake and euros per month unlocked, per benefit."""
    with session_scope(engine) as session:
        rows = session.execute(select(Offer.benefit, Offer.status, func.count(), func.sum(Offer.amount_month))
                               .where(Offer.status.not_in(("draft", "rejected"))).group_by(Offer.benefit, Offer.status)).all()
    frame = pd.DataFrame(rows, columns=["benefit", "status", "offers", "amount"])
    if frame.empty:
        return {"offers": 0, "by_status": {}, "uptake": None, "euros_month_confirmed": 0.0, "euros_month_granted": 0.0,
                "by_benefit": []}
    answered_yes = frame[frame["status"].isin(("confirmed", "granted"))]
    sent = frame[~frame["status"].isin(("queued",))]["offers"].sum()
    by_benefit = []
    for b, g in frame.groupby("benefit"):
        yes = g[g["status"].isin(("confirmed", "granted"))]
        by_benefit.append({"benefit": b, "label": get_benefit(b).label_fr, "offers": int(g["offers"].sum()),
                           "accepted": int(yes["offers"].sum()),
                           "granted_eur_month": round(float(g[g["status"] == "granted"]["amount"].sum()), 2)})
    return {"offers": int(frame["offers"].sum()),
            "by_status": {s: int(n) for s, n in frame.groupby("status")["offers"].sum().items()},
            "uptake": round(float(answered_yes["offers"].sum()) / sent, 3) if sent else None,
            "euros_month_confirmed": round(float(answered_yes["amount"].sum()), 2),
            "euros_month_granted": round(float(frame[frame["status"] == "granted"]["amount"].sum()), 2),
            "by_benefit": by_benefit}
