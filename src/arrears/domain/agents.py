from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Agency:
    id: str
    name: str
    whitelisted: bool = True  # on the lender's published whitelist (CN-DATA-2)


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    name: str
    agency_id: str | None = None


@dataclass(frozen=True, slots=True)
class Agent:
    id: str
    name: str
    team_id: str
    languages: tuple[str, ...] = ("zh-CN",)
    skills: tuple[str, ...] = ()
    daily_capacity: int = 150
