"""Champion/challenger assignment by stable hashing.

An account's position is `blake2b("strategy_id:salt:account_id")` (8-byte digest, big-endian) modulo 10000:
a basis point in [0, 10000) that never changes while the strategy id and salt stay the same. Variants take
consecutive ranges of basis points in the order they are listed, so the shares are the configured ones up
to sampling noise. `bucket_bp` / `pick_variant` are the scalar oracle; `bucket_bp_many` / `pick_variant_many`
do the same for many ids with NumPy and must agree with them exactly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from arrears.strategy.model import Segment, Strategy, Variant

BASIS_POINTS = 10_000
_DIGEST = 8


def _prefix(strategy_id: str, salt: str) -> bytes:
    return f"{strategy_id}:{salt}:".encode()


def bucket_bp(strategy_id: str, salt: str, account_id: str) -> int:
    """The account's stable position in [0, 10000)."""
    digest = hashlib.blake2b(_prefix(strategy_id, salt) + account_id.encode(), digest_size=_DIGEST).digest()
    return int.from_bytes(digest, "big") % BASIS_POINTS


def bucket_bp_many(strategy_id: str, salt: str, account_ids: Sequence[str]) -> npt.NDArray[np.int64]:
    """`bucket_bp` for many ids at once: hash into one buffer, then reduce it as a uint64 array."""
    base = hashlib.blake2b(_prefix(strategy_id, salt), digest_size=_DIGEST)
    parts: list[bytes] = []
    append = parts.append
    for account_id in account_ids:
        h = base.copy()
        h.update(account_id.encode())
        append(h.digest())
    words = np.frombuffer(b"".join(parts), dtype=">u8")
    return (words % np.uint64(BASIS_POINTS)).astype(np.int64)


def _ends(variants: Sequence[Variant]) -> list[int]:
    ends, total = [], 0
    for v in variants:
        total += v.share_bp
        ends.append(total)
    if total != BASIS_POINTS:
        raise ValueError(f"variant shares sum to {total} bp, not {BASIS_POINTS}")
    return ends


def pick_variant(variants: Sequence[Variant], bp: int) -> int:
    """Index of the variant whose basis-point range holds `bp`."""
    for i, end in enumerate(_ends(variants)):
        if bp < end:
            return i
    raise ValueError(f"basis point {bp} outside [0, {BASIS_POINTS})")


def pick_variant_many(variants: Sequence[Variant], bps: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    ends = np.asarray(_ends(variants), dtype=np.int64)
    return np.searchsorted(ends, bps, side="right").astype(np.int64)


@dataclass(frozen=True, slots=True)
class Assignment:
    """The record of one account's arm, to be logged so results can be compared per variant."""

    strategy_id: str
    strategy_version: str
    salt: str
    account_id: str
    segment_id: str
    variant_id: str
    treatment_id: str
    bp: int

    def as_record(self) -> dict[str, str | int]:
        return {
            "strategy_id": self.strategy_id,
            "strategy_version": self.strategy_version,
            "salt": self.salt,
            "account_id": self.account_id,
            "segment_id": self.segment_id,
            "variant_id": self.variant_id,
            "treatment_id": self.treatment_id,
            "bp": self.bp,
        }


def assign(strategy: Strategy, segment: Segment, account_id: str) -> Assignment:
    bp = bucket_bp(strategy.id, strategy.salt, account_id)
    variant = segment.variants[pick_variant(segment.variants, bp)]
    return Assignment(
        strategy.id, strategy.version, strategy.salt, account_id, segment.id, variant.id, variant.treatment, bp
    )


def assign_many(strategy: Strategy, segment: Segment, account_ids: Sequence[str]) -> npt.NDArray[np.int64]:
    """Variant index (into `segment.variants`) for each id, vectorised."""
    return pick_variant_many(segment.variants, bucket_bp_many(strategy.id, strategy.salt, account_ids))
