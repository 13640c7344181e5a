"""Split the labelled collection-message corpus into train / dev / held-out-topic files.

Usage::

    python scripts/split_corpus.py [--corpus data/collection-corpus] [--spec ../shared/spec/textguard.md]

Reads every ``raw/*.jsonl`` under the corpus folder, validates each record,
drops exact duplicate texts (keeping the first id in file order) and any text
that copies a quoted example from the spec, then:

1. moves every record whose ``topic`` is in ``HELDOUT_TOPICS`` to
   ``heldout_topic.jsonl`` (whole topics never seen in training, to measure
   generalisation);
2. splits the rest ~75 % / ~25 % into ``train.jsonl`` / ``dev.jsonl``.  The
   split is stratified: records are grouped by (language, label set) and, within
   each group, ordered by a SHA-256 hash of the id; every fourth record (from a
   group-dependent offset) goes to dev.  The result depends only on the ids and
   labels, never on file order or on a random seed.
3. records by a train-only author (``TRAIN_ONLY_AUTHORS``: authors C and D,
   texts added to widen training coverage) go to ``train.jsonl`` only, except those
   on a held-out topic, which are dropped (train must never see those themes, or
   ``heldout_topic.jsonl`` would stop measuring unseen themes); records by an evaluation-only author (``EVAL_ONLY_AUTHORS``:
   author E) go to ``heldout_author.jsonl`` only, and are deduplicated last.  They are set aside before step 2 and deduplicated after
   every other record, so adding them never moves, drops or renumbers a dev or
   held-out record: those files stay comparable with earlier figures.

Finally it prints the counts per split x language x category.  It writes each
output to a temporary file and renames it, so an interrupted run leaves no
half-written split.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

CATEGORIES = (
    "threat_violence",
    "threat_exposure",
    "third_party_disclosure",
    "false_representation",
    "insult_abuse",
    "harassment",
)
AUDIENCES = {"debtor", "third_party", "transcript"}
CHANNELS = {"sms", "im", "call_script", "email", "letter", "transcript"}
EVASIONS = {"none", "homophone", "pinyin", "spacing", "symbols", "fullwidth", "traditional", "emoji", "mixed"}
REQUIRED = ("id", "text", "lang", "audience", "channel", "violation", "categories", "topic", "hard_negative", "evasion")

# Whole topics kept out of train and dev: five violation topics and two hard-negative topics.
HELDOUT_TOPICS = (
    "doctored_image",  # threat_exposure via P图 / edited pictures
    "discord_sowing",  # third_party_disclosure by slandering the debtor to friends
    "fake_government",  # false_representation posing as regulators / government offices
    "complaint_quoted",  # compliant: a debtor's complaint quoted back with the abusive words in it
    "court_truthful",  # compliant: truthful, non-threatening mentions of 法院 / court
    "property_threat",  # threat_violence aimed at cars, shops, pets, houses
    "multichannel_bombardment",  # harassment across SMS / WeChat / email / new accounts
    # the same themes under the topic names a second author used
    "pimage",
    "fake_regulator",
    "fake_gov",
    "pretext_regulator",
)
DEV_EVERY = 4  # one record in four goes to dev
# Authors whose records only ever go to train (see step 3 in the module docstring).
TRAIN_ONLY_AUTHORS = ("C", "D")
# Authors whose records only ever go to `heldout_author.jsonl`: texts written independently, never trained on
# and never used to choose anything, the closest thing here to the messages the guard will meet in use.
EVAL_ONLY_AUTHORS = ("E",)


class CorpusError(ValueError):
    """A raw corpus line is malformed; the message names file, line and field."""


def normalise(text: str) -> str:
    """NFKC, lower case, and no whitespace or punctuation: for duplicate and spec-copy checks."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if not (ch.isspace() or unicodedata.category(ch)[0] in "PSZ"))


def spec_examples(spec_path: Path) -> list[str]:
    """The quoted examples in the spec: the third column of the category table plus the quoted must-pass texts."""
    text = spec_path.read_text(encoding="utf-8")
    examples: list[str] = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            for part in cells[2].split(" / "):
                part = re.sub(r"\(.*?\)", "", part).strip()
                if part:
                    examples.append(part)
    examples += re.findall(r"\(\"([^\"]+)\"", text)
    examples += re.findall(r"\"([^\"]{6,})\"\)", text)
    return sorted(set(examples))


def copies_spec(text: str, normalised_examples: list[str]) -> bool:
    """True if the text equals a spec example, or contains one that is long enough to be a real copy."""
    norm = normalise(text)
    return any(norm == ex or (len(ex) >= 8 and ex in norm) for ex in normalised_examples)


