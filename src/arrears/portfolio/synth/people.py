"""Borrowers, the people they named (emergency contacts), guarantors, and everyone's contact points."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from arrears.portfolio.synth import arrowcols as ac
from arrears.portfolio.synth.names import given_table, surname_table
from arrears.portfolio.synth.regions import REGIONS

VULNERABILITIES = ("serious_illness", "bereavement", "disability", "mental_health", "elderly", "unemployment")
VULNERABLE_SHARE = 0.02
GUARANTOR_SHARE = 0.03
MAX_PARTIES = 5  # third parties per borrower, guarantor included

# Emergency-contact roles, their weights, and relation labels (index 0 = male relative, 1 = female).
EC_ROLES = ("parent", "spouse", "friend", "colleague", "other_relative", "child")
EC_WEIGHTS = (0.36, 0.25, 0.18, 0.10, 0.08, 0.03)
RELATIONS = ("父亲", "母亲", "丈夫", "妻子", "朋友", "同事", "哥哥", "姐姐", "儿子", "女儿", "担保人")
_REL_MALE = {"parent": 0, "spouse": 2, "friend": 4, "colleague": 5, "other_relative": 6, "child": 8}
_SHARES_SURNAME = {"父亲", "哥哥", "姐姐", "儿子", "女儿"}


@dataclass(frozen=True, slots=True)
class People:
    borrowers: pa.Table
    parties: pa.Table
    contact_points: pa.Table
    # per-borrower arrays used by later stages
    index: np.ndarray  # global borrower number
    borrower_id: pa.Array
    zoneset: np.ndarray  # index into ZONESETS
    tier: np.ndarray
    willingness: np.ndarray  # hidden
    mobile_cp_id: pa.Array  # the borrower's contract mobile
    mobile_dead: np.ndarray  # the contract mobile is no longer in service
    ec_party_id: pa.Array  # first usable emergency contact (null if none)
    ec_cp_id: pa.Array
    has_ec: np.ndarray


ZONESETS: tuple[str, ...] = tuple(dict.fromkeys(r.zones for r in REGIONS))
_REGION_ZONESET = np.array([ZONESETS.index(r.zones) for r in REGIONS])
_REGION_TIER = np.array([r.tier for r in REGIONS])
_REGION_P = np.array([r.weight for r in REGIONS]) / sum(r.weight for r in REGIONS)


def person_names(
    rng: np.random.Generator, n: int, female: np.ndarray, surname: np.ndarray | None = None
) -> pa.Array:
    surnames, sp = surname_table()
    chars, n_male = given_table()
    n_female = len(chars) - n_male
    if surname is None:
        surname = rng.choice(len(surnames), size=n, p=sp)
    base = np.where(female, n_male, 0)
    span = np.where(female, n_female, n_male)
    c1 = base + (rng.random(n) * span).astype(np.int64)
    c2 = base + (rng.random(n) * span).astype(np.int64)
    single = rng.random(n) < 0.2
    char_list = [str(c) for c in chars] + [""]
    c2 = np.where(single, len(chars), c2)
    return ac.concat(
        ac.pick([str(s) for s in surnames], surname), ac.pick(char_list, c1), ac.pick(char_list, c2)
    )


def _mobiles(rng: np.random.Generator, n: int) -> pa.Array:
    """Valid-shaped 11-digit mainland mobiles, 1[3-9]x xxxx xxxx. Random: not checked against real numbers."""
    second = rng.integers(3, 10, size=n)
    rest = rng.integers(0, 10**9, size=n)
    return pc.cast(pa.array(10**10 + second * 10**9 + rest, type=pa.int64()), pa.string())


def make_people(rng: np.random.Generator, start: int, n: int) -> People:
    index = np.arange(start, start + n, dtype=np.int64)
    bid = ac.ids("B", index, 9)
    region = rng.choice(len(REGIONS), size=n, p=_REGION_P)
    zoneset = _REGION_ZONESET[region]
    tier = _REGION_TIER[region]
    female = rng.random(n) < 0.45
    surnames, sp = surname_table()
    surname = rng.choice(len(surnames), size=n, p=sp)
    name = person_names(rng, n, female, surname)
    abroad = tier == 0
    lang_en = abroad & (rng.random(n) < 0.3)
    codes = [r.code for r in REGIONS]
    has_id = np.array([bool(c) for c in codes])[region]
    id_tail = pc.utf8_lpad(
        pc.cast(pa.array(rng.integers(0, 10000, size=n)), pa.string()), width=4, padding="0"
    )
    nid = ac.concat(ac.pick_nullable(codes, region, has_id), "***********", id_tail)
    vuln_n = np.where(rng.random(n) < VULNERABLE_SHARE, 1 + (rng.random(n) < 0.25), 0)
    v1 = rng.integers(0, len(VULNERABILITIES), size=n)
    v2 = (v1 + rng.integers(1, len(VULNERABILITIES), size=n)) % len(VULNERABILITIES)
    vuln_choices = [*VULNERABILITIES, ""]
    sep = pc.if_else(pa.array(vuln_n > 1), ";", "")
    vuln = ac.concat(
        ac.pick_nullable(VULNERABILITIES, v1, vuln_n > 0),
        sep,
        ac.pick(vuln_choices, np.where(vuln_n > 1, v2, 6)),
    )
    borrowers = pa.table(
        {
            "borrower_id": bid,
            "name": name,
            "region": ac.pick([r.name for r in REGIONS], region),
            "timezones": ac.pick(ZONESETS, zoneset),
            "language": ac.pick(("zh-CN", "en"), lang_en.astype(np.int64)),
            "is_minor": pa.array(np.zeros(n, dtype=bool)),
            "vulnerability": vuln,
            "national_id_masked": nid,
        }
    )

    # --- parties: 1-5 emergency contacts, a few guarantors; at most MAX_PARTIES in all
    guarantor = rng.random(n) < GUARANTOR_SHARE
    n_ec = rng.choice(np.arange(1, 6), size=n, p=[0.35, 0.42, 0.16, 0.05, 0.02])
    n_ec = np.minimum(n_ec, MAX_PARTIES - guarantor)
    n_party = n_ec + guarantor
    owner = np.repeat(np.arange(n), n_party)
    first = np.repeat(np.cumsum(n_party) - n_party, n_party)
    ordinal = np.arange(len(owner)) - first  # 0-based within the borrower
    is_g = guarantor[owner] & (ordinal == n_party[owner] - 1)
    m = len(owner)
    role_i = rng.choice(len(EC_ROLES), size=m, p=EC_WEIGHTS)
    role_names = [*EC_ROLES, "guarantor"]
    role_i = np.where(is_g, len(EC_ROLES), role_i)
    rel_female = rng.random(m) < 0.5
    rel_base = np.array([_REL_MALE[r] for r in EC_ROLES] + [10])[role_i]
    # spouse is the other sex; friend/colleague/guarantor labels are sexless
    sexed = np.isin(role_i, [0, 1, 4, 5])
    spouse = role_i == 1
    party_female = np.where(spouse, ~female[owner], rel_female)
    rel = rel_base + np.where(sexed & party_female, 1, 0)
    rel = np.where(role_i == 1, np.where(party_female, 3, 2), rel)
    same_surname = np.isin(rel, [RELATIONS.index(x) for x in _SHARES_SURNAME])
    party_surname = np.where(same_surname, surname[owner], rng.choice(len(surnames), size=m, p=sp))
    pname = person_names(rng, m, party_female, party_surname)
    pid = ac.ids("K", index[owner], 9, ordinal + 1)
    refused = (rng.random(m) < 0.03) & ~is_g
    evidence = is_g | (spouse & (rng.random(m) < 0.1))
    parties = pa.table(
        {
            "party_id": pid,
            "borrower_id": pc.take(bid, pa.array(owner)),
            "role": ac.pick(role_names, role_i),
            "name": pname,
            "relation": ac.pick(RELATIONS, rel),
            "emergency_contact": pa.array(~is_g),
            "refused_contact": pa.array(refused),
            "relationship_evidence": pa.array(evidence),
        }
    )

    # --- contact points
    # borrower: contract mobile (always), second mobile, email, work phone
    b_rows = np.arange(n)
    has2 = rng.random(n) < 0.15
    has_mail = rng.random(n) < 0.30
    has_work = rng.random(n) < 0.08
    owners = [b_rows, b_rows[has2], b_rows[has_mail], b_rows[has_work]]
    slots = [1, 2, 3, 4]
    kinds = ["mobile", "mobile", "email", "work_phone"]
    sources = ["contract", "self_reserved", "self_reserved", "self_reserved"]
    blocks = []
    for rows, slot, kind, source in zip(owners, slots, kinds, sources, strict=True):
        k = len(rows)
        if kind == "mobile":
            value = _mobiles(rng, k)
        elif kind == "email":
            value = ac.concat(ac.ids("user", index[rows], 9), "@example.com")
        else:
            value = ac.concat("010-", pc.cast(pa.array(rng.integers(5550000, 5560000, size=k)), pa.string()))
        opted = (rng.random(k) < 0.03) if slot == 2 else np.zeros(k, dtype=bool)
        blocks.append(
            pa.table(
                {
                    "contact_point_id": ac.ids("M", index[rows], 9, np.full(k, slot)),
                    "borrower_id": pc.take(bid, pa.array(rows)),
                    "owner_id": pc.take(bid, pa.array(rows)),
                    "kind": pa.array([kind] * k, type=pa.string()) if k else pa.array([], pa.string()),
                    "value": value,
                    "source": pa.array([source] * k, type=pa.string()) if k else pa.array([], pa.string()),
                    "opted_out": pa.array(opted),
                    "employer_provided": pa.array(np.full(k, kind == "work_phone")),
                }
            )
        )
    # parties: one mobile each. The borrower named them (self_reserved); some numbers were updated by the
    # contact (reserved_contact_informed); guarantors signed the contract.
    src_choices = ("self_reserved", "reserved_contact_informed", "debtor_authorized", "contract")
    src_i = rng.choice(3, size=m, p=[0.75, 0.20, 0.05])
    src_i = np.where(is_g, 3, src_i)
    p_opted = rng.random(m) < 0.02
    blocks.append(
        pa.table(
            {
                "contact_point_id": ac.ids("M", index[owner], 9, 10 + ordinal),
                "borrower_id": pc.take(bid, pa.array(owner)),
                "owner_id": pid,
                "kind": ac.pick(("mobile",), np.zeros(m, dtype=np.int64)),
                "value": _mobiles(rng, m),
                "source": ac.pick(src_choices, src_i),
                "opted_out": pa.array(p_opted),
                "employer_provided": pa.array(np.zeros(m, dtype=bool)),
            }
        )
    )
    contact_points = pa.concat_tables(blocks)

    # first emergency contact of each borrower, usable if not refused and not opted out
    first_row = np.cumsum(n_party) - n_party
    has_ec = (n_ec > 0) & ~refused[first_row] & ~p_opted[first_row]
    ec_pid = pc.take(pid, pa.array(first_row))
    ec_cp = ac.ids("M", index, 9, np.full(n, 10))
    return People(
        borrowers=borrowers,
        parties=parties,
        contact_points=contact_points,
        index=index,
        borrower_id=bid,
        zoneset=zoneset,
        tier=tier,
        willingness=rng.standard_normal(n),
        mobile_cp_id=ac.ids("M", index, 9, np.ones(n, dtype=np.int64)),
        mobile_dead=rng.random(n) < 0.04,
        ec_party_id=ec_pid,
        ec_cp_id=ec_cp,
        has_ec=has_ec,
    )
