"""Curation: editors add articles, review proposed quotes, fix attributions and merge speakers.
Every change goes through statements.services, so the admin and the batch commands agree."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.html import format_html

from . import services, statement_linking
from .forms import ArticlePasteForm, ChooseSpeakerForm, QuoteAdminForm
from .models import (
    Article,
    Quote,
    Source,
    Speaker,
    SpeakerAlias,
    SpeakerRedirect,
    Statement,
    Topic,
)
from .proposing import SpeakerDirectory, TopicMatcher, quotes_propose


def choose_speaker_step(modeladmin, request, queryset, *, title, intro, apply, exclude=()):
    """An action's intermediate page: pick a speaker, then `apply(queryset, speaker)`."""
    form = ChooseSpeakerForm(request.POST if "apply" in request.POST else None, exclude=exclude)
    if "apply" in request.POST and form.is_valid():
        try:
            message = apply(queryset, form.cleaned_data["speaker"])
        except ValidationError as error:
            modeladmin.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            modeladmin.message_user(request, message, messages.SUCCESS)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "form": form,
        "objects": queryset,
        "action": request.POST.get("action"),
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "opts": modeladmin.model._meta,
        "media": modeladmin.media + form.media,
    }
    return TemplateResponse(request, "admin/statements/choose_speaker.html", context)


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "homepage"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "keywords"]
    prepopulated_fields = {"slug": ["name"]}


class SpeakerAliasInline(admin.TabularInline):
    model = SpeakerAlias
    extra = 1


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "role", "organization", "country", "needs_review"]
    list_filter = ["kind", "needs_review", "country"]
    search_fields = ["name", "aliases__text", "role", "organization"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SpeakerAliasInline]
    actions = ["merge_into", "confirm_speakers"]

    @admin.action(description="Merge into another speaker…", permissions=["delete"])
    def merge_into(self, request, queryset):
        merged = list(queryset)

        def apply(queryset, target):
            for speaker in merged:
                services.speaker_merge(source=speaker, target=target)
            names = ", ".join(s.name for s in merged)
            return f"Merged {names} into {target.name}; their old pages redirect to {target.name}."

        return choose_speaker_step(
            self,
            request,
            queryset,
            title="Merge speakers",
            intro="Their quotes and aliases move to the speaker you keep; their pages redirect to it.",
            apply=apply,
            exclude=merged,
        )

    @admin.action(description="Confirm selected speakers", permissions=["change"])
    def confirm_speakers(self, request, queryset):
        count = services.speaker_confirm(speakers=queryset)
        self.message_user(request, f"Confirmed {count} speaker(s).", messages.SUCCESS)


