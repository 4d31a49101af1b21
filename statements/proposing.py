"""Turning an article's text into proposed quotes for the editors' review queue: the pure
extractor (statements.extraction) finds quotes and speakers, this module resolves the speakers
to the archive's records, suggests topics, and never touches what an editor has decided."""

import re
from functools import cached_property

from django.db import transaction

from .extraction import Alias, KnownSpeaker, KnownSpeakers, extract_quotes
from .models import Quote, QuoteTopic, Speaker, SpeakerAlias, Topic, unique_slug

UNATTRIBUTED = "Unattributed"


class SpeakerDirectory:
    """The archive's speakers as the extractor sees them, loaded once per batch, and the
    lookup back from a resolved name to a Speaker record (creating flagged ones as needed)."""

    def __init__(self):
        self._created = {}

    @cached_property
    def speakers(self):
        return list(Speaker.objects.public())

    @cached_property
    def known(self):
        aliases = {}
        for alias in SpeakerAlias.objects.filter(speaker__needs_review=False).order_by("pk"):
            aliases.setdefault(alias.speaker_id, []).append(
                Alias(text=alias.text, valid_from=alias.valid_from, valid_to=alias.valid_to)
            )
        return KnownSpeakers(
            KnownSpeaker(name=s.name, aliases=tuple(aliases.get(s.pk, ())), kind=s.kind) for s in self.speakers
        )

    @cached_property
    def by_name(self):
        return {speaker.name.casefold(): speaker for speaker in self.speakers}

    def resolve(self, name, *, on):
        """The Speaker for a resolved name: known by name or alias, else a new speaker
        flagged for an editor to confirm (one per name)."""
        name = " ".join((name or "").split()) or UNATTRIBUTED
        key = name.casefold()
        if key in self.by_name:
            return self.by_name[key]
        if key in self._created:
            return self._created[key]
        speaker = Speaker.objects.get_by_name(name, on=on) or Speaker.objects.filter(
            name__iexact=name, needs_review=True
        ).first()
        if speaker is None:
            kind = Speaker.Kind.INSTITUTION if _looks_like_institution(name) else Speaker.Kind.PERSON
            speaker = Speaker.objects.create(
                name=name[:200], slug=unique_slug(Speaker, name), kind=kind, needs_review=True
            )
        self._created[key] = speaker
        return speaker

    def forget_created(self):
        """The transaction that created speakers was rolled back: look them up again."""
        self._created.clear()


_INSTITUTION_WORDS = re.compile(
    r"\b(ministry|department|office|house|council|commission|committee|agency|embassy|government|"
    r"treasury|administration|party|union|organization|organisation|bank|court|spokesperson)\b",
    re.IGNORECASE,
)


def _looks_like_institution(name):
    return bool(_INSTITUTION_WORDS.search(name))


class TopicMatcher:
    """Proposes topics for a quote from each topic's keywords (whole words, any case)."""

    def __init__(self, topics=None):
        topics = list(Topic.objects.all()) if topics is None else topics
        self.patterns = [
            (topic, re.compile(rf"\b(?:{'|'.join(re.escape(k) for k in topic.keyword_list)})\b", re.IGNORECASE))
            for topic in topics
            if topic.keyword_list
        ]

    def topics_for(self, text):
        return [topic for topic, pattern in self.patterns if pattern.search(text)]


@transaction.atomic
def quotes_propose(*, article, directory=None, topic_matcher=None, extracted=None, new_article=False):
    """Extract quotes from the article and store them as proposed; the quotes created.
    `extracted`: the extractor's quotes when they were found ahead (with `directory.known`).

    Quotes an editor approved or rejected stay as they are: an extracted quote overlapping one
    of them is not proposed again. Earlier proposals that were not reviewed are replaced.
    A `new_article` (created in this transaction) has none of either to look for."""
    directory = directory or SpeakerDirectory()
    topic_matcher = topic_matcher or TopicMatcher()
    decided = []
    if not new_article:
        article.quotes.filter(status=Quote.Status.PROPOSED).delete()
        decided = list(article.quotes.values_list("start", "end"))
    if extracted is None:
        extracted = extract_quotes(article.text, known_speakers=directory.known, published=article.published)
    proposals = quote_proposals(
        article=article, extracted=extracted, directory=directory, topic_matcher=topic_matcher, decided=decided
    )
    return quote_proposals_save(proposals)


def quote_proposals(*, article, extracted, directory, topic_matcher, decided=()):
    """The extractor's quotes of an article as unsaved proposed quotes, each with the topics
    suggested for it: [(quote, topics)]. A quote overlapping a `decided` span (start, end) or
    one proposed before it is left out."""
    decided = list(decided)
    proposals = []
    for found in extracted:
        if any(found.start < end and start < found.end for start, end in decided):
            continue
        quote = Quote(
            article=article,
            speaker=directory.resolve(found.speaker, on=article.published),
            text=found.text,
            start=found.start,
            end=found.end,
            kind=found.kind if found.kind in Quote.Kind.values else Quote.Kind.FULL,
            status=Quote.Status.PROPOSED,
            confidence=min(max(found.confidence, 0.0), 1.0),
        )
        # The offsets check (Quote.clean); the database enforces the constraints itself, and
        # full_clean() would run a query per constraint for every proposed quote.
        quote.clean()
        decided.append((found.start, found.end))
        proposals.append((quote, topic_matcher.topics_for(found.text)))
    return proposals


def quote_proposals_save(proposals):
    """Store quote_proposals (of any number of articles) with their topics; the quotes."""
    # Proposed quotes are not public, so nothing is indexed for them: one insert for all, no
    # per-row signals. Approving one later saves it and queues it for the index.
    quotes = Quote.objects.bulk_create([quote for quote, _ in proposals])
    QuoteTopic.objects.bulk_create(
        [
            QuoteTopic(quote_id=quote.pk, topic_id=topic.pk, published=quote.article.published)
            for quote, topics in proposals
            for topic in topics
        ]
    )
    return quotes
