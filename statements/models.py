"""The archive's records: where articles come from, who speaks, what they said."""

import datetime
import re
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.urls import reverse
from django.utils.text import slugify


def unique_slug(model, value, *, max_length=200, exclude_pk=None):
    """A slug for `value` not yet used by `model` ("name", "name-2", "name-3", …)."""
    (slug,) = unique_slugs(model, [value], max_length=max_length, exclude_pk=exclude_pk)
    return slug


def unique_slugs(model, values, *, max_length=200, exclude_pk=None):
    """unique_slug for each of `values`, none of them taking another's: one query when no
    base slug is in use (the usual case), one more for each base that is or that repeats."""
    bases = [slugify(value)[: max_length - 8].strip("-") or "item" for value in values]
    existing = model._default_manager.all()
    if exclude_pk is not None:
        existing = existing.exclude(pk=exclude_pk)
    taken = set(existing.filter(slug__in=set(bases)).values_list("slug", flat=True))
    repeated = {base for base, count in Counter(bases).items() if count > 1}
    for base in taken | repeated:
        # A range on the unique slug index (LIKE 'base%' cannot use it on SQLite).
        taken.update(existing.filter(slug__gte=base, slug__lt=base + "\uffff").values_list("slug", flat=True))
    slugs = []
    for base in bases:
        slug, suffix = base, 2
        while slug in taken:
            slug, suffix = f"{base}-{suffix}", suffix + 1
        taken.add(slug)
        slugs.append(slug)
    return slugs


def published_quote_count_of(relation):
    """The number of public quotes whose `relation` ("speaker", "topics") is the outer row: a
    correlated subquery for `update()`, so a recount is one statement however many rows."""
    counted = (
        Quote.objects.published()
        .filter(**{relation: models.OuterRef("pk")})
        .order_by()
        .values(relation)
        .annotate(count=models.Count("pk"))
        .values("count")
    )
    return Coalesce(models.Subquery(counted), 0)


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True


