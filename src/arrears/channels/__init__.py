"""Outbound channels, one folder each (sms, email, letter, call task, visit). Arrives with issue #6."""
