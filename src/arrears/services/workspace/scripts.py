"""The script library (话术): versioned scenario scripts in zh-CN and en. The highest version of a (script, lang)
is in force. Team leads edit; every save must pass the text guard. `suggest_scenario` picks the scenario from
the strategy's template, the segment/bucket and the last outcome."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import Connection, Engine, func, insert, select

from arrears.domain.clock import Clock
from arrears.domain.content import ContentChecker
from arrears.services.auth import User
from arrears.services.workspace.common import Blocked, NotFound, WorkspaceError, record, require_lead
from arrears.storage import audit
from arrears.storage.tables_work import scripts

SCENARIOS: dict[str, tuple[str, str]] = {
    "first_contact": ("首次联系", "first contact"),
    "reminder": ("还款提醒", "reminder"),
    "cant_pay_now": ("暂时无力还款", "can't pay now"),
    "dispute": ("对债务有异议", "disputes the debt"),
    "hardship": ("经济困难或生病", "hardship or illness"),
    "angry_customer": ("客户情绪激动", "angry customer"),
    "broken_promise": ("承诺未兑现", "broken promise"),
    "third_party_callback": ("第三方转告回电(仅寻人)", "third-party callback request (locate only)"),
    "goodwill_greeting": ("善意问候", "goodwill greeting"),
}
LANGS = ("zh", "en")
AUDIENCES = ("debtor", "third_party")
_ID = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


@dataclass(frozen=True, slots=True)
class Script:
    script_id: str
    lang: str
    version: int
    scenario: str
    audience: str
    title: str
    body: str
    author: str
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "script_id": self.script_id,
            "lang": self.lang,
            "version": self.version,
            "scenario": self.scenario,
            "audience": self.audience,
            "title": self.title,
            "body": self.body,
            "author": self.author,
            "created_at": self.created_at.isoformat(),
        }


def _from_row(r: Mapping[Any, Any]) -> Script:
    return Script(
        r["script_id"],
        r["lang"],
        r["version"],
        r["scenario"],
        r["audience"],
        r["title"],
        r["body"],
        r["author"],
        r["created_at"],
    )


@lru_cache(maxsize=1)
def builtin_scripts() -> tuple[dict[str, Any], ...]:
    text = (resources.files("arrears.services.workspace") / "scripts_builtin.yaml").read_text(
        encoding="utf-8"
    )
    return tuple(yaml.safe_load(text)["scripts"])


def seed_scripts(engine: Engine, *, clock: Clock, actor: str = "system:seed") -> int:
    """Write version 1 of every built-in script that is not in the library yet. Returns how many were added."""
    now = clock.now()
    added = 0
    with engine.begin() as conn:
        have = {
            (r.script_id, r.lang)
            for r in conn.execute(select(scripts.c.script_id, scripts.c.lang).distinct())
        }
        for s in builtin_scripts():
            for lang in LANGS:
                if (s["script_id"], lang) in have:
                    continue
                conn.execute(
                    insert(scripts).values(
                        script_id=s["script_id"],
                        lang=lang,
                        version=1,
                        scenario=s["scenario"],
                        audience=s["audience"],
                        title=s["title"][lang],
                        body=s["body"][lang],
                        author=actor,
                        created_at=now,
                    )
                )
                added += 1
        if added:
            audit.append(
                conn,
                at=now,
                actor=actor,
                action="workspace.scripts_seeded",
                subject="scripts",
                detail={"added": added},
            )
    return added


def _latest_query() -> Any:
    newest = (
        select(scripts.c.script_id, scripts.c.lang, func.max(scripts.c.version).label("version"))
        .group_by(scripts.c.script_id, scripts.c.lang)
        .subquery()
    )
    return select(scripts).join(
        newest,
        (newest.c.script_id == scripts.c.script_id)
        & (newest.c.lang == scripts.c.lang)
        & (newest.c.version == scripts.c.version),
    )


def latest_scripts(conn: Connection, *, lang: str | None = None, scenario: str | None = None) -> list[Script]:
    q = _latest_query()
    if lang is not None:
        q = q.where(scripts.c.lang == lang)
    if scenario is not None:
        q = q.where(scripts.c.scenario == scenario)
    return [
        _from_row(r) for r in conn.execute(q.order_by(scripts.c.scenario, scripts.c.script_id)).mappings()
    ]


# The library in force, per process, keyed by database, language and the table's fingerprint (row count, highest version):
# scripts are only ever added (a save writes a new version), so an unchanged fingerprint means an unchanged
# library, and a save in any process changes it.
_LIBRARY: dict[tuple[str, str | None, object], list[Script]] = {}
_LIBRARY_MAX = 32


def latest_scripts_cached(conn: Connection, *, lang: str | None, fingerprint: object) -> list[Script]:
    """`latest_scripts(conn, lang=lang)`, reused while the library's `fingerprint` is unchanged (see
    queries.read_account_workspace, which reads it with the account's other facts)."""
    key = (str(conn.engine.url), lang, fingerprint)
    found = _LIBRARY.get(key)
    if found is None:
        found = latest_scripts(conn, lang=lang)
        if len(_LIBRARY) >= _LIBRARY_MAX:
            _LIBRARY.clear()
        _LIBRARY[key] = found
    return list(found)


