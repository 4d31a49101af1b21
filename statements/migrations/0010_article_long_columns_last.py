"""An article's body and text become the last columns of its table.

SQLite stores a row's columns in order, and a row longer than a page (an article's body and
text are about 6 KB together) continues on overflow pages. To read a column stored after the
body, SQLite walks those pages, even when the query does not ask for the body. Lists of quotes
read each quote's article for its title, date, link and source: with the long columns last,
that is one page per article instead of three, which is what a speaker's page costs on a
million-quote archive whose database is not in memory.

On SQLite the table is rebuilt the way Django rebuilds it for any change (new table, copy,
swap, indexes restored, planner statistics taken again); the two fields are given as altered
so that Django places them last. The migration state records the new order too, so later
rebuilds keep it. PostgreSQL keeps long values out of the row already (TOAST), so there
nothing is rebuilt."""

from django.db import migrations, models

LONG_COLUMNS = ("body", "text")


def move_long_columns_last(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    Article = apps.get_model("statements", "Article")
    moved = []
    for name in LONG_COLUMNS:
        field = Article._meta.get_field(name)
        # A copy is created after every other field, and Django orders a table's columns by
        # the fields' creation.
        copy = field.clone()
        copy.set_attributes_from_name(name)
        moved.append((field, copy))
    schema_editor._remake_table(Article, alter_fields=moved)
    # Dropping the old table dropped its planner statistics; without them SQLite reads article
    # rows where the covering indexes would do (see planner_statistics).
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
        if cursor.fetchone():
            cursor.execute(f"ANALYZE {schema_editor.quote_name(Article._meta.db_table)}")


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0009_quote_topic_dates"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(move_long_columns_last, migrations.RunPython.noop),
            ],
            state_operations=[
                migrations.RemoveField(model_name="article", name="body"),
                migrations.RemoveField(model_name="article", name="text"),
                migrations.AddField(
                    model_name="article",
                    name="body",
                    field=models.TextField(help_text="Sanitized HTML."),
                ),
                migrations.AddField(
                    model_name="article",
                    name="text",
                    field=models.TextField(
                        editable=False, help_text="Plain text derived from the body; quote offsets index it."
                    ),
                ),
            ],
        ),
    ]
