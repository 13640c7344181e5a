"""Reading the package's YAML data files, with errors that name the file and the field."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml


class DataFileError(ValueError):
    """A data file is malformed. The message names the file and the field (`file: field: problem`)."""

    def __init__(self, source: str, field: str, problem: str) -> None:
        super().__init__(f"{source}: {field}: {problem}")
        self.source = source
        self.field = field
        self.problem = problem


def read_yaml(path: str | Path | None, packaged: str) -> tuple[Any, str]:
    """Load `path`, or the packaged file `delinquency/data/<packaged>` when `path` is None."""
    if path is None:
        resource = files("arrears.delinquency").joinpath("data", packaged)
        text, source = resource.read_text(encoding="utf-8"), f"arrears/delinquency/data/{packaged}"
    else:
        text, source = Path(path).read_text(encoding="utf-8"), str(path)
    try:
        return yaml.safe_load(text), source
    except yaml.YAMLError as exc:
        raise DataFileError(source, "<document>", f"not valid YAML: {exc}") from exc


def require_mapping(value: object, source: str, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise DataFileError(source, field, f"expected a mapping, got {type(value).__name__}")
    return value


def require_list(value: object, source: str, field: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise DataFileError(source, field, "expected a non-empty list")
    return value


def require_str(m: Mapping[str, Any], key: str, source: str, field: str) -> str:
    v = m.get(key)
    if not isinstance(v, str) or not v.strip():
        raise DataFileError(
            source, f"{field}.{key}" if field else key, f"expected a non-empty string, got {v!r}"
        )
    return v


def require_int(m: Mapping[str, Any], key: str, source: str, field: str, *, minimum: int = 0) -> int:
    v = m.get(key)
    if not isinstance(v, int) or isinstance(v, bool) or v < minimum:
        raise DataFileError(source, f"{field}.{key}", f"expected an integer >= {minimum}, got {v!r}")
    return v


def require_date(m: Mapping[str, Any], key: str, source: str, field: str) -> date:
    v = m.get(key)
    if not isinstance(v, date):
        raise DataFileError(source, f"{field}.{key}", f"expected a date (YYYY-MM-DD), got {v!r}")
    return v


def reject_unknown(m: Mapping[str, Any], allowed: set[str], source: str, field: str) -> None:
    extra = sorted(set(m) - allowed)
    if extra:
        where = f"{field}.{extra[0]}" if field else extra[0]
        raise DataFileError(source, where, f"unknown field (allowed: {', '.join(sorted(allowed))})")