def validate(record: dict[str, object], where: str) -> None:
    for key in REQUIRED:
        if key not in record:
            raise CorpusError(f"{where}: missing field '{key}'")
    cats = record["categories"]
    if not isinstance(cats, list) or any(c not in CATEGORIES for c in cats):
        raise CorpusError(f"{where}: field 'categories' has an unknown category: {cats}")
    if bool(cats) != record["violation"]:
        raise CorpusError(f"{where}: field 'categories' must be empty exactly when 'violation' is false")
    if record["lang"] not in ("zh", "en"):
        raise CorpusError(f"{where}: field 'lang' must be zh or en, got {record['lang']!r}")
    if record["audience"] not in AUDIENCES:
        raise CorpusError(f"{where}: field 'audience' is {record['audience']!r}")
    if record["channel"] not in CHANNELS:
        raise CorpusError(f"{where}: field 'channel' is {record['channel']!r}")
    if record["evasion"] not in EVASIONS:
        raise CorpusError(f"{where}: field 'evasion' is {record['evasion']!r}")
    if not isinstance(record["text"], str) or not record["text"].strip():
        raise CorpusError(f"{where}: field 'text' is empty")


def load(raw_dir: Path) -> list[dict[str, object]]:
    records: list[dict[str, object]] = []
    seen_ids: dict[str, str] = {}
    for path in sorted(raw_dir.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.name}:{n}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{where}: not valid JSON ({exc})") from exc
            validate(record, where)
            rid = str(record["id"])
            if rid in seen_ids:
                raise CorpusError(f"{where}: field 'id' {rid!r} already used at {seen_ids[rid]}")
            seen_ids[rid] = where
            record.setdefault("author", "A")
            records.append(record)
    return records


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def split(records: list[dict[str, object]]) -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = {"train": [], "dev": [], "heldout_topic": [], "heldout_author": []}
    groups: dict[tuple[str, ...], list[dict[str, object]]] = {}
    for record in records:
        if record.get("author") in EVAL_ONLY_AUTHORS:
            out["heldout_author"].append(record)
            continue
        if record.get("author") in TRAIN_ONLY_AUTHORS:
            if record["topic"] not in HELDOUT_TOPICS:
                out["train"].append(record)
            continue
        if record["topic"] in HELDOUT_TOPICS:
            out["heldout_topic"].append(record)
            continue
        cats = record["categories"]
        assert isinstance(cats, list)
        label = "+".join(sorted(cats)) if cats else ("hard_negative" if record["hard_negative"] else "compliant")
        groups.setdefault((str(record["lang"]), label), []).append(record)
    for key, members in sorted(groups.items()):
        members.sort(key=lambda r: _hash(str(r["id"])))
        offset = int(_hash("|".join(key)), 16) % DEV_EVERY
        for rank, record in enumerate(members):
            out["dev" if rank % DEV_EVERY == offset else "train"].append(record)
    for name in out:
        out[name].sort(key=lambda r: str(r["id"]))
    return out


def write_jsonl(path: Path, records: list[dict[str, object]]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    tmp.replace(path)


def counts_table(parts: dict[str, list[dict[str, object]]]) -> str:
    cols = [*CATEGORIES, "violations", "compliant", "hard_negative", "total"]
    lines = ["| split | lang | " + " | ".join(cols) + " |", "|" + "---|" * (len(cols) + 2)]
    for name, records in parts.items():
        for lang in ("zh", "en"):
            c: Counter[str] = Counter()
            for r in records:
                if r["lang"] != lang:
                    continue
                c["total"] += 1
                c["violations" if r["violation"] else "compliant"] += 1
                c["hard_negative"] += bool(r["hard_negative"])
                for cat in r["categories"]:  # type: ignore[attr-defined]
                    c[cat] += 1
            lines.append(f"| {name} | {lang} | " + " | ".join(str(c[k]) for k in cols) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    repo = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=repo / "data" / "collection-corpus")
    parser.add_argument("--spec", type=Path, default=repo / ".." / "shared" / "spec" / "textguard.md")
    args = parser.parse_args(argv)

    try:
        records = load(args.corpus / "raw")
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    examples = [normalise(e) for e in spec_examples(args.spec)] if args.spec.exists() else []
    if not examples:
        print(f"warning: no spec examples read from {args.spec}; spec-copy check skipped", file=sys.stderr)

    kept: list[dict[str, object]] = []
    seen_text: dict[str, str] = {}
    # train-only authors after the others, so a duplicate of an earlier text never displaces a dev or held-out
    # record; evaluation-only authors last, so a text already in another split never counts as unseen
    def order(r: dict[str, object]) -> int:
        return 2 if r.get("author") in EVAL_ONLY_AUTHORS else int(r.get("author") in TRAIN_ONLY_AUTHORS)

    for record in sorted(records, key=order):
        text = str(record["text"])
        norm = normalise(text)
        if norm in seen_text:
            print(f"dropped duplicate {record['id']} (same text as {seen_text[norm]})", file=sys.stderr)
            continue
        if copies_spec(text, examples):
            print(f"dropped {record['id']}: copies a spec example", file=sys.stderr)
            continue
        seen_text[norm] = str(record["id"])
        kept.append(record)

    parts = split(kept)
    for name, part in parts.items():
        write_jsonl(args.corpus / f"{name}.jsonl", part)
    print(f"read {len(records)} records, kept {len(kept)}; held-out topics: {', '.join(HELDOUT_TOPICS)}")
    print(counts_table(parts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
