"""Every write to the archive goes through these functions: keyword-only, one transaction each,
validated before saving. Views, admin actions and management commands call them."""

import datetime
import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.db.models import Count, Q, signals
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.text import slugify

from .extraction import extract_quotes
from .models import (
    Article,
    MonthlyQuoteCount,
    Quote,
    Source,
    Speaker,
    SpeakerAlias,
    SpeakerRedirect,
    SpeakerTopicCount,
    Topic,
    unique_slugs,
)
from .sanitizing import html_to_text, looks_like_html, sanitize_html, text_to_html


def content_hash_for(text):
    """Identity of an article's text: the same words imported twice are one article."""
    folded = " ".join(text.casefold().split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def body_and_text_from(content, *, content_format="auto"):
    """(sanitized HTML body, plain text) for pasted or imported content."""
    if content_format == "auto":
        content_format = "html" if looks_like_html(content) else "text"
    if content_format == "html":
        body = sanitize_html(content)
    elif content_format == "text":
        body = text_to_html(content)
    else:
        raise ValueError(f"unknown content format {content_format!r}")
    return body, html_to_text(body)


@dataclass(frozen=True)
class PreparedArticle:
    """What an article's content becomes before it touches the database: the sanitized body,
    its plain text, and the quotes the extractor found in it (None: not extracted)."""

    body: str
    text: str
    quotes: tuple | None = None


def article_prepare(*, content, content_format="auto", published=None, known_speakers=None):
    """Sanitize and, when `known_speakers` is given (the archive's speakers as the extractor
    sees them), extract quotes. Touches no database, so an import runs it in worker processes."""
    body, text = body_and_text_from(content or "", content_format=content_format)
    if known_speakers is None or not text:
        return PreparedArticle(body=body, text=text)
    return PreparedArticle(
        body=body, text=text, quotes=tuple(extract_quotes(text, known_speakers=known_speakers, published=published))
    )


def source_get_or_create(*, name):
    name = " ".join((name or "").split())
    if not name:
        return None
    slug = slugify(name)[:190] or "source"
    source, _ = Source.objects.get_or_create(slug=slug, defaults={"name": name})
    return source


def topic_get_or_create(*, name):
    name = " ".join((name or "").split())
    slug = slugify(name)[:190]
    if not slug:
        return None
    existing = Topic.objects.filter(slug=slug).first() or Topic.objects.filter(name__iexact=name).first()
    return existing or Topic.objects.create(name=name, slug=slug)


class NamedRecords:
    """Outlets and topics found (or created) by name. An import keeps one for all its articles,
    so each name costs one lookup; what a failed article created is forgotten with it."""

    def __init__(self):
        self._sources, self._topics, self._new = {}, {}, []

    def source(self, name):
        return self._get(self._sources, name, source_get_or_create)

    def topics(self, names):
        found = (self._get(self._topics, name, topic_get_or_create) for name in names)
        return list(dict.fromkeys(topic for topic in found if topic))

    def _get(self, cache, name, get_or_create):
        key = " ".join(name.split()).casefold()
        if key not in cache:
            cache[key] = get_or_create(name=name)
            self._new.append((cache, key))
        return cache[key]

    def keep_new(self):
        self._new = []

    def forget_new(self):
        """The transaction that created the latest ones was rolled back."""
        for cache, key in self._new:
            cache.pop(key, None)
        self._new = []

    def forget_all(self):
        self._sources.clear()
        self._topics.clear()
        self._new = []


def article_find_existing(*, url, content_hash):
    """The article with this url, else the one with the same words; None."""
    same = Q(content_hash=content_hash) | Q(url=url) if url else Q(content_hash=content_hash)
    found = list(Article.objects.filter(same).order_by()[:2])  # both unique: one by url, one by words at most
    return next((article for article in found if url and article.url == url), found[0] if found else None)


@dataclass(frozen=True)
class ArticleDraft:
    """An article to import: its content as article_prepare made it, and the rest of what
    article_import takes. The outlet and topics come as records (`source`, `topics`) or as
    names to find or create (`source_name`, `topic_names`)."""

    title: str
    prepared: PreparedArticle
    source: Source | None = None
    source_name: str | None = None
    url: str | None = None
    published: datetime.date | None = None
    language: str = "en"
    topics: tuple = ()
    topic_names: tuple = ()


@transaction.atomic
def article_import(
    *,
    title: str,
    content: str,
    content_format: str = "auto",
    source: Source | None = None,
    source_name: str | None = None,
    url: str | None = None,
    published: datetime.date | None = None,
    language: str = "en",
    topics=(),
    topic_names=(),
    status: str = Article.Status.REVIEW,
    extract: bool = True,
    speaker_directory=None,
    topic_matcher=None,
    prepared: PreparedArticle | None = None,
    link: bool = True,
    named: NamedRecords | None = None,
) -> tuple[Article, bool]:
    """Create an article from pasted or imported text/HTML; (article, created).

    The same article (same url, or the same words) imported again is returned unchanged. New
    articles get their quotes proposed by the extractor (`extract=False` skips it) and linked
    to other reports of the same statements (`link=False` leaves that to the caller). The
    content may come as `article_prepare` made it (`prepared`, instead of `content`). A batch
    of articles is written by articles_import.
    """
    if prepared is None:
        prepared = PreparedArticle(*body_and_text_from(content or "", content_format=content_format))
    draft = ArticleDraft(
        title=title, prepared=prepared, source=source, source_name=source_name, url=url, published=published,
        language=language, topics=tuple(topics), topic_names=tuple(topic_names),
    )
    (outcome,), proposed = articles_import(
        drafts=[draft], status=status, extract=extract, speaker_directory=speaker_directory,
        topic_matcher=topic_matcher, named=named,
    )
    if isinstance(outcome, ValidationError):
        raise outcome
    if link and proposed:
        from .statement_linking import quotes_link

        quotes_link(quotes=proposed)
    return outcome


@transaction.atomic
def articles_import(
    *, drafts, status=Article.Status.REVIEW, extract=True, speaker_directory=None, topic_matcher=None, named=None
):
    """Write a batch of ArticleDrafts together: one query finds those the archive has already
    (same url, or the same words), and one insert per table writes the others with their topics
    and proposed quotes. ([outcome for each draft], [the quotes proposed]), an outcome being
    (article, created) or the ValidationError of a draft that was not imported (nothing of it
    is written). A draft that repeats an earlier one of the batch is that article, unchanged.
    The proposed quotes are left for the caller to link (quotes_link), once for the batch.
    Any other error (a quote the extractor placed outside its article's text, a row the
    database refuses) is raised, and nothing of the batch is written.

    `speaker_directory`, `topic_matcher` and `named` (NamedRecords) are the import's, kept
    from batch to batch; extraction (`extract`) uses the quotes the drafts were prepared with,
    or finds them now."""
    from .proposing import SpeakerDirectory, TopicMatcher, quote_proposals, quote_proposals_save

    named = named or NamedRecords()
    outcomes = [_draft_checked(draft) for draft in drafts]
    known = [outcome for outcome in outcomes if not isinstance(outcome, ValidationError)]
    by_url, by_words = {}, {}
    urls = {url for _, url, _ in known if url}
    for article in Article.objects.filter(Q(content_hash__in={words for _, _, words in known}) | Q(url__in=urls)).order_by():
        by_words[article.content_hash] = article
        if article.url:
            by_url[article.url] = article
    new = []
    for position, (draft, outcome) in enumerate(zip(drafts, outcomes, strict=True)):
        if isinstance(outcome, ValidationError):
            continue
        title, url, content_hash = outcome
        same = by_url.get(url) if url else None
        if same or content_hash in by_words:
            outcomes[position] = (same or by_words[content_hash], False)
            continue
        article = Article(
            title=title[:500], body=draft.prepared.body, text=draft.prepared.text, url=url, published=draft.published,
            language=(draft.language or "en")[:16], content_hash=content_hash, status=status,
        )
        try:
            # The url, the words and the slug (given below) are unique here, and the database
            # enforces all three, so validate_unique's per-field queries would add nothing. The
            # outlet is a row just read or created (and a foreign key the database checks).
            article.full_clean(exclude=["source", "slug"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            outcomes[position] = error
            continue
        article.source = draft.source or (named.source(draft.source_name) if draft.source_name else None)
        by_words[content_hash] = article
        if url:
            by_url[url] = article
        outcomes[position] = (article, True)
        new.append((draft, article))
    if not new:
        return outcomes, []

    for (_, article), slug in zip(new, unique_slugs(Article, [article.title for _, article in new]), strict=True):
        article.slug = slug
    using = router.db_for_write(Article)
    for _, article in new:
        signals.pre_save.send(sender=Article, instance=article, raw=False, using=using, update_fields=None)
    Article.objects.bulk_create([article for _, article in new])
    for _, article in new:
        # As save() would: the index queue hears of each new article (bulk_create sends no signals).
        signals.post_save.send(sender=Article, instance=article, created=True, raw=False, using=using, update_fields=None)
    # A new article has no topics to compare with (add() would look), and the queue holds it
    # already (its post_save), which is all that m2m_changed would add.
    Article.topics.through.objects.bulk_create(
        [
            Article.topics.through(article=article, topic=topic)
            for draft, article in new
            for topic in dict.fromkeys([*draft.topics, *named.topics(draft.topic_names)])
        ]
    )
    if not extract:
        return outcomes, []
    directory = speaker_directory or SpeakerDirectory()
    topic_matcher = topic_matcher or TopicMatcher()
    proposals = []
    for draft, article in new:
        extracted = draft.prepared.quotes
        if extracted is None:
            extracted = extract_quotes(article.text, known_speakers=directory.known, published=article.published)
        proposals += quote_proposals(article=article, extracted=extracted, directory=directory, topic_matcher=topic_matcher)
    return outcomes, quote_proposals_save(proposals)


def _draft_checked(draft):
    """(title, url, content hash) of a draft that has the title and the text an article
    needs, else the ValidationError saying which is missing."""
    title = " ".join((draft.title or "").split())
    if not title:
        return ValidationError({"title": "An article needs a title."})
    if not draft.prepared.text:
        return ValidationError({"body": "The article has no text."})
    return title, (draft.url or "").strip() or None, content_hash_for(draft.prepared.text)


@transaction.atomic
def article_set_status(*, articles, status: str) -> int:
    """Move articles to draft, review or published; the number changed."""
    if status not in Article.Status.values:
        raise ValidationError(f"Unknown status {status!r}.")
    changed = list(articles.exclude(status=status).values_list("pk", flat=True))
    for article in Article.objects.filter(pk__in=changed):
        article.status = status
        article.save(update_fields=["status", "updated_at"])
    # Their quotes became (or stopped being) public now: alerts and feeds go by this date.
    Quote.objects.filter(article_id__in=changed).update(updated_at=timezone.now())
    return len(changed)


@transaction.atomic
def quote_set_status(*, quotes, status: str) -> int:
    """Approve or reject quotes (or send them back to proposed); the number changed. A quote
    rejected leaves its statement, and one no longer rejected is linked again."""
    from .statement_linking import quotes_link

    if status not in Quote.Status.values:
        raise ValidationError(f"Unknown status {status!r}.")
    changed = dict(quotes.exclude(status=status).values_list("pk", "status"))
    relinked = []
    for quote in Quote.objects.filter(pk__in=changed).select_related("article").defer("article__body", "article__text"):
        quote.status = status
        quote.save(update_fields=["status", "updated_at"])
        if Quote.Status.REJECTED in (status, changed[quote.pk]):
            relinked.append(quote)
    quotes_link(quotes=relinked)
    return len(changed)


@transaction.atomic
def quote_reattribute(*, quotes, speaker: Speaker, chunk=500) -> int:
    """Give quotes another speaker; they are re-linked among that speaker's statements,
    `chunk` at a time (a merged speaker may have tens of thousands of quotes)."""
    from .statement_linking import quotes_link

    pks = list(quotes.exclude(speaker=speaker).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), chunk):
        changed = list(
            Quote.objects.filter(pk__in=pks[start : start + chunk])
            .select_related("article")
            .defer("article__body", "article__text")
        )
        for quote in changed:
            quote.speaker = speaker
            quote.save(update_fields=["speaker", "updated_at"])
        quotes_link(quotes=changed)
    return len(pks)


@transaction.atomic
def speaker_merge(*, source: Speaker, target: Speaker) -> Speaker:
    """Fold `source` into `target`: its quotes and aliases move over, its name becomes an
    alias, and its slug (and any slug that pointed to it) redirects to `target`. The quotes
    are re-linked as `target`'s (their linking keys name their speaker, and `source`'s go
    with it)."""
    if source.pk == target.pk:
        raise ValidationError("A speaker cannot be merged into itself.")
    quote_reattribute(quotes=source.quotes.all(), speaker=target)
    target_aliases = {(a.text.casefold(), a.valid_from) for a in target.aliases.all()}
    for alias in source.aliases.all():
        if (alias.text.casefold(), alias.valid_from) in target_aliases:
            alias.delete()
        else:
            alias.speaker = target
            alias.save(update_fields=["speaker"])
            target_aliases.add((alias.text.casefold(), alias.valid_from))
    if source.name.casefold() != target.name.casefold() and (
        source.name.casefold(),
        None,
    ) not in target_aliases:
        SpeakerAlias.objects.create(speaker=target, text=source.name)
    SpeakerRedirect.objects.filter(speaker=source).update(speaker=target)
    SpeakerRedirect.objects.update_or_create(old_slug=source.slug, defaults={"speaker": target})
    source.delete()
    target.save(update_fields=["updated_at"])
    return target


@transaction.atomic
def speaker_confirm(*, speakers) -> int:
    changed = list(speakers.filter(needs_review=True))
    for speaker in changed:
        speaker.needs_review = False
        speaker.save(update_fields=["needs_review", "updated_at"])
    return len(changed)


@transaction.atomic
def quote_save(*, quote: Quote) -> Quote:
    """Save an edited or new quote; its offsets must select its words. It is linked again:
    its words or speaker may be another statement's now. A quote the editor put in another
    statement is pinned there, and the statement it left is brought up to date."""
    from .statement_linking import quotes_link, statements_refresh

    quote.full_clean()
    previous = Quote.objects.filter(pk=quote.pk).values_list("statement_id", flat=True).first() if quote.pk else None
    if quote.statement_id and quote.statement_id != previous:
        quote.statement_pinned = True
    quote.save()
    quotes_link(quotes=[quote])
    if previous and previous != quote.statement_id:
        statements_refresh([previous])
    return quote


def quote_counts_refresh(*, quote_ids=(), speaker_ids=(), topic_ids=()) -> None:
    """Store again the public-quote counts (on Speaker and Topic, and their SpeakerTopicCount
    and MonthlyQuoteCount rows) of the given speakers and topics and of those the given quotes
    belong to while public. A quote that is not public changes no count unless it was public
    before, and then the index queue's handlers named its old speaker and topics; so a batch
    of newly proposed quotes costs no recount at all, and no write transaction either (on
    SQLite that would wait for an import's batch to commit)."""
    public = Quote.objects.published().filter(pk__in=quote_ids)
    speakers = set(speaker_ids) | set(public.values_list("speaker_id", flat=True))
    topics = set(topic_ids) | set(
        Quote.topics.through.objects.filter(quote__in=public).values_list("topic_id", flat=True)
    )
    if not (speakers or topics):
        return
    with transaction.atomic():
        if speakers:
            Speaker.objects.filter(pk__in=speakers).recount_published_quotes()
        if topics:
            Topic.objects.filter(pk__in=topics).recount_published_quotes()
        quote_tallies_recount(speaker_ids=speakers, topic_ids=topics)


@transaction.atomic
def quote_counts_recount() -> dict:
    """Recompute every stored count of public quotes (a repair, or the last step of a bulk
    load that bypassed the index queue); {"speakers": n, "topics": n}."""
    counted = {
        "speakers": Speaker.objects.recount_published_quotes(),
        "topics": Topic.objects.recount_published_quotes(),
    }
    quote_tallies_recount()
    return counted


def quote_tallies_recount(*, speaker_ids=None, topic_ids=None) -> None:
    """Replace the SpeakerTopicCount and MonthlyQuoteCount rows of these speakers and topics
    (of all, when both are None) with counts of their public quotes: one grouped query each."""
    everything = speaker_ids is None and topic_ids is None
    speaker_ids, topic_ids = set(speaker_ids or ()), set(topic_ids or ())
    pairs = Quote.topics.through.objects.filter(
        quote__status=Quote.Status.APPROVED, quote__article__status=Article.Status.PUBLISHED
    )
    dated = (
        Quote.objects.published()
        .exclude(article__published=None)
        .annotate(month=TruncMonth("article__published"))
        .order_by()
    )
    speaker_months = dated.values("speaker_id", "month")
    topic_months = dated.filter(topics__isnull=False)
    stale = Q()
    if not everything:
        stale = Q(speaker__in=speaker_ids) | Q(topic__in=topic_ids)
        pairs = pairs.filter(Q(quote__speaker__in=speaker_ids) | Q(topic__in=topic_ids))
        speaker_months = speaker_months.filter(speaker__in=speaker_ids)
        topic_months = dated.filter(topics__in=topic_ids)
    topic_months = topic_months.values("topics", "month")
    SpeakerTopicCount.objects.filter(stale).delete()
    MonthlyQuoteCount.objects.filter(stale).delete()
    SpeakerTopicCount.objects.bulk_create(
        (
            SpeakerTopicCount(speaker_id=row["quote__speaker_id"], topic_id=row["topic_id"], count=row["count"])
            for row in pairs.values("quote__speaker_id", "topic_id").annotate(count=Count("pk")).order_by().iterator()
        ),
        batch_size=2000,
    )
    if everything or speaker_ids:
        MonthlyQuoteCount.objects.bulk_create(
            (
                MonthlyQuoteCount(speaker_id=row["speaker_id"], month=row["month"], count=row["count"])
                for row in speaker_months.annotate(count=Count("pk")).iterator()
            ),
            batch_size=2000,
        )
    if everything or topic_ids:
        MonthlyQuoteCount.objects.bulk_create(
            (
                MonthlyQuoteCount(topic_id=row["topics"], month=row["month"], count=row["count"])
                for row in topic_months.annotate(count=Count("pk")).iterator()
            ),
            batch_size=2000,
        )
