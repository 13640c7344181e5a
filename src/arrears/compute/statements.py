"""What the runners accept: named SQL statements, input relations and the errors they raise."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol, TypeAlias

import pyarrow as pa

# An input relation: an Arrow table, or one or more Parquet files (a directory means every *.parquet in it).
InputSource: TypeAlias = pa.Table | str | Path | Sequence[str | Path]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Flags a statement may carry to ask for a materialised step (a table, not a view).
_MATERIALIZE_FLAGS = ("materialize", "materialized", "materialise", "materialised")


class StatementLike(Protocol):
    """A named SELECT in DuckDB's dialect: the runner makes it the relation `name` (`planner.sql.Statement`)."""

    @property
    def name(self) -> str: ...

    @property
    def sql(self) -> str: ...


class ComputeError(Exception):
    """A problem running the statements: bad inputs or outputs, or a statement that failed."""


class StatementError(ComputeError):
    """A statement failed to transpile or to run. `statement` names it; `engine` says where."""

    def __init__(self, statement: str, engine: str, cause: BaseException | str, sql: str = "") -> None:
        self.statement = statement
        self.engine = engine
        self.sql = sql
        reason = cause if isinstance(cause, str) else f"{type(cause).__name__}: {cause}"
        super().__init__(f"statement {statement!r} failed on {engine}: {reason}")


def is_materialized(statement: StatementLike) -> bool:
    """True when the statement asks to be computed once and stored (a table) rather than inlined (a view)."""
    return any(bool(getattr(statement, flag, False)) for flag in _MATERIALIZE_FLAGS)


def check_names(
    statements: Sequence[StatementLike], inputs: Mapping[str, InputSource], outputs: Sequence[str]
) -> None:
    """Names are plain identifiers, unique, and every output is an input or a statement."""
    seen: set[str] = set()
    for name in [*inputs, *(s.name for s in statements)]:
        if not _NAME.match(name):
            raise ComputeError(f"relation name {name!r} is not a plain SQL identifier")
        if name.lower() in seen:
            raise ComputeError(
                f"relation {name!r} is defined twice (inputs and statements share one namespace)"
            )
        seen.add(name.lower())
    missing = [o for o in outputs if o.lower() not in seen]
    if missing:
        raise ComputeError(f"outputs {missing} are neither inputs nor statements")


def parquet_files(source: str | Path | Sequence[str | Path]) -> list[Path]:
    """The Parquet files of an input: a file, a directory of *.parquet, or a list of either."""
    items = [source] if isinstance(source, str | Path) else list(source)
    files: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            found = sorted(p.glob("*.parquet"))
            if not found:
                raise ComputeError(f"no *.parquet files in directory {p}")
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            raise ComputeError(f"input file not found: {p}")
    if not files:
        raise ComputeError("an input lists no Parquet files")
    return files
