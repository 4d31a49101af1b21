"""Public data types of the extraction engine."""
from __future__ import annotations

import collections
import datetime
from collections.abc import Iterable, Mapping, Sequence
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


class KnownSpeakers(Sequence):
    """Known speakers with their names and aliases indexed once, for every article read
    against them: an import reads thousands of articles against the same few thousand
    speakers. `by_name_on(published)` is the lookup for an article's date."""

    def __init__(self, speakers: Iterable[KnownSpeaker]):
        self._speakers = tuple(speakers)
        timeless: dict[str, set[KnownSpeaker]] = collections.defaultdict(set)
        self._dated: dict[str, list[tuple[Alias, KnownSpeaker]]] = collections.defaultdict(list)
        for speaker in self._speakers:
            for alias in speaker.aliases:
                if alias.valid_from is None and alias.valid_to is None:
                    timeless[alias.text.lower()].add(speaker)
                else:
                    self._dated[alias.text.lower()].append((alias, speaker))
        self._timeless = timeless
        self._names = {speaker.name.lower(): speaker for speaker in self._speakers}
        # An alias two speakers hold (on the article's date) names neither; a name beats an alias.
        self._timeless_lookup = {alias: next(iter(holders)) for alias, holders in timeless.items() if len(holders) == 1}
        self._timeless_lookup.update(self._names)

    @classmethod
    def of(cls, speakers: Iterable[KnownSpeaker]) -> KnownSpeakers:
        return speakers if isinstance(speakers, cls) else cls(speakers)

    def by_name_on(self, published: datetime.date | None) -> Mapping[str, KnownSpeaker]:
        """{lower-cased name or alias: speaker} on the article's date (an undated article
        takes every alias). Shared between articles: read it, never change it."""
        changes = {}
        for alias_text, dated in self._dated.items():
            if alias_text in self._names:
                continue
            holders = self._timeless.get(alias_text, set()) | {
                speaker for alias, speaker in dated if alias.applies_on(published)
            }
            holder = next(iter(holders)) if len(holders) == 1 else None
            if self._timeless_lookup.get(alias_text) is not holder:
                changes[alias_text] = holder
        if not changes:
            return self._timeless_lookup
        lookup = dict(self._timeless_lookup)
        for alias_text, holder in changes.items():
            if holder is None:
                del lookup[alias_text]
            else:
                lookup[alias_text] = holder
        return lookup

    def __getitem__(self, index):
        return self._speakers[index]

    def __len__(self):
        return len(self._speakers)


@dataclass(frozen=True)
class ExtractedQuote:
    text: str
    start: int
    end: int
    speaker: str | None
    speaker_mention: str | None
    kind: str  # "full" or "fragment"
    confidence: float