class Source(models.Model):
    """An outlet that publishes articles."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    homepage = models.URLField(blank=True)
    country = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("statements:source-detail", kwargs={"slug": self.slug})


class TopicQuerySet(models.QuerySet):
    def recount_published_quotes(self):
        """Store again the number of public quotes of these topics (one UPDATE)."""
        return self.update(published_quote_count=published_quote_count_of("topics"))

    def quoted_by(self, speaker):
        """The topics of a speaker's public quotes, most quoted first, each with `quote_count`
        (from the stored SpeakerTopicCount)."""
        return (
            self.filter(speaker_counts__speaker=speaker)
            .annotate(quote_count=models.F("speaker_counts__count"))
            .order_by("-quote_count", "name")
        )


class Topic(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    keywords = models.TextField(
        blank=True, help_text="Words or phrases, one per line, that suggest this topic."
    )
    published_quote_count = models.PositiveIntegerField(
        default=0, editable=False, help_text="Its public quotes; kept in step through the index queue (statements.indexing)."
    )

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("statements:topic-detail", kwargs={"slug": self.slug})

    @property
    def keyword_list(self):
        return [line.strip() for line in self.keywords.splitlines() if line.strip()]


class SpeakerQuerySet(models.QuerySet):
    def public(self):
        """Speakers a visitor may see: all but those the extractor proposed and no editor
        has confirmed yet."""
        return self.filter(needs_review=False)

    def recount_published_quotes(self):
        """Store again the number of public quotes of these speakers (one UPDATE)."""
        return self.update(published_quote_count=published_quote_count_of("speaker"))

    def quoted(self):
        """Speakers with at least one public quote."""
        return self.filter(published_quote_count__gt=0)

    def quoted_on(self, topic):
        """The speakers of a topic's public quotes, most quoted first, each with `quote_count`
        (from the stored SpeakerTopicCount)."""
        return (
            self.filter(topic_counts__topic=topic)
            .annotate(quote_count=models.F("topic_counts__count"))
            .order_by("-quote_count", "name")
        )

    def get_by_name(self, name, *, on=None):
        """The speaker a name or alias refers to, on a date when given, or None.

        An alias with a validity range ("the secretary") counts only inside it; the speaker's
        own name always counts. Ambiguous names (two speakers) resolve to None.
        """
        name = " ".join((name or "").split())
        if not name:
            return None
        by_name = list(self.filter(name__iexact=name)[:2])
        if len(by_name) == 1:
            return by_name[0]
        aliases = SpeakerAlias.objects.filter(text__iexact=name)
        if on is not None:
            aliases = aliases.filter(
                Q(valid_from__isnull=True) | Q(valid_from__lte=on),
                Q(valid_to__isnull=True) | Q(valid_to__gte=on),
            )
        speaker_ids = set(aliases.values_list("speaker_id", flat=True))
        if len(speaker_ids) == 1:
            return self.filter(pk__in=speaker_ids).first()
        return None


class Speaker(TimestampedModel):
    """A person or an institution quoted in the archive."""

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        INSTITUTION = "institution", "Institution"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSON)
    role = models.CharField(max_length=200, blank=True, help_text='e.g. "U.S. Secretary of State"')
    organization = models.CharField(max_length=200, blank=True)
    country = models.CharField(max_length=100, blank=True)
    bio = models.TextField(blank=True)
    needs_review = models.BooleanField(
        default=False,
        help_text="Created automatically from an article; an editor should confirm it.",
    )
    published_quote_count = models.PositiveIntegerField(
        default=0, editable=False, help_text="Its public quotes; kept in step through the index queue (statements.indexing)."
    )

    objects = SpeakerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["person", "institution"]), name="speaker_kind_valid"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("statements:speaker-detail", kwargs={"slug": self.slug})


class SpeakerTopicCount(models.Model):
    """How many public quotes a speaker has on a topic: the topics of a speaker's page and the
    speakers of a topic's page, stored so those pages cost the same at any archive size. Kept
    in step, like the counts on Speaker and Topic, by the index queue (statements.indexing)."""

    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="topic_counts")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="speaker_counts")
    count = models.PositiveIntegerField()

    class Meta:
        ordering = ["-count"]
        constraints = [
            models.UniqueConstraint(fields=["speaker", "topic"], name="speakertopiccount_unique"),
        ]
        indexes = [models.Index(fields=["topic", "-count"], name="speakertopiccount_by_topic")]

    def __str__(self):
        return f"{self.speaker} on {self.topic}: {self.count}"

    def get_absolute_url(self):
        return self.topic.get_absolute_url()


class MonthlyQuoteCountQuerySet(models.QuerySet):
    def of(self, *, speaker=None, topic=None):
        rows = self.filter(speaker=speaker) if speaker is not None else self.filter(topic=topic)
        return rows.values_list("month", "count")

    def timeline_of(self, **speaker_or_topic):
        """{first day of month: public quotes} of a speaker or a topic, for its timeline."""
        return dict(self.of(**speaker_or_topic).order_by("month"))

    def newest_first(self, **speaker_or_topic):
        """[(first day of month, public quotes)] of a speaker or a topic, newest month first
        (for QuoteQuerySet.newest_first_slice)."""
        return list(self.of(**speaker_or_topic).order_by("-month"))


class MonthlyQuoteCount(models.Model):
    """Public quotes of a speaker, or on a topic, in one month (by the article's date): the
    timelines, stored and kept in step like SpeakerTopicCount."""

    speaker = models.ForeignKey(
        Speaker, on_delete=models.CASCADE, null=True, blank=True, related_name="monthly_counts"
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, null=True, blank=True, related_name="monthly_counts"
    )
    month = models.DateField(help_text="Its first day.")
    count = models.PositiveIntegerField()

    objects = MonthlyQuoteCountQuerySet.as_manager()

    class Meta:
        ordering = ["month"]
        constraints = [
            models.CheckConstraint(
                condition=Q(speaker__isnull=True, topic__isnull=False)
                | Q(speaker__isnull=False, topic__isnull=True),
                name="monthlyquotecount_speaker_or_topic",
            ),
            models.UniqueConstraint(fields=["speaker", "month"], name="monthlyquotecount_speaker_month"),
            models.UniqueConstraint(fields=["topic", "month"], name="monthlyquotecount_topic_month"),
        ]

    def __str__(self):
        return f"{self.speaker or self.topic}, {self.month:%B %Y}: {self.count}"

    def get_absolute_url(self):
        return (self.speaker or self.topic).get_absolute_url()


class SpeakerAlias(models.Model):
    """Another name or a title that refers to a speaker, optionally only for a period."""

    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="aliases")
    text = models.CharField(max_length=200)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["speaker", "text"]
        verbose_name_plural = "speaker aliases"
        constraints = [
            models.UniqueConstraint(
                fields=["speaker", "text", "valid_from"], name="speakeralias_unique_per_period"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_from__lte=models.F("valid_to")),
                name="speakeralias_valid_range",
            ),
        ]

    def __str__(self):
        return self.text

    def get_absolute_url(self):
        return self.speaker.get_absolute_url()

    def applies_on(self, day):
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class SpeakerRedirect(models.Model):
    """An old slug (a merged or renamed speaker) that now points to another speaker."""

    old_slug = models.SlugField(max_length=200, unique=True)
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="redirects")

    class Meta:
        ordering = ["old_slug"]

    def __str__(self):
        return f"{self.old_slug} → {self.speaker.slug}"

    def get_absolute_url(self):
        return self.speaker.get_absolute_url()


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Article.Status.PUBLISHED)

    def with_quote_counts(self):
        return self.annotate(quote_total=models.Count("quotes"))


class Article(TimestampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=500)
    slug = models.SlugField(max_length=200, unique=True)
    body = models.TextField(help_text="Sanitized HTML.")
    text = models.TextField(
        editable=False, help_text="Plain text derived from the body; quote offsets index it."
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, null=True, blank=True, related_name="articles"
    )
    # NULL, not "", for "no url": the unique constraint must allow many articles without one.
    url = models.URLField(max_length=1000, null=True, blank=True)  # noqa: DJ001
    published = models.DateField(null=True, blank=True, db_index=True)
    language = models.CharField(max_length=16, default="en")
    content_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.REVIEW, db_index=True
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="articles")

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published", "-created_at"]
        # Lists of quotes check each quote's article for its status and date. This index
        # answers that without reading the article's row, whose text the two columns follow.
        indexes = [models.Index(fields=["id", "status", "published"], name="article_status_date")]
        constraints = [
            models.UniqueConstraint(
                fields=["url"], condition=Q(url__isnull=False), name="article_unique_url"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "review", "published"]),
                name="article_status_valid",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        may_have_moved = not self._state.adding and (update_fields is None or "published" in update_fields)
        super().save(*args, **kwargs)
        if may_have_moved:
            QuoteTopic.objects.filter(quote__article=self).update(published=self.published)

    def get_absolute_url(self):
        return reverse("statements:article-detail", kwargs={"slug": self.slug})

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    def marked_paragraphs(self, quotes):
        """The text as paragraphs of (words, quote-or-None) segments, each quote's words
        marked from its offsets. A quote overlapping an earlier one is left unmarked."""
        paragraphs = []
        spans = []
        for quote in sorted(quotes, key=lambda q: (q.start, -q.end)):
            if not spans or quote.start >= spans[-1].end:
                spans.append(quote)
        boundaries = []
        position = 0
        for paragraph in self.text.split("\n\n"):
            boundaries.append((position, position + len(paragraph)))
            position += len(paragraph) + 2
        for start, end in boundaries:
            segments, cursor = [], start
            for quote in spans:
                if quote.end <= start or quote.start >= end:
                    continue
                marked_start, marked_end = max(quote.start, start), min(quote.end, end)
                if marked_start > cursor:
                    segments.append((self.text[cursor:marked_start], None))
                segments.append((self.text[marked_start:marked_end], quote))
                cursor = marked_end
            if cursor < end:
                segments.append((self.text[cursor:end], None))
            paragraphs.append(segments)
        return paragraphs


class StatementQuerySet(models.QuerySet):
    def published(self):
        return self.filter(
            quotes__status=Quote.Status.APPROVED,
            quotes__article__status=Article.Status.PUBLISHED,
        ).distinct()


class Statement(TimestampedModel):
    """One utterance, as reported by one or more articles."""

    canonical_text = models.TextField()
    first_reported = models.DateField(null=True, blank=True)

    objects = StatementQuerySet.as_manager()

    class Meta:
        ordering = ["-first_reported", "-pk"]

    def __str__(self):
        text = self.canonical_text
        return text if len(text) <= 80 else text[:79] + "…"

    def get_absolute_url(self):
        return reverse("statements:statement-detail", kwargs={"pk": self.pk})


# Above this many quotes, a page of a speaker's or topic's quotes reads the articles of the
# months holding the page instead of sorting every quote (QuoteQuerySet.newest_first_slice).
WINDOWED_LIST_SIZE = 2000


def month_after(month):
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


#: Articles whose quotes are read first when a page's rows lie in a run of months; the next
#: read takes four times as many (a month of a large archive holds hundreds), and the last
#: one the rest of the months: at most READS, however many articles the months hold.
FIRST_ARTICLES_READ = 24
READS = 3


def _ids_newest_articles_first(ordered, since, until, start, stop):
    """Ids of rows `start:stop` of `ordered` (newest first) among articles published in
    [since, until), reading the quotes of the newest articles first and stopping once the page
    is full: a large topic fills a page from a few dozen articles of its newest month. Reads
    end on a day's last article, so each read continues the order of the one before, and the
    last read is of every article older than that day."""
    articles = list(
        Article.objects.filter(published__gte=since, published__lt=until)
        .order_by("-published", "-pk")
        .values_list("pk", "published")
    )
    ids, read, size = [], 0, FIRST_ARTICLES_READ
    for _ in range(READS - 1):
        if read >= len(articles) or len(ids) >= stop:
            return ids[start:stop]
        end = min(read + size, len(articles))
        while end < len(articles) and articles[end][1] == articles[end - 1][1]:
            end += 1
        ids += ordered.filter(article__in=[pk for pk, _ in articles[read:end]]).values_list("pk", flat=True)
        read, size = end, size * 4
    if read < len(articles) and len(ids) < stop:
        older = ordered.filter(article__published__gte=since, article__published__lt=articles[read - 1][1])
        ids += older.values_list("pk", flat=True)
    return ids[start:stop]


def _months_holding(monthly_counts, start, stop):
    """(oldest month, newest month, rows in newer months) of the run of months, newest first,
    holding rows `start:stop`; None when the counts run out first."""
    skipped, in_window, window = 0, 0, []
    for month, count in monthly_counts:
        if not window and skipped + count <= start:
            skipped += count
            continue
        window.append(month)
        in_window += count
        if skipped + in_window >= stop:
            return window[-1], window[0], skipped
    return None


def public_quote_condition(path_to_quote=""):
    """What makes a quote public (QuoteQuerySet.published), for rows `path_to_quote` away."""
    return Q(**{
        f"{path_to_quote}status": Quote.Status.APPROVED,
        f"{path_to_quote}article__status": Article.Status.PUBLISHED,
    })


class QuoteQuerySet(models.QuerySet):
    def published(self):
        """Approved quotes of published articles: all that the public may see."""
        return self.filter(public_quote_condition())

    def by_speaker(self, speaker):
        return self.filter(speaker=speaker)

    def on_topic(self, topic):
        return self.filter(topics=topic)

    def newest_first(self):
        return self.order_by(models.F("article__published").desc(nulls_last=True), "-pk")

    def newest_first_slice(self, start, stop, *, monthly_counts, topic=None):
        """`self.newest_first()[start:stop]`, as a list, for a list of many quotes (a speaker's,
        a topic's) whose stored monthly counts ([(first day of month, count)], newest month
        first) say which months hold those rows: only those months' articles are read, newest
        first until the page is full, so page 1 and page 500 of 100,000 quotes cost about the
        same. A short list, or rows past the dated quotes, take the plain slice (SQL sorts a
        short list faster than it reads a month). Either way the page's rows are found from ids
        alone (covering indexes, no article text read), then fetched by id.

        A topic's public quotes (`self`: `published().on_topic(topic)`) are found instead from
        their links to it (QuoteTopic), in the order of the dates on them, which one index
        holds: a page costs about its own rows, read from the months that hold it."""
        if topic is not None:
            ids = self._ids_on_topic_newest_first(topic, start, stop, monthly_counts)
        else:
            ids = self._ids_newest_first(start, stop, monthly_counts)
        rows = self.filter(pk__in=ids).in_bulk()
        return [rows[pk] for pk in ids if pk in rows]

    def _ids_newest_first(self, start, stop, monthly_counts):
        ordered = self.newest_first()
        window = None
        if sum(count for _, count in monthly_counts) >= WINDOWED_LIST_SIZE:
            window = _months_holding(monthly_counts, start, stop)
        if window is None:
            return list(ordered.values_list("pk", flat=True)[start:stop])
        first_month, last_month, skipped = window
        return _ids_newest_articles_first(
            ordered, first_month, month_after(last_month), start - skipped, stop - skipped
        )

    def _ids_on_topic_newest_first(self, topic, start, stop, monthly_counts):
        links = QuoteTopic.objects.public().filter(topic=topic).newest_first()
        window = _months_holding(monthly_counts, start, stop)
        # A page in the newest months reads from the top (a quote whose month is not counted
        # yet is still on page 1); a deeper one starts at its months.
        if window is not None and window[2] > 0:
            first_month, last_month, skipped = window
            links = links.filter(published__gte=first_month, published__lt=month_after(last_month))
            start, stop = start - skipped, stop - skipped
        return list(links.values_list("quote_id", flat=True)[start:stop])

    def latest(self, count, *, articles_per_quote=5):
        """The `count` newest quotes, looked for among the newest articles first, so the cost
        does not grow with the archive (falls back to the full sort when those are too few)."""
        articles = Article.objects.published().order_by("-published", "-pk").values("pk")[: count * articles_per_quote]
        found = list(self.filter(article__in=articles).newest_first()[:count])
        return found if len(found) == count else list(self.newest_first()[:count])

    def with_related(self, *, article_text=False):
        """With each quote's speaker, article and source. The article's body and text (a few KB
        each) are left unread unless asked for: a list of quotes shows neither, and on SQLite
        they are stored after every other column, so the rest is read without them."""
        related = self.select_related("speaker", "article", "article__source")
        return related if article_text else related.defer("article__body", "article__text")

    def added_last(self, count):
        """The `count` public quotes added most recently, newest first. The article's status is
        checked quote by quote (EXISTS): with a join, SQLite first gathers every published
        article, which at a million quotes costs more than the page."""
        published_article = Article.objects.published().filter(pk=models.OuterRef("article_id"))
        return (
            self.filter(status=Quote.Status.APPROVED)
            .filter(models.Exists(published_article))
            .order_by("-pk")[:count]
        )


class Quote(TimestampedModel):
    class Kind(models.TextChoices):
        FULL = "full", "Full quote"
        FRAGMENT = "fragment", "Fragment"
        INDIRECT = "indirect", "Indirect"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    # Indexed by Meta.indexes, which lead with these columns.
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="quotes", db_index=False)
    speaker = models.ForeignKey(Speaker, on_delete=models.PROTECT, related_name="quotes", db_index=False)
    text = models.TextField()
    start = models.PositiveIntegerField(help_text="Offset of the first character in the text.")
    end = models.PositiveIntegerField(help_text="Offset just past the last character.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.FULL)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PROPOSED, db_index=True
    )
    confidence = models.FloatField(default=1.0)
    statement = models.ForeignKey(
        Statement, on_delete=models.SET_NULL, null=True, blank=True, related_name="quotes"
    )
    statement_pinned = models.BooleanField(
        default=False,
        help_text="An editor placed this quote in its statement (or split it out): re-linking keeps it so.",
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="quotes", through="QuoteTopic")

    objects = QuoteQuerySet.as_manager()

    class Meta:
        ordering = ["article", "start"]
        # A speaker's or a topic's page finds its quotes' ids, status and article from these
        # indexes alone (QuoteQuerySet.newest_first_slice), without reading quote rows.
        indexes = [
            models.Index(fields=["speaker", "status", "article"], name="quote_speaker_status"),
            models.Index(fields=["article", "status", "speaker"], name="quote_article_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="quote_span_valid"),
            models.CheckConstraint(
                condition=Q(confidence__gte=0) & Q(confidence__lte=1),
                name="quote_confidence_range",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["full", "fragment", "indirect"]), name="quote_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["proposed", "approved", "rejected"]),
                name="quote_status_valid",
            ),
            models.UniqueConstraint(
                fields=["article", "start", "end"], name="quote_unique_span_per_article"
            ),
        ]

    def __str__(self):
        text = self.text
        return f"{self.speaker}: “{text if len(text) <= 60 else text[:59] + '…'}”"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        may_have_moved = not self._state.adding and (update_fields is None or "article" in update_fields)
        super().save(*args, **kwargs)
        if may_have_moved:
            self.topic_links.take_article_dates()

    def get_absolute_url(self):
        return reverse("statements:quote-detail", kwargs={"pk": self.pk})

    def clean(self):
        super().clean()
        if self.article_id is None or self.start is None or self.end is None:
            return
        article_text = self.article.text
        if not 0 <= self.start < self.end <= len(article_text):
            raise ValidationError(
                {"end": f"The span {self.start}–{self.end} lies outside the article's text."}
            )
        if article_text[self.start : self.end] != self.text:
            raise ValidationError(
                {
                    "text": "The offsets do not select the quote's words: the article has "
                    f"“{article_text[self.start : self.end][:120]}” there."
                }
            )

    @property
    def published_on(self):
        return self.article.published

    @property
    def is_public(self):
        return self.status == self.Status.APPROVED and self.article.is_published

    def context(self, sentences=1):
        """The quote with the sentences around it, within its paragraph: (before, words, after)."""
        text = self.article.text
        paragraph_start = text.rfind("\n\n", 0, self.start)
        paragraph_start = 0 if paragraph_start < 0 else paragraph_start + 2
        paragraph_end = text.find("\n\n", self.end)
        paragraph_end = len(text) if paragraph_end < 0 else paragraph_end
        ends_before = [m.end() for m in SENTENCE_END.finditer(text, paragraph_start, self.start)]
        ends_after = [m.start() + len(m.group().rstrip()) for m in SENTENCE_END.finditer(text, self.end, paragraph_end)]
        before_start = ends_before[-sentences] if len(ends_before) >= sentences else paragraph_start
        after_end = ends_after[sentences - 1] if len(ends_after) >= sentences else paragraph_end
        return text[before_start : self.start], text[self.start : self.end], text[self.end : after_end]


class QuoteTopicQuerySet(models.QuerySet):
    def public(self):
        return self.filter(public_quote_condition("quote__"))

    def newest_first(self):
        """By the quote's article date, then newest quote first: the order of the topic's index."""
        return self.order_by(models.F("published").desc(nulls_last=True), "-quote_id")

    def take_article_dates(self):
        """Copy each row's article date into it (one UPDATE)."""
        article_date = Quote.objects.filter(pk=models.OuterRef("quote_id")).values("article__published")[:1]
        return self.update(published=models.Subquery(article_date))


class QuoteTopic(models.Model):
    """A quote's topic. The row carries a copy of the quote's article date, so a topic's page
    reads its newest quotes in order off one index, at any archive size
    (QuoteQuerySet.newest_first_slice with a topic). Adding a topic to a quote (`quote.topics.add`,
    `.set`) fills the date in; saving an article or moving a quote keeps it in step."""

    # Each indexed by the index that leads with it: unique_together and Meta.indexes.
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="topic_links", db_index=False)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="quote_links", db_index=False)
    published = models.DateField(null=True, blank=True, editable=False)

    objects = QuoteTopicQuerySet.as_manager()

    class Meta:
        db_table = "statements_quote_topics"  # the table of the plain many-to-many it replaced
        unique_together = [("quote", "topic")]
        indexes = [models.Index(fields=["topic", "published", "quote"], name="quotetopic_topic_date")]

    def __str__(self):
        return f"{self.quote_id} on {self.topic}"


