"""The columnar daily plan; the scalar compliance engine is its oracle. Arrives with issue #5."""
