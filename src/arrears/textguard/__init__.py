"""Text guard: finds threats, exposure, third-party disclosure, false representation, abuse and harassment in
collection texts, and explains each finding with spans into the original text. See README.md."""

from arrears.textguard.guard import CaseFacts, Guard, Policy, default_guard

__all__ = ["CaseFacts", "Guard", "Policy", "default_guard"]