@receiver(m2m_changed, sender=QuoteTopic)
def quote_topics_dated(sender, instance, action, reverse, pk_set, **kwargs):
    if action != "post_add" or not pk_set:
        return
    if reverse:  # topic.quotes.add(…)
        added = QuoteTopic.objects.filter(topic=instance, quote_id__in=pk_set)
    else:
        added = QuoteTopic.objects.filter(quote=instance, topic_id__in=pk_set)
    added.take_article_dates()


# A sentence ends at . ! or ? (perhaps closed by a quote mark) before a capital or an opening
# quote mark, unless the word before is an initial or a title ("U.S.", "Mr.").
SENTENCE_END = re.compile(
    r"(?<!\b[A-Z])(?<!\bMr)(?<!\bMs)(?<!\bDr)(?<!\bSt)(?<!\bMrs)(?<!\bGen)(?<!\bSen)(?<!\bRep)(?<!\bGov)"
    r"[.!?][”\"’']?\s+(?=[“\"‘A-Z])"
)


class IndexQueueEntry(models.Model):
    """A record whose search-index entry (or, for a speaker or topic, stored quote count) must be
    brought in step with the database. Written in the same transaction as the change; applied in
    batches by one writer (statements.indexing)."""

    model = models.CharField(max_length=100)
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "index queue entries"
        indexes = [models.Index(fields=["model", "object_id"], name="indexqueue_model_object")]

    def __str__(self):
        return f"{self.model}.{self.object_id}"

    def get_absolute_url(self):
        return reverse("admin:statements_indexqueueentry_changelist")


