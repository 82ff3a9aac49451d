"""A GIN index over the stored search vector, on PostgreSQL only.

The index is not in the model's Meta because SQLite cannot build it; the vector column exists
on both, and stays empty on SQLite, where search uses case-insensitive matching instead.
"""

from django.db import migrations

INDEX = "question_search_vector_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON questions_question USING gin (search_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("questions", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
