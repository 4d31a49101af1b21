"""Email alerts: subscribe (double opt-in), confirm, unsubscribe, and the periodic mailing of
quotes that newly match a subscription (each quote at most once per subscription)."""

import secrets

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from .models import AlertDelivery, Quote, Subscription
from .search import search_from_params

MAX_QUOTES_PER_MAIL = 50


def site_url(path):
    return settings.SITE_URL.rstrip("/") + path


@transaction.atomic
def subscription_create(*, email, kind, speaker=None, topic=None, query=""):
    """A new (or the same pending) subscription, and its confirmation mail."""
    existing = Subscription.objects.filter(email__iexact=email, kind=kind, speaker=speaker, topic=topic, query=query).first()
    subscription = existing or Subscription(email=email, kind=kind, speaker=speaker, topic=topic, query=query, token=secrets.token_urlsafe(32))
    subscription.full_clean()
    subscription.save()
    if subscription.confirmed_at is None:
        confirm = site_url(reverse("statements:alert-confirm", kwargs={"token": subscription.token}))
        send_mail(
            subject=f"Confirm your Statements Archive alert: {subscription.describe()}",
            message=(
                f"Someone (we hope you) asked for email alerts on {subscription.describe()}.\n\n"
                f"To start receiving them, confirm here:\n{confirm}\n\n"
                "If this wasn't you, ignore this mail: nothing will be sent."
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[subscription.email],
        )
    return subscription


def subscription_confirm(*, token):
    subscription = Subscription.objects.filter(token=token).first()
    if subscription and subscription.confirmed_at is None:
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["confirmed_at"])
    return subscription


def subscription_cancel(*, token):
    return Subscription.objects.filter(token=token).delete()[0] > 0


def new_matches(subscription):
    """Public quotes matching the subscription that became public after it was confirmed and
    were not mailed to it before, newest first."""
    quotes = Quote.objects.published().with_related()
    if subscription.kind == Subscription.Kind.SPEAKER:
        quotes = quotes.by_speaker(subscription.speaker)
    elif subscription.kind == Subscription.Kind.TOPIC:
        quotes = quotes.on_topic(subscription.topic)
    else:
        params = QueryDict(subscription.query, mutable=True)
        params["sort"] = "newest"
        found = search_from_params(params)
        matching = [q.pk for q in found.outcome.quotes] if found.outcome else []
        quotes = quotes.filter(pk__in=matching)
    delivered = AlertDelivery.objects.filter(subscription=subscription).values("quote_id")
    return list(
        quotes.filter(updated_at__gte=subscription.confirmed_at)
        .exclude(pk__in=delivered)
        .newest_first()[:MAX_QUOTES_PER_MAIL]
    )


def alert_message(subscription, quotes):
    lines = [f"New in the Statements Archive: {subscription.describe()}.", ""]
    for quote in quotes:
        source = f", {quote.article.source.name}" if quote.article.source_id else ""
        day = f", {quote.article.published:%d %B %Y}" if quote.article.published else ""
        lines += [f"“{quote.text}”", f"  — {quote.speaker.name}{source}{day}", f"  {site_url(quote.get_absolute_url())}", ""]
    lines += ["To stop these alerts, unsubscribe here:", site_url(subscription.get_absolute_url())]
    return "\n".join(lines)


def alerts_send():
    """One mail per confirmed subscription with new matches; (mails sent, quotes mailed)."""
    mails = quotes_mailed = 0
    for subscription in Subscription.objects.filter(confirmed_at__isnull=False).select_related("speaker", "topic"):
        quotes = new_matches(subscription)
        if not quotes:
            continue
        with transaction.atomic():
            AlertDelivery.objects.bulk_create([AlertDelivery(subscription=subscription, quote=q) for q in quotes])
            subscription.last_sent_at = timezone.now()
            subscription.save(update_fields=["last_sent_at"])
            send_mail(
                subject=f"{len(quotes)} new quote{'s' if len(quotes) != 1 else ''}: {subscription.describe()}",
                message=alert_message(subscription, quotes),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[subscription.email],
            )
        mails += 1
        quotes_mailed += len(quotes)
    return mails, quotes_mailed
