import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from interviews import tallies
from interviews.models import Answer, Interview
from progress import stats
from questions.models import BankVersion, Question

pytestmark = pytest.mark.django_db
DAY0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def finished_interview(user, questions, when, scores, confidence=3, texts=None):
    """A finished, reviewed interview at `when`: one answer per question with its score."""
    interview = Interview.objects.start(
        user=user, questions=questions, seconds_per_question=60, now=when
    )
    for index, answer in enumerate(interview.answers.order_by("position")):
        shown = when + timedelta(minutes=index)
        answer.show(shown)
        text = (texts or {}).get(index, f"answer {index}")
        answer.submit(text, shown + timedelta(seconds=30))
        if answer.is_unanswered:
            continue
        answer.reveal(confidence, shown + timedelta(seconds=40))
        points = list(range(1, answer.question.key_points.count() + 1))
        answer.record_review(
            points[: round(scores[index] * len(points))], None, "", shown + timedelta(seconds=50)
        )
    interview.finish(when + timedelta(minutes=10))
    return interview


def bulk_history(user, questions, count, start=0):
    """`count` finished interviews made in bulk, to show costs do not grow with data."""
    interviews = Interview.objects.bulk_create(
        Interview(
            user=user,
            question_count=2,
            seconds_per_question=60,
            status="finished",
            created_at=DAY0 + timedelta(hours=i),
            started_at=DAY0 + timedelta(hours=i),
            finished_at=DAY0 + timedelta(hours=i, minutes=5),
        )
        for i in range(start, start + count)
    )
    Answer.objects.bulk_create(
        Answer(
            interview=interview,
            question=question,
            position=position,
            shown_at=interview.started_at,
            deadline=interview.started_at + timedelta(60),
            closed_at=interview.finished_at,
            outcome="submitted",
            seconds_used=40,
            text="bulk",
            score=0.5,
            confidence=4,
            revealed_at=interview.finished_at,
            reference={"answer_html": "", "key_points": [{"text": "a", "html": "a"}] * 2},
            covered=[1],
            state=Answer.State.REVIEWED,
            reviewed_at=interview.finished_at,
        )
        for interview in interviews
        for position, question in enumerate(questions[:2], 1)
    )
    # Made in bulk, past the write paths: the stored numbers and tallies as a migration fills them.
    tallies.rebuild([user.pk])


@pytest.fixture
def questions(bank):
    return list(Question.objects.filter(topic__slug="training").order_by("position")[:3])


# --- pages and ownership --------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["progress:history", "progress:progress", "progress:export", "delete_account"]
)
def test_anonymous_is_sent_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_empty_states_help_a_new_user(user_client, bank):
    body = user_client.get("/history/").content.decode()
    assert "No interviews yet" in body
    assert "Start your first interview" in body
    body = user_client.get("/progress/").content.decode()
    assert "No scores yet" in body
    assert "0 of" in body


def test_history_lists_only_my_interviews_newest_first_in_progress_on_top(
    user, other_user, user_client, questions
):
    older = finished_interview(user, questions[:1], DAY0, [1.0])
    newer = finished_interview(user, questions[1:2], DAY0 + timedelta(days=1), [0.0])
    running = Interview.objects.start(
        user=user, questions=questions[2:], seconds_per_question=60, now=DAY0
    )
    finished_interview(other_user, questions[:1], DAY0, [0.0])
    page = user_client.get("/history/").context["page"]
    assert [i.pk for i in page.object_list] == [running.pk, newer.pk, older.pk]
    body = user_client.get("/history/").content.decode()
    assert "Resume" in body
    assert f"/interviews/{newer.pk}/review/" in body
    assert "0%" in body
    assert "100%" in body


