from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is calling: a company's user, or the headquarter's administrator."""
    username: str
    company: str | None
    is_admin: bool = False

    def acts_as(self, company: str) -> bool:
        return self.company == company
