from django import forms
from django.core.exceptions import ValidationError

from .models import Article, Speaker
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
