"""The agent workspace's use cases: outcomes and notes, promises, scripts, the composer and outbox, payment plans
and field visits. Every function takes keyword arguments, an injected clock and the engine, checks the caller's
access scope (services.access) and writes an audit record (storage.audit) in the same transaction."""
