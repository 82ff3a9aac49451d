from django.db import migrations, models
from django.utils.html import escape


def snapshot_revealed_answers(apps, schema_editor):
    """Reviews revealed before this migration get their copy of the reference now, and their
    ticks become positions in it (the old ticks pointed at key-point rows)."""
    from questions.rendering import render_markdown

    Answer = apps.get_model("interviews", "Answer")
    revealed = Answer.objects.filter(revealed_at__isnull=False).select_related("question")
    for answer in revealed.iterator(chunk_size=200):
        question = answer.question
        points = list(question.key_points.order_by("position"))
        try:
            answer_html = question.answer_html or render_markdown(question.answer)
        except ValueError:
            answer_html = f"<p>{escape(question.answer)}</p>"
        follow_ups = [
            item if isinstance(item, dict) else {"prompt": item, "answer": "", "answer_html": ""}
            for item in question.follow_ups
        ]
        answer.reference = {
            "answer_html": answer_html,
            "key_points": [{"text": kp.text, "html": kp.html or escape(kp.text)} for kp in points],
            "follow_ups": follow_ups,
        }
        ticked = set(answer.covered_key_points.values_list("pk", flat=True))
        answer.covered = [n for n, kp in enumerate(points, 1) if kp.pk in ticked]
        answer.save(update_fields=["reference", "covered"])


class Migration(migrations.Migration):

    dependencies = [
        ("interviews", "0002_one_interview_at_a_time_late_text"),
        ("questions", "0003_rendered_html_retired_own_source"),
    ]

    operations = [
        migrations.AddField(
            model_name="answer",
            name="covered",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="answer",
            name="reference",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(snapshot_revealed_answers, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="answer",
            name="covered_key_points",
        ),
    ]
