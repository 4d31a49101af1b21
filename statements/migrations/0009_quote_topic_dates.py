"""Quote.topics gets its own relation model, QuoteTopic, on the same table, with a copy of
each quote's article date and an index (topic, date, quote) that a topic's page reads in
order. The table is kept as it is (Django's documented way of adding a relation model to a
many-to-many); the new column is then added and filled."""

import django.db.models.deletion
from django.db import migrations, models


def copy_article_dates(apps, schema_editor):
    Quote = apps.get_model("statements", "Quote")
    QuoteTopic = apps.get_model("statements", "QuoteTopic")
    article_date = Quote.objects.filter(pk=models.OuterRef("quote_id")).values("article__published")[:1]
    QuoteTopic.objects.update(published=models.Subquery(article_date))


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0008_list_covering_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="QuoteTopic",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        (
                            "quote",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="topic_links", to="statements.quote"
                            ),
                        ),
                        (
                            "topic",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="quote_links", to="statements.topic"
                            ),
                        ),
                    ],
                    options={"db_table": "statements_quote_topics", "unique_together": {("quote", "topic")}},
                ),
                migrations.AlterField(
                    model_name="quote",
                    name="topics",
                    field=models.ManyToManyField(
                        blank=True, related_name="quotes", through="statements.QuoteTopic", to="statements.topic"
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="quotetopic",
            name="published",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(copy_article_dates, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="quotetopic",
            name="quote",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="topic_links",
                to="statements.quote",
            ),
        ),
        migrations.AlterField(
            model_name="quotetopic",
            name="topic",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="quote_links",
                to="statements.topic",
            ),
        ),
        migrations.AddIndex(
            model_name="quotetopic",
            index=models.Index(fields=["topic", "published", "quote"], name="quotetopic_topic_date"),
        ),
    ]
