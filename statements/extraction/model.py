"""Public data types of the extraction engine."""
from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Alias:
    text: str
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None

    def applies_on(self, published: datetime.date | None) -> bool:
        if published is None:
            return True
        if self.valid_from is not None and published < self.valid_from:
            return False
        return self.valid_to is None or published <= self.valid_to


@dataclass(frozen=True)
class KnownSpeaker:
    name: str
    aliases: tuple[Alias, ...] = ()
    kind: str = "person"  # or "institution"


@dataclass(frozen=True)
class ExtractedQuote:
    text: str
    start: int
    end: int
    speaker: str | None
    speaker_mention: str | None
    kind: str  # "full" or "fragment"
    confidence: float
