"""Stored counts of public quotes on speakers and topics, so the list pages need not count every
quote on every request; filled here for an existing archive (statements.indexing keeps them)."""

from django.db import migrations, models
from django.db.models.functions import Coalesce

HELP_TEXT = "Its public quotes; kept in step through the index queue (statements.indexing)."


def count_published_quotes(apps, schema_editor):
    # The historical models have no custom querysets: the rule of Quote.objects.published().
    Quote = apps.get_model("statements", "Quote")
    published = Quote.objects.filter(status="approved", article__status="published").order_by()
    for model, relation in (("Speaker", "speaker"), ("Topic", "topics")):
        counted = (
            published.filter(**{relation: models.OuterRef("pk")})
            .values(relation)
            .annotate(count=models.Count("pk"))
            .values("count")
        )
        apps.get_model("statements", model).objects.update(
            published_quote_count=Coalesce(models.Subquery(counted), 0)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0005_alerts"),
    ]

    operations = [
        migrations.AddField(
            model_name="speaker",
            name="published_quote_count",
            field=models.PositiveIntegerField(default=0, editable=False, help_text=HELP_TEXT),
        ),
        migrations.AddField(
            model_name="topic",
            name="published_quote_count",
            field=models.PositiveIntegerField(default=0, editable=False, help_text=HELP_TEXT),
        ),
        migrations.RunPython(count_published_quotes, migrations.RunPython.noop),
    ]
