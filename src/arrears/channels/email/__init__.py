"""E-mail over SMTP (smtplib), with or without TLS and authentication."""

from arrears.channels.email.smtp import SmtpConfig, SmtpTransport

__all__ = ["SmtpConfig", "SmtpTransport"]
