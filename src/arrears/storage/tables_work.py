"""Tables of the agent's workspace: notes, promises to pay, payment plans and approvals, follow-up tasks,
field visits, the versioned script library and the channel outbox. Registered on the one metadata."""

from __future__ import annotations
