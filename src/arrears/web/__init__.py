"""The web app: server-rendered pages (Jinja2 + HTMX) and the REST API under /api/v1. See README.md."""
