"""Entry point of the column-wise compliance rules (the implementation lives in `arrears.planner.rules`)."""

from __future__ import annotations

from arrears.planner.rules import UnsupportedRuleError, compliance_statements, supported_kinds

__all__ = ["UnsupportedRuleError", "compliance_statements", "supported_kinds"]
