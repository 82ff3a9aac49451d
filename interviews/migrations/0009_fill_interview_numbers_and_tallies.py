from django.db import migrations


def fill(apps, schema_editor):
    """Every interview's numbers and every user's tallies, computed once from the answers; from
    here on each write keeps them up to date. The same function repairs them later
    (`manage.py rebuild_tallies`), so there is one recomputation, not two."""
    from interviews.tallies import rebuild

    rebuild(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0008_interview_numbers_and_tallies"),
    ]

    # Going back drops the columns and tables: nothing to undo here.
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
