"""Use cases. Each service function takes keyword arguments, an injected clock and an engine or unit of work,
and owns its transaction."""