class QuoteKey(models.Model):
    """A blocking key of a quote's words (statements.linking.blocking_keys), with the speaker and
    date copied beside it so that finding candidate reports is one index lookup, whatever the
    size of the archive."""

    # The unique (quote, key) pair serves lookups by quote: an index of its own would only be
    # one more B-tree for every imported key row to be written to.
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="keys", db_index=False)
    key = models.BigIntegerField()
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="+")
    date = models.DateField(null=True)

    class Meta:
        ordering = ["quote", "key"]
        indexes = [models.Index(fields=["key", "speaker", "date"], name="quotekey_lookup")]
        constraints = [models.UniqueConstraint(fields=["quote", "key"], name="quotekey_unique")]

    def __str__(self):
        return f"{self.quote_id}:{self.key}"

    def get_absolute_url(self):
        return self.quote.get_absolute_url()


class StatementSplit(models.Model):
    """An editor's decision that two quotes are not the same statement."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "other"], name="statementsplit_unique"),
            models.CheckConstraint(condition=Q(quote__lt=models.F("other")), name="statementsplit_ordered"),
        ]

    def __str__(self):
        return f"{self.quote_id} ≠ {self.other_id}"

    def get_absolute_url(self):
        return self.quote.get_absolute_url()


class Subscription(models.Model):
    """An email alert on a speaker, a topic or a search, confirmed by its owner (double opt-in)."""

    class Kind(models.TextChoices):
        SPEAKER = "speaker", "Speaker"
        TOPIC = "topic", "Topic"
        SEARCH = "search", "Search"

    email = models.EmailField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, null=True, blank=True, related_name="subscriptions")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, null=True, blank=True, related_name="subscriptions")
    query = models.CharField(max_length=1000, blank=True, help_text="The search's GET parameters.")
    token = models.CharField(max_length=64, unique=True, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="speaker", speaker__isnull=False, topic__isnull=True)
                           | Q(kind="topic", topic__isnull=False, speaker__isnull=True)
                           | (Q(kind="search", speaker__isnull=True, topic__isnull=True) & ~Q(query=""))),
                name="subscription_one_target",
            ),
        ]

    def __str__(self):
        return f"{self.email}: {self.describe()}"

    def get_absolute_url(self):
        return reverse("statements:alert-unsubscribe", kwargs={"token": self.token})

    def describe(self):
        if self.kind == self.Kind.SPEAKER:
            return f"quotes of {self.speaker.name}"
        if self.kind == self.Kind.TOPIC:
            return f"quotes on {self.topic.name}"
        return f"quotes matching the search {self.query}"


class AlertDelivery(models.Model):
    """A quote mailed to a subscription: never mailed to it twice."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["subscription", "quote"], name="alertdelivery_once")]

    def __str__(self):
        return f"{self.subscription_id} ← {self.quote_id}"

    def get_absolute_url(self):
        return self.quote.get_absolute_url()