class QuoteInline(admin.TabularInline):
    model = Quote
    extra = 0
    fields = ["text", "speaker", "kind", "status", "start", "end", "confidence"]
    autocomplete_fields = ["speaker"]
    show_change_link = True


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "published", "status", "quote_count"]
    list_filter = ["status", "source", "published", "topics"]
    search_fields = ["title", "text"]
    date_hierarchy = "published"
    autocomplete_fields = ["source"]
    filter_horizontal = ["topics"]
    readonly_fields = ["slug", "content_hash", "body_preview", "created_at", "updated_at"]
    actions = ["send_to_review", "publish", "unpublish", "reextract_quotes"]
    fieldsets = [
        (None, {"fields": ["title", "status", "source", "url", "published", "language", "topics"]}),
        ("Text", {"fields": ["body_preview"], "description": "The text is fixed once imported: quote offsets point into it."}),
        ("Record", {"fields": ["slug", "content_hash", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["title", "content", "content_format"]}),
        ("About the article", {"fields": ["source", "url", "published", "language", "topics", "status"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source").with_quote_counts()

    @admin.display(ordering="quote_total", description="Quotes")
    def quote_count(self, article):
        return article.quote_total

    @admin.display(description="Body")
    def body_preview(self, article):
        return format_html('<div style="max-width:48rem">{}</div>', article.text[:2000] + ("…" if len(article.text) > 2000 else ""))

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ArticlePasteForm
            kwargs["fields"] = None
        return super().get_form(request, obj, **kwargs)

    def get_inlines(self, request, obj):
        return [] if obj is None else [QuoteInline]

    def save_form(self, request, form, change):
        if change:
            return super().save_form(request, form, change)
        data = form.cleaned_data
        article, _ = services.article_import(
            title=data["title"],
            content=data["content"],
            content_format=data["content_format"],
            source=data.get("source"),
            url=data.get("url"),
            published=data.get("published"),
            language=data.get("language") or "en",
            topics=data.get("topics") or (),
            status=data.get("status") or Article.Status.REVIEW,
        )
        return article

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    def _set_status(self, request, queryset, status, verb):
        count = services.article_set_status(articles=queryset, status=status)
        self.message_user(request, f"{verb} {count} article(s).", messages.SUCCESS)

    @admin.action(description="Send selected articles to review", permissions=["change"])
    def send_to_review(self, request, queryset):
        self._set_status(request, queryset, Article.Status.REVIEW, "Sent to review")

    @admin.action(description="Publish selected articles", permissions=["change"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, Article.Status.PUBLISHED, "Published")

    @admin.action(description="Unpublish selected articles (back to review)", permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, Article.Status.REVIEW, "Unpublished")

    @admin.action(description="Re-extract quotes (approved and rejected ones are kept)", permissions=["change"])
    def reextract_quotes(self, request, queryset):
        directory, matcher = SpeakerDirectory(), TopicMatcher()
        proposed = sum(
            len(quotes_propose(article=article, directory=directory, topic_matcher=matcher)) for article in queryset
        )
        self.message_user(request, f"Proposed {proposed} quote(s) for review.", messages.SUCCESS)


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = ["short_text", "speaker", "article", "kind", "status", "confidence"]
    list_filter = ["status", "kind", ("speaker", admin.RelatedOnlyFieldListFilter), ("article__source", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["speaker", "article"]
    search_fields = ["text", "speaker__name", "article__title"]
    form = QuoteAdminForm
    autocomplete_fields = ["speaker", "article", "statement"]
    ordering = ["status", "-confidence", "-created_at"]
    actions = ["approve", "reject", "reattribute", "split_from_statement"]
    fields = ["text", "speaker", "article", "start", "end", "kind", "status", "confidence", "statement", "statement_pinned", "chosen_topics"]

    def changelist_view(self, request, extra_context=None):
        # The quote list is the review queue: with no filter chosen, it opens on what waits.
        if request.method == "GET" and not request.GET and self.has_view_or_change_permission(request):
            return HttpResponseRedirect(f"{request.path}?status__exact={Quote.Status.PROPOSED}")
        return super().changelist_view(request, extra_context)

    @admin.display(description="Quote", ordering="text")
    def short_text(self, quote):
        return quote.text if len(quote.text) <= 90 else quote.text[:89] + "…"

    def save_model(self, request, obj, form, change):
        services.quote_save(quote=obj)

    @admin.action(description="Approve selected quotes", permissions=["change"])
    def approve(self, request, queryset):
        count = services.quote_set_status(quotes=queryset, status=Quote.Status.APPROVED)
        self.message_user(request, f"Approved {count} quote(s).", messages.SUCCESS)

    @admin.action(description="Reject selected quotes", permissions=["change"])
    def reject(self, request, queryset):
        count = services.quote_set_status(quotes=queryset, status=Quote.Status.REJECTED)
        self.message_user(request, f"Rejected {count} quote(s).", messages.SUCCESS)

    @admin.action(description="Split out of their statements", permissions=["change"])
    def split_from_statement(self, request, queryset):
        quotes = list(queryset.filter(statement__isnull=False))
        for quote in quotes:
            statement_linking.quote_split_from_statement(quote=quote)
        self.message_user(request, f"Split {len(quotes)} quote(s) out of their statements; re-linking keeps them apart.", messages.SUCCESS)

    @admin.action(description="Re-attribute to another speaker…", permissions=["change"])
    def reattribute(self, request, queryset):
        def apply(queryset, speaker):
            count = services.quote_reattribute(quotes=queryset, speaker=speaker)
            return f"Re-attributed {count} quote(s) to {speaker.name}."

        return choose_speaker_step(
            self,
            request,
            queryset,
            title="Re-attribute quotes",
            intro="Choose who said these quotes.",
            apply=apply,
        )


class ReportInline(admin.TabularInline):
    model = Quote
    fields = ["text", "speaker", "article", "status", "statement_pinned"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "reports"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ["__str__", "first_reported", "report_count"]
    search_fields = ["canonical_text", "quotes__speaker__name"]
    readonly_fields = ["first_reported"]
    inlines = [ReportInline]
    actions = ["merge_statements"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(reports=Count("quotes"))

    @admin.display(description="Reports", ordering="reports")
    def report_count(self, statement):
        return statement.reports

    @admin.action(description="Merge selected statements into one", permissions=["change"])
    def merge_statements(self, request, queryset):
        if queryset.count() < 2:
            self.message_user(request, "Choose at least two statements to merge.", messages.WARNING)
            return
        kept = statement_linking.statements_merge(statements=list(queryset))
        self.message_user(request, f"Merged into statement {kept.pk}; re-linking keeps them together.", messages.SUCCESS)


@admin.register(SpeakerRedirect)
class SpeakerRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "speaker"]
    search_fields = ["old_slug", "speaker__name"]
    autocomplete_fields = ["speaker"]
