from __future__ import annotations

from pydantic import BaseModel, Field


class TokenOut(BaseModel):
    access_token: str
    token_type: str = Field(default="bearer")
    expires_in: int = Field(description="Seconds until the token expires.")


class MeOut(BaseModel):
    username: str
    display_name: str
    role: str = Field(description="agent | team_lead | compliance | admin")
    agent_id: str | None
    team_id: str | None
    locale: str
