"""QuoteKey's quote column loses its single-column index: the unique (quote, key) pair, whose
first column it is, serves every lookup by quote, and each imported key row had one more B-tree
to be written to.

Only the index is dropped. Django would alter the field on SQLite by rebuilding the table (a
copy of every key row), so the database side is done here with the schema editor's
remove_index, and the state records the field as altered."""

import django.db.models.deletion
from django.db import migrations, models


def quote_column_index(schema_editor, model):
    """The name of the non-unique index on the quote column alone, if there is one."""
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, model._meta.db_table)
    column = model._meta.get_field("quote").column
    for name, details in constraints.items():
        if details["index"] and not details["unique"] and not details["primary_key"] and details["columns"] == [column]:
            return name
    return None


def drop_index(apps, schema_editor):
    QuoteKey = apps.get_model("statements", "QuoteKey")
    name = quote_column_index(schema_editor, QuoteKey)
    if name:
        schema_editor.remove_index(QuoteKey, models.Index(fields=["quote"], name=name))


def restore_index(apps, schema_editor):
    QuoteKey = apps.get_model("statements", "QuoteKey")
    if not quote_column_index(schema_editor, QuoteKey):
        schema_editor.add_index(QuoteKey, models.Index(fields=["quote"], name="quotekey_quote_idx"))


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0010_article_long_columns_last"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_index, restore_index)],
            state_operations=[
                migrations.AlterField(
                    model_name="quotekey",
                    name="quote",
                    field=models.ForeignKey(
                        db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="keys", to="statements.quote"
                    ),
                ),
            ],
        ),
    ]
