"""Outreach: the messages every capability sends to residents (SMS, e-mail, letters), queued in
one exactly-once outbox and delivered by ``recoque rights deliver``."""
