import datetime

from django import forms
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import ValidationError

from .models import Article, Quote, Source, Speaker, Topic
from .services import article_find_existing, body_and_text_from, content_hash_for

CONTENT_FORMATS = [
    ("auto", "Detect (HTML if it has tags, otherwise plain text)"),
    ("text", "Plain text (paragraphs separated by blank lines)"),
    ("html", "HTML (sanitized: scripts, styles and event handlers are removed)"),
]


class ArticlePasteForm(forms.ModelForm):
    """The admin's "add article" form: paste the article's text or HTML."""

    content = forms.CharField(
        label="Article text or HTML",
        widget=forms.Textarea(attrs={"rows": 24, "cols": 100}),
        max_length=5 * 1024 * 1024,
        help_text="Paste the article body. HTML is sanitized before it is stored.",
    )
    content_format = forms.ChoiceField(choices=CONTENT_FORMATS, initial="auto")

    url = forms.URLField(required=False, max_length=1000, assume_scheme="https")

    class Meta:
        model = Article
        fields = ["title", "source", "url", "published", "language", "topics", "status"]

    def clean(self):
        cleaned = super().clean()
        content = cleaned.get("content")
        if not content:
            return cleaned
        body, text = body_and_text_from(content, content_format=cleaned.get("content_format", "auto"))
        if not text:
            raise ValidationError({"content": "There is no readable text in what was pasted."})
        existing = article_find_existing(url=cleaned.get("url"), content_hash=content_hash_for(text))
        if existing:
            raise ValidationError(
                f"This article is already in the archive as “{existing.title}” (id {existing.pk})."
            )
        return cleaned

    def validate_unique(self):
        # Slug and content hash are set by the import service, not typed by the editor.
        pass


class ChooseSpeakerForm(forms.Form):
    speaker = forms.ModelChoiceField(queryset=Speaker.objects.all(), label="Speaker")

    def __init__(self, *args, exclude=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["speaker"].queryset = Speaker.objects.exclude(pk__in=[s.pk for s in exclude])


class SearchForm(forms.Form):
    """The search page's GET parameters. Bad values are form errors shown beside the form."""

    SORT_CHOICES = [("relevance", "Relevance"), ("newest", "Newest first"), ("oldest", "Oldest first")]

    q = forms.CharField(required=False, label="Search quotes", strip=True)
    speaker = forms.SlugField(required=False)
    topic = forms.SlugField(required=False)
    source = forms.SlugField(required=False)
    year = forms.RegexField(regex=r"^\d{4}$", required=False, error_messages={"invalid": "A year has four digits."})
    kind = forms.ChoiceField(choices=[("", "Any kind"), *Quote.Kind.choices], required=False)
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False)
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data=None, **kwargs):
        # "from" and "to" are Python keywords: the form fields are date_from / date_to.
        if data is not None:
            data = data.copy()
            for public, field_name in (("from", "date_from"), ("to", "date_to")):
                if public in data:
                    data[field_name] = data[public]
        super().__init__(data, **kwargs)

    def _clean_record(self, name, model, label):
        slug = self.cleaned_data.get(name)
        if not slug:
            return None
        queryset = model.objects.public() if model is Speaker else model.objects.all()
        record = queryset.filter(slug=slug).first()
        if record is None:
            raise ValidationError(f"There is no {label} “{slug}” in the archive.")
        return record

    def clean_speaker(self):
        return self._clean_record("speaker", Speaker, "speaker")

    def clean_topic(self):
        return self._clean_record("topic", Topic, "topic")

    def clean_source(self):
        return self._clean_record("source", Source, "outlet")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned

    @staticmethod
    def as_datetime(day):
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC) if day else None


class SubscriptionForm(forms.Form):
    """Subscribe to alerts on a speaker, a topic or a search (exactly one)."""

    email = forms.EmailField(label="Your email")
    speaker = forms.SlugField(required=False, widget=forms.HiddenInput)
    topic = forms.SlugField(required=False, widget=forms.HiddenInput)
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        targets = [name for name in ("speaker", "topic", "query") if cleaned.get(name)]
        if len(targets) != 1:
            raise ValidationError("Choose one speaker, topic or search to follow.")
        if cleaned.get("speaker"):
            cleaned["speaker"] = Speaker.objects.public().filter(slug=cleaned["speaker"]).first()
            if cleaned["speaker"] is None:
                raise ValidationError("There is no such speaker.")
        if cleaned.get("topic"):
            cleaned["topic"] = Topic.objects.filter(slug=cleaned["topic"]).first()
            if cleaned["topic"] is None:
                raise ValidationError("There is no such topic.")
        return cleaned


class SpeakerFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "All kinds"), *Speaker.Kind.choices], required=False)
    role = forms.ChoiceField(required=False)
    country = forms.ChoiceField(required=False)
    order = forms.ChoiceField(choices=[("name", "A–Z"), ("most-quoted", "Most quoted")], required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        public = Speaker.objects.public()
        for name, empty in (("role", "All roles"), ("country", "All countries")):
            values = public.exclude(**{name: ""}).order_by(name).values_list(name, flat=True).distinct()
            self.fields[name].choices = [("", empty), *((value, value) for value in values)]


class QuoteAdminForm(forms.ModelForm):
    """The admin's quote form. The admin will not offer a many-to-many that has its own
    relation model (Quote.topics, through QuoteTopic) as a field, so the topics are chosen
    here and set through the relation, which dates and counts them as any other change."""

    chosen_topics = forms.ModelMultipleChoiceField(
        Topic.objects.all(), required=False, label="Topics", widget=FilteredSelectMultiple("topics", is_stacked=False)
    )

    class Meta:
        model = Quote
        fields = ["text", "speaker", "article", "start", "end", "kind", "status", "confidence", "statement", "statement_pinned"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial.setdefault("chosen_topics", list(self.instance.topics.values_list("pk", flat=True)))

    def _save_m2m(self):
        super()._save_m2m()
        self.instance.topics.set(self.cleaned_data["chosen_topics"])
