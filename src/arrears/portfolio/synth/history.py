"""Thirty days of contact history, generated column-wise per (borrower, day, call slot).

Who is contacted: borrowers whose worst loan is past due, about that loan, on days when it was past due and
no hold was active; more often in early buckets. Per contact day: 1-3 outbound calls (human or AI voice) to
the contract mobile, stopping after the first answer, and sometimes one SMS. A borrower who answers is more
willing to pay (same hidden w). Borrowers with a dead number get `not_in_service`.
A few borrowers call in. Current loans get an SMS reminder the day before an instalment falls due.
Third parties: only when every call to the borrower in the window failed and at least 3 contact days had
failed, once, to the first emergency contact who has not refused, on a later day (CN-PARTY-2), with no text.
All times are inside 08:00-21:00 in every candidate zone of the borrower; per day at most 3 calls and
one collection SMS to a borrower (CN-FREQ-1/2, firm caps).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from arrears.portfolio.synth import arrowcols as ac
from arrears.portfolio.synth.arrowcols import ZoneClock
from arrears.portfolio.synth.behaviour import Repayment, bucket_index, sigmoid
from arrears.portfolio.synth.holds import Holds
from arrears.portfolio.synth.loans import Loans
from arrears.portfolio.synth.people import People
from arrears.portfolio.synth.zones import HISTORY_DAYS, PRIMARY_ZONE

CONTACT_DAY_P = np.array([0.0, 0.55, 0.40, 0.30, 0.20, 0.15, 0.10])  # by bucket
CHANNELS = ("call", "ai_voice", "sms")
OUTCOMES = (
    "conversation", "answered_no_conversation", "rang_no_answer", "busy", "voicemail", "network_fail",
    "not_in_service", "delivered", "sent", "refused",
)  # fmt: skip
_O = {o: i for i, o in enumerate(OUTCOMES)}
TEXTS = (
    "【还款提醒】您好,您的借款本期账单将于明日到期,请按时还款。如已还款请忽略。",
    "【逾期提醒】您好,您的借款已逾期,请尽快登录App或致电客服处理。如有困难可申请协商还款。",
)
N_COLLECTORS = 300
N_AGENCIES = 5


@dataclass(frozen=True, slots=True)
class History:
    table: pa.Table
    conversation: np.ndarray  # per borrower: a conversation in the window
    inbound: np.ndarray  # per borrower: called in during the window


@dataclass
class _Rows:
    """Attempt rows being collected: one dict of parallel NumPy columns per kind of attempt."""

    parts: list[dict[str, np.ndarray]] = field(default_factory=list)

    def add(
        self,
        borrower: np.ndarray,
        loan: np.ndarray,
        at: np.ndarray,
        *,
        outcome: np.ndarray | int,
        channel: np.ndarray | int = 0,
        inbound: bool = False,
        third_party: bool = False,
        text: int = -1,
    ) -> None:
        n = len(borrower)

        def full(v: np.ndarray | int | bool) -> np.ndarray:
            return np.broadcast_to(np.asarray(v), (n,))

        self.parts.append(
            {
                "borrower": borrower,
                "loan": loan,
                "at": at,
                "outcome": full(outcome),
                "channel": full(channel),
                "inbound": full(inbound),
                "third_party": full(third_party),
                "text": full(text),
            }
        )

    def column(self, name: str) -> np.ndarray:
        return np.concatenate([p[name] for p in self.parts])


def _times(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    span = hi - lo - 60
    out: np.ndarray = lo + (rng.random(shape) * span).astype(np.int64)
    return out


def make_history(
    rng: np.random.Generator,
    people: People,
    loans: Loans,
    rep: Repayment,
    holds: Holds,
    as_of_day: int,
    win_lo: np.ndarray,
    win_hi: np.ndarray,
    clock: ZoneClock,
    *,
    contact_rate: float = 1.0,
) -> History:
    nb = len(people.index)
    order = np.lexsort((-rep.dpd, loans.owner))
    starts = np.r_[0, np.flatnonzero(np.diff(loans.owner[order])) + 1]
    primary = order[starts]  # the worst loan of each borrower
    dpd_b = rep.dpd[primary]
    bucket = bucket_index(dpd_b)
    rows = _Rows()

    sel = np.flatnonzero(dpd_b >= 1)
    B = len(sel)
    j = np.arange(HISTORY_DAYS)[None, :]
    day = as_of_day - HISTORY_DAYS + j
    held = (day >= holds.start_day[sel, None]) & (day < holds.end_day[sel, None])
    overdue = j > HISTORY_DAYS - dpd_b[sel, None]
    active = overdue & ~held
    day_p = CONTACT_DAY_P if contact_rate == 1.0 else np.minimum(CONTACT_DAY_P * contact_rate, 0.95)
    contact = active & (rng.random((B, HISTORY_DAYS), dtype=np.float32) < day_p[bucket[sel], None])
    lo = win_lo[people.zoneset[sel]]  # (B, 30)
    hi = win_hi[people.zoneset[sel]]

    # calls: up to 3 slots a day, stop after the first answer; later slots get later times
    u = rng.random((B, HISTORY_DAYS), dtype=np.float32)
    n_calls = 1 + (u > 0.6) + (u > 0.9)
    slot = np.arange(3)[None, None, :]
    valid = contact[:, :, None] & (slot < n_calls[:, :, None])
    w = people.willingness[sel]
    dead = people.mobile_dead[sel]
    reach = np.where(dead, 0.0, sigmoid(-0.6 + w)).astype(np.float32)
    u3 = rng.random((B, HISTORY_DAYS, 3), dtype=np.float32)
    answered = valid & (u3 < reach[:, None, None])
    before: np.ndarray = np.cumsum(answered, axis=2) - answered
    valid &= before == 0
    answered &= valid
    bi, di, si = np.nonzero(valid)
    uc = u3[bi, di, si]
    r = reach[bi]
    ans = answered[bi, di, si]
    talk = np.where(uc < 0.85 * r, _O["conversation"], _O["answered_no_conversation"])
    f = (uc - r) / np.maximum(1.0 - r, 1e-12)  # uniform on [0, 1) given no answer
    fail = np.select([f < 0.6, f < 0.8, f < 0.9], [_O["rang_no_answer"], _O["busy"], _O["voicemail"]],
                     _O["network_fail"])  # fmt: skip
    fail = np.where(dead[bi], _O["not_in_service"], fail)
    outcome = np.where(ans, talk, fail)
    ai = (bucket[sel[bi]] <= 2) & (rng.random(len(bi)) < 0.3)
    t = _times(rng, lo[bi, di], hi[bi, di], (len(bi),))
    t = t[np.lexsort((t, di, bi))]  # (bi, di) runs are contiguous: slots get ascending times
    rows.add(sel[bi], primary[sel[bi]], t, channel=ai.astype(np.int64), outcome=outcome)

    # one collection SMS on some contact days
    sms = contact & (rng.random((B, HISTORY_DAYS), dtype=np.float32) < 0.4)
    s_out = np.where(
        dead[:, None] | (rng.random((B, HISTORY_DAYS), dtype=np.float32) < 0.08), _O["sent"], _O["delivered"]
    )
    bi, di = np.nonzero(sms)
    rows.add(sel[bi], primary[sel[bi]], _times(rng, lo[bi, di], hi[bi, di], (len(bi),)), channel=2,
             outcome=s_out[bi, di], text=1)  # fmt: skip

    # inbound calls from the borrower
    inb = overdue & (rng.random((B, HISTORY_DAYS), dtype=np.float32) < (0.005 + 0.03 * sigmoid(w))[:, None])
    bi, di = np.nonzero(inb)
    rows.add(sel[bi], primary[sel[bi]], _times(rng, lo[bi, di], hi[bi, di], (len(bi),)), inbound=True,
             outcome=_O["conversation"])  # fmt: skip

    # third party: only after the borrower proved unreachable
    day_failed = valid.any(axis=2) & ~answered.any(axis=2)
    unreachable = ~answered.any(axis=(1, 2)) & (day_failed.sum(axis=1) >= 3)
    third = np.argmax(np.cumsum(day_failed, axis=1) >= 3, axis=1)
    tp_day = third + 1 + rng.integers(0, 3, size=B)
    ok = unreachable & people.has_ec[sel] & (tp_day < HISTORY_DAYS) & (rng.random(B) < 0.5)
    ok[ok] &= active[np.flatnonzero(ok), tp_day[ok]]
    bi = np.flatnonzero(ok)
    di = tp_day[bi]
    tp_out = rng.choice(np.array([_O["conversation"], _O["rang_no_answer"], _O["refused"]]), size=len(bi),
                        p=[0.5, 0.4, 0.1])  # fmt: skip
    rows.add(sel[bi], primary[sel[bi]], _times(rng, lo[bi, di], hi[bi, di], (len(bi),)), third_party=True,
             outcome=tp_out)  # fmt: skip

    # reminders before a due date, for loans that are not past due
    rem = (loans.due - 1 >= as_of_day - HISTORY_DAYS) & (loans.due - 1 < as_of_day) & (rep.dpd == 0)[:, None]
    li, ki = np.nonzero(rem)
    bo = loans.owner[li]
    rj = loans.due[li, ki] - 1 - (as_of_day - HISTORY_DAYS)
    keep = ~(
        (rj + as_of_day - HISTORY_DAYS >= holds.start_day[bo])
        & (rj + as_of_day - HISTORY_DAYS < holds.end_day[bo])
    )
    li, bo, rj = li[keep], bo[keep], rj[keep]
    zs = people.zoneset[bo]
    rows.add(bo, li, _times(rng, win_lo[zs, rj], win_hi[zs, rj], (len(bo),)), channel=2,
             outcome=np.where(people.mobile_dead[bo], _O["sent"], _O["delivered"]), text=0)  # fmt: skip

    table = _assemble(rows, people, loans, clock, bucket >= 4)
    conv = np.zeros(nb, dtype=bool)
    inbound = np.zeros(nb, dtype=bool)
    b_all = rows.column("borrower")
    talked = (rows.column("outcome") == _O["conversation"]) & (rows.column("channel") != 2)
    conv[b_all[talked & ~rows.column("third_party")]] = True
    inbound[b_all[rows.column("inbound")]] = True
    return History(table=table, conversation=conv, inbound=inbound)


def _assemble(
    rows: _Rows, people: People, loans: Loans, clock: ZoneClock, outsourced_b: np.ndarray
) -> pa.Table:
    b, loan, at, tp, ch, inbound, out, text = (
        rows.column(c)
        for c in ("borrower", "loan", "at", "third_party", "channel", "inbound", "outcome", "text")
    )
    order = np.lexsort((at, b))
    b, loan, at, tp, ch, inbound, out, text = (x[order] for x in (b, loan, at, tp, ch, inbound, out, text))
    n = len(b)
    seq = np.arange(n) - np.repeat(*_group_starts(b))
    bidx = people.index[b]
    borrower_id = pc.take(people.borrower_id, pa.array(b))
    tp_arr = pa.array(tp)
    # a collector per borrower; AI calls and SMS are system-sent; agencies work M4+ (91+ days) accounts
    collector = (bidx * 7919) % N_COLLECTORS
    human = (ch == 0) | inbound
    agency = (bidx * 104729) % N_AGENCIES
    outsourced = outsourced_b[b]
    return pa.table(
        {
            "attempt_id": ac.ids("A", bidx, 9, seq + 1),
            "borrower_id": borrower_id,
            "loan_id": pc.take(loans.loan_id, pa.array(loan)),
            "party_id": pc.if_else(tp_arr, pc.take(people.ec_party_id, pa.array(b)), borrower_id),
            "contact_point_id": pc.if_else(
                tp_arr, pc.take(people.ec_cp_id, pa.array(b)), pc.take(people.mobile_cp_id, pa.array(b))
            ),
            "channel": ac.pick(CHANNELS, ch),
            "direction": ac.pick(("out", "in"), inbound.astype(np.int64)),
            "outcome": ac.pick(OUTCOMES, out),
            "at": clock.render(at, PRIMARY_ZONE[people.zoneset[b]]),
            "collector_id": ac.concat(
                ac.pick_nullable(["C"], np.zeros(n, dtype=np.int64), human),
                pc.utf8_lpad(pc.cast(pa.array(collector), pa.string()), width=3, padding="0"),
            ),
            "agency_id": ac.concat(
                ac.pick_nullable(["AG"], np.zeros(n, dtype=np.int64), human & outsourced),
                pc.cast(pa.array(agency + 1), pa.string()),
            ),
            "text": ac.pick_nullable(TEXTS, np.maximum(text, 0), text >= 0),
        }
    )


def _group_starts(sorted_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(start index of each run, run length) of a sorted key array, for np.repeat."""
    if len(sorted_keys) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_keys)) + 1]
    lengths = np.diff(np.r_[starts, len(sorted_keys)])
    return starts, lengths
