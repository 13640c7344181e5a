"""The outbox dispatcher. Each queued message is claimed with a conditional UPDATE (status 'queued' ->
'sending'); only the worker whose UPDATE changed the row sends it, so two dispatchers never send one message
twice. Before sending, the compliance check runs again at the real send time: a message that has become
untimely waits (`not_before`), one that is now blocked for good fails. A sent message is logged as a contact
attempt so frequency caps count it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, and_, insert, or_, select, update

from arrears.channels.base import OutboundMessage, Transport, TransportError
from arrears.channels.email.smtp import SmtpConfig, SmtpTransport
from arrears.channels.sms.dev import ConsoleSmsProvider, FileSmsProvider
from arrears.channels.sms.provider import DeliveryReport, SmsTransport
from arrears.compliance.decision import Verdict
from arrears.domain.clock import Clock
from arrears.services.compliance import ComplianceService
from arrears.services.workspace.casefile import build_case, restriction_gates
from arrears.services.workspace.common import new_id
from arrears.services.workspace.composer import default_service
from arrears.settings import Settings
from arrears.storage import audit
from arrears.storage.tables import contact_attempts, contact_points
from arrears.storage.tables_work import outbox

ACTOR = "system:outbox"
STALE_AFTER = timedelta(minutes=10)  # a 'sending' claim older than this is given back to the queue


def transports_from_settings(settings: Settings) -> dict[str, Transport]:
    sms_provider = (
        FileSmsProvider(Path(settings.sms_file)) if settings.sms_provider == "file" else ConsoleSmsProvider()
    )
    return {
        "sms": SmsTransport(sms_provider, settings.sms_sign_name),
        "email": SmtpTransport(SmtpConfig(
            host=settings.smtp_host, port=settings.smtp_port, sender=settings.mail_from,
            username=settings.smtp_username, password=settings.smtp_password, starttls=settings.smtp_starttls,
            use_ssl=settings.smtp_ssl,
        )),
    }


@dataclass(frozen=True, slots=True)
class DispatchReport:
    sent: int = 0
    failed: int = 0
    retry: int = 0
    deferred: int = 0
    skipped: int = 0  # claimed by another worker first


def claim(engine: Engine, message_id: str, now: datetime) -> bool:
    """Take one queued message for sending. True only for the caller whose UPDATE changed the row."""
    with engine.begin() as conn:
        res = conn.execute(
            update(outbox)
            .where(outbox.c.message_id == message_id, outbox.c.status == "queued")
            .values(status="sending", claimed_at=now, attempts=outbox.c.attempts + 1)
        )
        return res.rowcount == 1


def dispatch_outbox(
    engine: Engine, *, clock: Clock, settings: Settings, transports: Mapping[str, Transport],
    limit: int = 100, service: ComplianceService | None = None,
) -> DispatchReport:
    now = clock.now()
    counts = {"sent": 0, "failed": 0, "retry": 0, "deferred": 0, "skipped": 0}
    with engine.begin() as conn:
        conn.execute(  # give back claims of a crashed worker
            update(outbox).where(outbox.c.status == "sending", outbox.c.claimed_at < now - STALE_AFTER)
            .values(status="queued")
        )
        ids = conn.execute(
            select(outbox.c.message_id)
            .where(outbox.c.status == "queued", or_(outbox.c.not_before.is_(None), outbox.c.not_before <= now))
            .order_by(outbox.c.created_at).limit(limit)
        ).scalars().all()
    for mid in ids:
        if not claim(engine, mid, now):
            counts["skipped"] += 1
            continue
        counts[_send_one(engine, mid, now, settings, transports, service)] += 1
    return DispatchReport(**counts)


def _send_one(engine: Engine, mid: str, now: datetime, settings: Settings, transports: Mapping[str, Transport],
              service: ComplianceService | None) -> str:
    with engine.begin() as conn:
        m = conn.execute(select(outbox).where(outbox.c.message_id == mid)).mappings().one()
        point = conn.execute(
            select(contact_points.c.value, contact_points.c.opted_out)
            .where(contact_points.c.contact_point_id == m["contact_point_id"])
        ).one()
        subject = f"borrower:{m['borrower_id']}"
        text = f"{m['subject']}\n{m['body']}" if m["subject"] else m["body"]
        sent_text = f"【{settings.sms_sign_name}】{text}" if m["channel"] == "sms" and settings.sms_sign_name else text
        raw = build_case(conn, borrower_id=m["borrower_id"], now=now, pack=settings.workspace_pack,
                         attempt={"to": m["party_id"], "point": m["contact_point_id"], "channel": m["channel"],
                                  "debt": m["loan_id"], "text": sent_text,
                                  "purpose": "collect" if m["party_id"] == m["borrower_id"] else "locate"},
                         collector=m["created_by"], home_tz=settings.timezone)
        decision, _ = (service or default_service()).check(raw, source="api")
        gates = [g[0] for g in restriction_gates(conn, borrower_id=m["borrower_id"], party_id=m["party_id"],
                                                 point_id=m["contact_point_id"], channel=m["channel"], now=now,
                                                 home_tz=settings.timezone)]
        if gates or point.opted_out:
            conn.execute(update(outbox).where(outbox.c.message_id == mid).values(
                status="failed", error="blocked at send time: " + ",".join(gates or ["WS-OPT-OUT"])))
            audit.append(conn, at=now, actor=ACTOR, action="workspace.message_blocked_at_send", subject=subject,
                         detail={"message_id": mid, "rules": gates})
            return "failed"
        if decision.verdict not in (Verdict.ALLOW, Verdict.ALLOW_WITH_CONSTRAINTS):
            if decision.next_allowed_at is not None:
                conn.execute(update(outbox).where(outbox.c.message_id == mid).values(
                    status="queued", not_before=decision.next_allowed_at, attempts=outbox.c.attempts - 1,
                    error="deferred: " + ",".join(decision.rule_ids)))
                return "deferred"
            conn.execute(update(outbox).where(outbox.c.message_id == mid).values(
                status="failed", error="blocked at send time: " + ",".join(decision.rule_ids)))
            audit.append(conn, at=now, actor=ACTOR, action="workspace.message_blocked_at_send", subject=subject,
                         detail={"message_id": mid, "rules": list(decision.rule_ids)})
            return "failed"
        # the address is personal data: its use is audited
        audit.append(conn, at=now, actor=ACTOR, action="personal_data.use", subject=subject,
                     detail={"contact_point_id": m["contact_point_id"], "purpose": f"send {m['channel']} {mid}"})
    transport = transports.get(m["channel"])
    try:
        if transport is None:
            raise TransportError(f"no transport for channel {m['channel']}", permanent=True, code="no_transport")
        result = transport.send(OutboundMessage(message_id=mid, channel=m["channel"], to=point.value,
                                                body=m["body"], subject=m["subject"]))
    except TransportError as e:
        final = e.permanent or m["attempts"] >= settings.outbox_max_attempts
        with engine.begin() as conn:
            conn.execute(update(outbox).where(outbox.c.message_id == mid).values(
                status="failed" if final else "queued", error=str(e)[:1000],
                provider=transport.name if transport else None))
            audit.append(conn, at=now, actor=ACTOR, action="workspace.message_failed" if final else "workspace.message_retry",
                         subject=subject, detail={"message_id": mid, "error": str(e)[:300], "permanent": e.permanent})
        return "failed" if final else "retry"
    attempt_id = new_id("ws")
    with engine.begin() as conn:
        conn.execute(insert(contact_attempts).values(
            attempt_id=attempt_id, borrower_id=m["borrower_id"], loan_id=m["loan_id"], party_id=m["party_id"],
            contact_point_id=m["contact_point_id"], channel=m["channel"], direction="out", outcome="sent", at=now,
            collector_id=m["created_by"], text=text))
        conn.execute(update(outbox).where(outbox.c.message_id == mid).values(
            status="sent", provider=result.provider, provider_message_id=result.provider_message_id, sent_at=now,
            attempt_id=attempt_id, error=None))
        audit.append(conn, at=now, actor=ACTOR, action="workspace.message_sent", subject=subject,
                     detail={"message_id": mid, "provider": result.provider,
                             "provider_message_id": result.provider_message_id})
    return "sent"


def record_delivery(engine: Engine, *, clock: Clock, provider: str, reports: list[DeliveryReport]) -> int:
    """Apply a provider's status callback. Returns how many outbox messages it matched."""
    now = clock.now()
    matched = 0
    with engine.begin() as conn:
        for r in reports:
            res = conn.execute(
                update(outbox)
                .where(and_(outbox.c.provider == provider, outbox.c.provider_message_id == r.provider_message_id))
                .values(delivery_status=r.status if r.error_code is None else f"{r.status}:{r.error_code}")
            )
            matched += res.rowcount
        audit.append(conn, at=now, actor=f"provider:{provider}", action="workspace.delivery_reports",
                     subject="outbox", detail={"reports": len(reports), "matched": matched,
                                               "ids": json.dumps([r.provider_message_id for r in reports])[:500]})
    return matched


def dispatch_one(
    engine: Engine, *, clock: Clock, settings: Settings, transports: Mapping[str, Transport], message_id: str,
    service: ComplianceService | None = None,
) -> str | None:
    """Send one queued message now (the composer's send button). None when another worker has it."""
    now = clock.now()
    if not claim(engine, message_id, now):
        return None
    return _send_one(engine, message_id, now, settings, transports, service)