def test_progress_numbers_match_the_reviews(user, user_client, questions):
    first = finished_interview(user, questions[:2], DAY0, [1.0, 0.25], confidence=5)
    finished_interview(user, questions[:1], DAY0 + timedelta(days=1), [0.0], confidence=5)
    # A quarter of its key points, rounded to whole ones: below 0.5 for 3 to 7 key points.
    half = first.answers.get(position=2).score
    context = user_client.get("/progress/").context
    assert [p.value for p in context["chart"]["points"]] == [pytest.approx((1 + half) / 2), 0.0]
    training = next(r for r in context["readiness"] if r.topic.slug == "training")
    assert training.seen == 2
    assert training.total == Question.objects.filter(topic__slug="training").count()
    # Reviewed days ago: recall has dropped below 1 but not to 0; 28 unseen questions count 0.
    assert 0 < training.readiness < 2 / training.total
    weakest = list(context["weakest"])
    assert weakest[0]["question__slug"] == questions[1].slug
    assert weakest[0]["avg_score"] == pytest.approx(half)
    assert weakest[1]["avg_score"] == pytest.approx(0.5)  # 1.0 then 0.0
    # Three reviewed answers say nothing about calibration: the sample size is shown instead.
    assert context["calibration"]["answers"] == 3
    assert context["verdict"] is None
    assert "3 reviewed answers so far: a verdict needs at least 10" in (
        user_client.get("/progress/").content.decode()
    )
    assert context["totals"]["answers"] == 3
    assert context["totals"]["avg_seconds"] == 30


def test_calibration_verdict_needs_ten_reviewed_answers_and_ignores_blank_ones(
    user, user_client, questions
):
    for day in range(3):
        finished_interview(user, questions, DAY0 + timedelta(days=day), [0.25, 0.25, 0.25], 5)
    context = user_client.get("/progress/").context
    assert (context["calibration"]["answers"], context["verdict"]) == (9, None)
    # A blank answer is not a review: it adds nothing to calibration or the weakest list.
    blank = finished_interview(user, questions[:1], DAY0 + timedelta(days=4), [0.0], 5, {0: "  "})
    assert blank.answers.get().state == Answer.State.UNANSWERED
    context = user_client.get("/progress/").context
    assert (context["calibration"]["answers"], context["verdict"]) == (9, None)
    assert all(row["attempts"] == 3 for row in context["weakest"])
    finished_interview(user, questions[:1], DAY0 + timedelta(days=5), [0.25], 5)
    context = user_client.get("/progress/").context
    assert (context["calibration"]["answers"], context["verdict"]) == (10, "over")
    assert "over 10 reviewed answers" in user_client.get("/progress/").content.decode()


def test_streak_counts_consecutive_days_up_to_today(user, questions):
    for day in (0, 1, 2, 5, 6):
        finished_interview(user, questions[:1], DAY0 + timedelta(days=day), [1.0])
    numbers = stats.totals(user, today=(DAY0 + timedelta(days=6)).date())
    assert numbers["days"] == 5
    assert numbers["streak"] == 2
    assert stats.totals(user, today=(DAY0 + timedelta(days=7)).date())["streak"] == 2
    assert stats.totals(user, today=(DAY0 + timedelta(days=9)).date())["streak"] == 0


def test_query_counts_do_not_grow_with_history(user, user_client, questions, query_count):
    """History, progress, home and a due interview cost the same after 1 and 1,000 interviews."""
    from repetition import schedule

    def start_due_round():
        response = user_client.post(reverse("interviews:practise_due"))
        assert response.status_code == 302
        assert response.url != "/"  # it started an interview

    def measure():
        # The first visit after a change makes the page; the next one reads it kept. With
        # Redis the bank's version is read from it, once it is there (it lasts 30 s).
        BankVersion.current()
        counts = {}
        for name, page in pages.items():
            counts[name] = query_count(page)
            if name in kept:
                counts[f"{name} again"] = query_count(page)
        Interview.objects.for_user(user).in_progress().delete()
        # The round left a message for the next page: shown here, so the next measure's
        # first page is not one that shows it (such a page is never kept).
        user_client.get("/history/")
        return counts

    pages = {
        "history": lambda: user_client.get("/history/"),
        "history page 3": lambda: user_client.get("/history/?page=3"),
        "progress": lambda: user_client.get("/progress/"),
        "home": lambda: user_client.get("/"),
        "practise what's due": start_due_round,
    }
    kept = ["history", "history page 3", "progress", "home"]
    bulk_history(user, questions, 1)
    for answer in Answer.objects.filter(interview__user=user):
        schedule.record(
            user_id=user.pk,
            question_id=answer.question_id,
            answer_id=answer.pk,
            rating=1,
            at=answer.revealed_at,
        )
    small = measure()
    bulk_history(user, questions, 999, start=1)
    large = measure()
    assert small == large
    # Database sessions cost one query a request, and the bank's version one; with Redis,
    # both are read from it. A kept page costs the user (with their count of practice changes).
    shared = 0 if settings.REDIS_URL else 1
    assert large == {
        "history": 4 + 2 * shared,
        "history page 3": 4 + 2 * shared,
        "progress": 8 + 2 * shared,
        "home": 7 + 2 * shared,
        "practise what's due": 16 + shared,
    } | {f"{name} again": 1 + 2 * shared for name in kept}