def get_script(conn: Connection, script_id: str, lang: str, version: int | None = None) -> Script:
    q = select(scripts).where(scripts.c.script_id == script_id, scripts.c.lang == lang)
    q = q.where(scripts.c.version == version) if version is not None else q.order_by(scripts.c.version.desc())
    row = conn.execute(q.limit(1)).mappings().first()
    if row is None:
        raise NotFound(
            "no_script",
            f"没有话术 {script_id} ({lang})",
            f"no script {script_id} ({lang})",
            field="script_id",
        )
    return _from_row(row)


def script_history(conn: Connection, script_id: str, lang: str) -> list[Script]:
    rows = conn.execute(
        select(scripts)
        .where(scripts.c.script_id == script_id, scripts.c.lang == lang)
        .order_by(scripts.c.version.desc())
    ).mappings()
    return [_from_row(r) for r in rows]


def guard_findings(
    checker: ContentChecker, text: str, audience: str, lang: str
) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    """The guard's categories and spans for `text` (empty when it passes)."""
    report = checker.check(text, audience=audience, lang=lang)
    if not report.violation:
        return (), []
    spans = [
        {"start": f.span.start, "end": f.span.end, "category": f.category.value, "evidence": f.span.evidence}
        for f in report.findings
        if f.category is not None and not f.negated and f.span is not None
    ]
    return tuple(c.value for c in report.categories), spans


