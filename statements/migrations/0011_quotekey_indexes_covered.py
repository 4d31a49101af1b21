"""QuoteKey's quote and speaker columns lose their single-column indexes.

The unique (quote, key) pair already serves every lookup by quote, and keys are found by key
first (the (key, speaker, date) index); a speaker is only deleted once no quote is theirs. The
two indexes only cost each imported key row two more B-tree inserts, the speaker one at
random places of an index as long as the table.

Only the indexes are dropped. Django would alter the two fields on SQLite by rebuilding the
table twice (a copy of every key row each time), so the database side is done here with the
schema editor's remove_index, and the state records the fields as altered."""

import django.db.models.deletion
from django.db import migrations, models

COLUMNS = {"quote": "quote_id", "speaker": "speaker_id"}


def single_column_indexes(schema_editor, model):
    """{column: index name} of the non-unique indexes on exactly one of COLUMNS."""
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {
        details["columns"][0]: name
        for name, details in constraints.items()
        if details["index"] and not details["unique"] and not details["primary_key"]
        and details["columns"] and len(details["columns"]) == 1 and details["columns"][0] in COLUMNS.values()
    }


def drop_indexes(apps, schema_editor):
    QuoteKey = apps.get_model("statements", "QuoteKey")
    found = single_column_indexes(schema_editor, QuoteKey)
    for field, column in COLUMNS.items():
        if column in found:
            schema_editor.remove_index(QuoteKey, models.Index(fields=[field], name=found[column]))


def restore_indexes(apps, schema_editor):
    QuoteKey = apps.get_model("statements", "QuoteKey")
    found = single_column_indexes(schema_editor, QuoteKey)
    for field, column in COLUMNS.items():
        if column not in found:
            schema_editor.add_index(QuoteKey, models.Index(fields=[field], name=f"quotekey_{field}_idx"))


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0010_article_long_columns_last"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_indexes, restore_indexes, elidable=True)],
            state_operations=[
                migrations.AlterField(
                    model_name="quotekey",
                    name="quote",
                    field=models.ForeignKey(
                        db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="keys", to="statements.quote"
                    ),
                ),
                migrations.AlterField(
                    model_name="quotekey",
                    name="speaker",
                    field=models.ForeignKey(
                        db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="statements.speaker"
                    ),
                ),
            ],
        ),
    ]