def test_history_bad_page_numbers_fall_back(user_client, user, questions):
    bulk_history(user, questions, 45)
    assert user_client.get("/history/?page=abc").context["page"].number == 1
    assert user_client.get("/history/?page=999").context["page"].number == 3


def test_csv_export_has_one_row_per_answer_with_multiline_text(
    user, user_client, questions, other_user
):
    finished_interview(
        user, questions[:2], DAY0, [1.0, 0.0], texts={0: 'Line one,\n"quoted" line two'}
    )
    finished_interview(other_user, questions[:1], DAY0, [0.0], texts={0: "not mine"})
    response = user_client.get("/history/answers.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["date", "interview", "position"]
    assert len(rows) == 3
    assert rows[1][-1] == 'Line one,\n"quoted" line two'
    assert rows[1][4] == "Training & optimization"
    assert rows[1][8] == "1.0"
    assert rows[2][8] == "0.0"
    assert "not mine" not in "".join(sum(rows, []))


def test_question_page_lists_my_attempts(user, user_client, client, questions):
    interview = finished_interview(user, questions[:1], DAY0, [0.5])
    body = user_client.get(questions[0].get_absolute_url()).content.decode()
    assert "Your attempts" in body
    assert f"/interviews/{interview.pk}/review/#answer-1" in body
    assert "Your attempts" not in client.get(questions[0].get_absolute_url()).content.decode()


def test_practise_weakest_starts_an_interview_with_them(user, user_client, questions):
    response = user_client.post(
        "/interviews/practise/", {"question": [questions[1].slug, questions[0].slug, "nope"]}
    )
    interview = Interview.objects.for_user(user).get()
    assert response.url == interview.get_absolute_url()
    assert list(interview.answers.values_list("question__slug", flat=True)) == [
        questions[1].slug,
        questions[0].slug,
    ]
    response = user_client.post("/interviews/practise/", {})
    assert response.status_code == 302
    assert Interview.objects.count() == 1


def test_delete_account_needs_password_and_confirmation(user, user_client, questions):
    finished_interview(user, questions[:1], DAY0, [1.0])
    response = user_client.post(reverse("delete_account"), {"password": "wrong", "confirm": "on"})
    assert response.status_code == 400
    assert "not your password" in response.content.decode()
    response = user_client.post(reverse("delete_account"), {"password": "a-Str0ng-passphrase"})
    assert response.status_code == 400
    assert get_user_model().objects.filter(pk=user.pk).exists()
    response = user_client.post(
        reverse("delete_account"), {"password": "a-Str0ng-passphrase", "confirm": "on"}
    )
    assert response.url == "/"
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert not Interview.objects.exists()
    assert not Answer.objects.exists()
    assert Question.objects.count() > 100  # the bank is untouched


def test_the_review_history_and_chart_agree_on_an_interviews_score(user, user_client, questions):
    interview = finished_interview(user, questions[:3], DAY0, [1.0, 0.25, 0.0])
    summary = user_client.get(interview.get_review_url()).context["summary"]
    listed = next(i for i in stats.history(user) if i.pk == interview.pk)
    charted = next(score for pk, _, score in stats.score_over_time(user) if pk == interview.pk)
    assert summary["score"] == pytest.approx(listed.score)
    assert summary["score"] == pytest.approx(charted)
    assert summary["reviewed"] == 3


def test_the_cached_score_chart_follows_every_new_score(user, user_client, questions):
    finished_interview(user, questions[:1], DAY0, [1.0])
    body = user_client.get("/progress/").content.decode()
    assert body.count('class="score-point"') == 1
    second = finished_interview(user, questions[1:2], DAY0 + timedelta(days=1), [0.0])
    body = user_client.get("/progress/").content.decode()
    assert body.count('class="score-point"') == 2
    assert second.get_review_url() in body
    # A regrade of an old review changes the chart too, though no interview was added.
    answer = second.answers.get()
    answer.record_review([1], None, "", DAY0 + timedelta(days=2))
    numbers = user_client.get("/progress/").content.decode().split("Show the numbers")[1]
    numbers = numbers.split("</table>")[0]
    assert "<td>0%</td>" not in numbers
    assert f"<td>{round(100 / answer.question.key_points.count())}%</td>" in numbers
