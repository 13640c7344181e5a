"""The FastAPI app: api/ and ui/. Arrives with issue #6."""