def save_script(
    engine: Engine,
    *,
    clock: Clock,
    user: User,
    checker: ContentChecker,
    script_id: str,
    lang: str,
    body: str,
    title: str | None = None,
    scenario: str | None = None,
    audience: str | None = None,
) -> Script:
    """Save a new version (team leads only). A text the guard flags is refused with its categories and spans."""
    require_lead(user)
    if lang not in LANGS:
        raise WorkspaceError("invalid", "语言须为 zh 或 en", "lang must be zh or en", field="lang")
    if not _ID.match(script_id):
        raise WorkspaceError(
            "invalid",
            "话术编号只能用小写字母、数字和下划线",
            "script_id: lowercase letters, digits and _",
            field="script_id",
        )
    text = body.strip()
    if not text or len(text) > 2000:
        raise WorkspaceError(
            "invalid", "话术内容须为 1 到 2000 字", "the body must have 1 to 2000 characters", field="body"
        )
    now = clock.now()
    with engine.connect() as conn:
        prev = (
            conn.execute(
                select(scripts)
                .where(scripts.c.script_id == script_id)
                .order_by(scripts.c.version.desc())
                .limit(1)
            )
            .mappings()
            .first()
        )
    scen = scenario or (prev["scenario"] if prev else None)
    aud = audience or (prev["audience"] if prev else "debtor")
    if scen not in SCENARIOS:
        raise WorkspaceError(
            "invalid", "请选择话术场景", f"scenario must be one of {', '.join(SCENARIOS)}", field="scenario"
        )
    if aud not in AUDIENCES:
        raise WorkspaceError(
            "invalid",
            "对象须为 debtor 或 third_party",
            "audience must be debtor or third_party",
            field="audience",
        )
    cats, spans = guard_findings(checker, text, aud, lang)
    if cats:
        with engine.begin() as conn:
            record(
                conn,
                user,
                now,
                "workspace.script_refused",
                f"script:{script_id}",
                lang=lang,
                categories=list(cats),
            )
        raise Blocked(
            "话术未通过文本审查:" + "、".join(cats),
            "the script failed the text guard: " + ", ".join(cats),
            rules=cats,
            detail={"spans": spans},
        )
    with engine.begin() as conn:
        current = conn.execute(
            select(func.max(scripts.c.version)).where(
                scripts.c.script_id == script_id, scripts.c.lang == lang
            )
        ).scalar()
        version = int(current or 0) + 1
        row = {
            "script_id": script_id,
            "lang": lang,
            "version": version,
            "scenario": scen,
            "audience": aud,
            "title": (title or (prev["title"] if prev else script_id)).strip()[:200],
            "body": text,
            "author": user.username,
            "created_at": now,
        }
        conn.execute(insert(scripts).values(**row))
        record(conn, user, now, "workspace.script_saved", f"script:{script_id}", lang=lang, version=version)
        return _from_row(row)


# The strategy's template names (plan_contacts.script) -> a scenario.
TEMPLATE_SCENARIO = {
    "reminder_pre_due": "reminder",
    "reminder_due_today": "reminder",
    "ptp_reminder": "reminder",
    "ptp_due_check": "reminder",
    "overdue_notice_gentle": "first_contact",
    "goodwill_call": "goodwill_greeting",
    "care_notice": "goodwill_greeting",
    "locate_only": "third_party_callback",
    "plan_offer": "cant_pay_now",
    "final_plan_offer_letter": "cant_pay_now",
    "resolution_call": "cant_pay_now",
    "final_resolution_call": "cant_pay_now",
    "broken_promise_followup": "broken_promise",
    "hardship_check_in": "hardship",
    "guarantor_notice": "reminder",
}
OUTCOME_SCENARIO = {
    "dispute": "dispute",
    "hardship": "hardship",
    "refused": "cant_pay_now",
    "third_party": "third_party_callback",
}


def suggest_scenario(
    *,
    audience: str = "debtor",
    template: str | None = None,
    last_outcome: str | None = None,
    promise_broken: bool = False,
    segment: str | None = None,
    bucket: str | None = None,
    ever_reached: bool = True,
) -> str:
    """The scenario to open with. Safety first: a third party only ever gets the locate-only script."""
    if audience != "debtor":
        return "third_party_callback"
    if last_outcome in OUTCOME_SCENARIO and last_outcome != "third_party":
        return OUTCOME_SCENARIO[last_outcome]
    if promise_broken:
        return "broken_promise"
    if segment and ("vulnerab" in segment or "care" in segment):
        return "hardship"
    if template in TEMPLATE_SCENARIO and TEMPLATE_SCENARIO[template] != "third_party_callback":
        return TEMPLATE_SCENARIO[template]
    if bucket in ("pre_due", "current", "M0"):
        return "reminder"
    return "reminder" if ever_reached else "first_contact"


_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def render(body: str, values: Mapping[str, str]) -> str:
    """Fill the {placeholders}; unknown ones stay visible so the agent sees what is missing."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), body)
