from __future__ import annotations

from dataclasses import dataclass

from arrears.domain.enums import LAWFUL_SOURCES, ContactPointKind, Role, Source


@dataclass(frozen=True, slots=True)
class Party:
    """A person connected to a borrower: the debtor, a guarantor or a contact the debtor named."""

    id: str
    borrower_id: str
    role: Role
    name: str
    relation: str = ""  # free text as the debtor described it, e.g. "母亲"
    emergency_contact: bool = False  # named by the debtor as an emergency contact
    refused_contact: bool = False  # asked not to be contacted again
    relationship_evidence: bool = False  # documented basis that the person is related to the debt
    verified_identity: bool = False

    @property
    def is_third_party(self) -> bool:
        return self.role not in (Role.DEBTOR, Role.GUARANTOR, Role.CO_OBLIGOR)


@dataclass(frozen=True, slots=True)
class ContactPoint:
    id: str
    owner_id: str  # party id or borrower id
    kind: ContactPointKind
    value: str  # the number / address; masked in every view
    source: Source
    opted_out: bool = False
    employer_provided: bool = False

    @property
    def lawful(self) -> bool:
        """CN-DATA-1: only the six lawful channels may be used."""
        return self.source in LAWFUL_SOURCES
