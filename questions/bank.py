"""Reading, validating and writing the question bank's files (fixtures/).

The bank lives in TOML: `fixtures/sources.toml` for the collections and one file per topic in
`fixtures/questions/`. Validation collects every problem in every file before anything is
written, so one bad file changes nothing.
"""

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import BankVersion, Difficulty, KeyPoint, Question, SeedRef, Source, Topic
from .rendering import MathError, render_inline, render_markdown

DEFAULT_PATH = Path(settings.BASE_DIR) / "fixtures"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REF_RE = re.compile(r"^([a-z0-9-]+):([a-z0-9-]+)$")
KEY_POINTS_RANGE = (3, 7)
FOLLOW_UPS_RANGE = (1, 3)
MINUTES_RANGE = (1, 15)


class BankError(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class QuestionData:
    slug: str
    prompt: str
    difficulty: str
    suggested_minutes: int
    answer: str
    key_points: list[str]
    follow_ups: list[dict[str, str]]
    refs: list[tuple[str, str]]  # (source_slug, number)
    position: int
    file: str
    answer_html: str = ""
    key_points_html: list[str] = field(default_factory=list)


@dataclass
class TopicData:
    slug: str
    name: str
    description: str
    position: int
    file: str
    questions: list[QuestionData] = field(default_factory=list)


# What read_bank() returns: the sources (one dict each, as for Source) and the topics.
type Bank = tuple[list[dict[str, Any]], list[TopicData]]
# Each bank file's name, modification time (ns) and size.
type Stamp = tuple[tuple[str, int, int], ...]


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    deleted: int = 0
    # Topics and sources created or edited (only the version needs to know).
    labels_changed: int = 0

    @property
    def changed(self) -> bool:
        return any((self.created, self.updated, self.retired, self.deleted, self.labels_changed))


def _problem(problems: list[str], file: str, where: str, message: str) -> None:
    problems.append(f"{file}: {where}: {message}" if where else f"{file}: {message}")


def _text(
    value: Any,
    problems: list[str],
    file: str,
    where: str,
    name: str,
    *,
    required: bool = True,
    max_length: int | None = None,
) -> str:
    if value is None:
        if required:
            _problem(problems, file, where, f"field '{name}' is missing")
        return ""
    if not isinstance(value, str):
        _problem(problems, file, where, f"field '{name}' must be a string")
        return ""
    value = value.strip()
    if required and not value:
        _problem(problems, file, where, f"field '{name}' is empty")
    if max_length and len(value) > max_length:
        _problem(problems, file, where, f"field '{name}' is longer than {max_length} characters")
    return value


def _string_list(
    value: Any,
    problems: list[str],
    file: str,
    where: str,
    name: str,
    bounds: tuple[int, int],
    max_length: int,
) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        _problem(problems, file, where, f"field '{name}' must be a list of strings")
        return []
    items = [item.strip() for item in value]
    low, high = bounds
    if not low <= len(items) <= high:
        _problem(
            problems, file, where, f"field '{name}' has {len(items)} items (want {low}-{high})"
        )
    for index, item in enumerate(items, 1):
        if not item:
            _problem(problems, file, where, f"field '{name}' item {index} is empty")
        elif len(item) > max_length:
            _problem(
                problems, file, where, f"field '{name}' item {index} is over {max_length} chars"
            )
    return items


def _follow_ups(value: Any, problems: list[str], file: str, where: str) -> list[dict[str, str]]:
    """[[questions.follow_ups]] tables, each a prompt and its short reference answer."""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        _problem(
            problems,
            file,
            where,
            "field 'follow_ups' must be [[questions.follow_ups]] tables with prompt and answer",
        )
        return []
    low, high = FOLLOW_UPS_RANGE
    if not low <= len(value) <= high:
        _problem(problems, file, where, f"has {len(value)} follow-ups (want {low}-{high})")
    follow_ups = []
    for index, item in enumerate(value, 1):
        item_where = f"{where}, follow-up {index}"
        unknown = set(item) - {"prompt", "answer"}
        if unknown:
            _problem(problems, file, item_where, f"unknown field(s) {', '.join(sorted(unknown))}")
        follow_ups.append(
            {
                "prompt": _text(
                    item.get("prompt"), problems, file, item_where, "prompt", max_length=500
                ),
                "answer": _text(item.get("answer"), problems, file, item_where, "answer"),
            }
        )
    return follow_ups


def _read_toml(path: Path, problems: list[str]) -> dict[str, Any] | None:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        _problem(problems, path.name, "", f"cannot be read as TOML: {error}")
        return None


def read_sources(path: Path, problems: list[str]) -> list[dict[str, Any]]:
    data = _read_toml(path, problems)
    if data is None:
        return []
    sources = []
    for index, raw in enumerate(data.get("sources", []), 1):
        if not isinstance(raw, dict):
            _problem(problems, path.name, f"source {index}", "must be a [[sources]] table")
            continue
        where = f"source {raw.get('slug', index)}"
        slug = _text(raw.get("slug"), problems, path.name, where, "slug")
        if slug and not SLUG_RE.match(slug):
            _problem(problems, path.name, where, "field 'slug' must be lowercase-with-dashes")
        year = raw.get("year")
        if year is not None and not (isinstance(year, int) and 1990 <= year <= 2100):
            _problem(problems, path.name, where, "field 'year' must be a year such as 2024")
        sources.append(
            {
                "slug": slug,
                "title": _text(raw.get("title"), problems, path.name, where, "title"),
                "publisher": _text(
                    raw.get("publisher"), problems, path.name, where, "publisher", required=False
                ),
                "year": year,
                "published": _text(
                    raw.get("published"), problems, path.name, where, "published", required=False
                ),
                "written_here": raw.get("written_here", False) is True,
            }
        )
    if not sources:
        _problem(problems, path.name, "", "lists no [[sources]]")
    return sources


def read_topic_file(path: Path, problems: list[str]) -> TopicData | None:
    data = _read_toml(path, problems)
    if data is None:
        return None
    file = path.name
    raw_topic = data.get("topic")
    if not isinstance(raw_topic, dict):
        _problem(problems, file, "", "has no [topic] table")
        return None
    slug = _text(raw_topic.get("slug"), problems, file, "topic", "slug")
    if slug and not SLUG_RE.match(slug):
        _problem(problems, file, "topic", "field 'slug' must be lowercase-with-dashes")
    position = raw_topic.get("position", 0)
    if not isinstance(position, int) or position < 0:
        _problem(problems, file, "topic", "field 'position' must be a whole number >= 0")
        position = 0
    topic = TopicData(
        slug=slug,
        name=_text(raw_topic.get("name"), problems, file, "topic", "name", max_length=100),
        description=_text(
            raw_topic.get("description"), problems, file, "topic", "description", required=False
        ),
        position=position,
        file=file,
    )
    raw_questions = data.get("questions", [])
    if not isinstance(raw_questions, list) or not raw_questions:
        _problem(problems, file, "", "has no [[questions]]")
        return topic
    for index, raw in enumerate(raw_questions, 1):
        if not isinstance(raw, dict):
            _problem(problems, file, f"question #{index}", "must be a [[questions]] table")
            continue
        topic.questions.append(_read_question(raw, index, file, problems))
    return topic


def _read_question(raw: dict[str, Any], index: int, file: str, problems: list[str]) -> QuestionData:
    where = f"question {raw.get('slug') or '#' + str(index)}"
    slug = _text(raw.get("slug"), problems, file, where, "slug", max_length=100)
    if slug and not SLUG_RE.match(slug):
        _problem(problems, file, where, "field 'slug' must be lowercase-with-dashes")
    difficulty = raw.get("difficulty")
    if difficulty not in Difficulty.values:
        _problem(
            problems,
            file,
            where,
            f"field 'difficulty' must be one of {', '.join(Difficulty.values)}",
        )
    minutes = raw.get("suggested_minutes", 3)
    if not isinstance(minutes, int) or not MINUTES_RANGE[0] <= minutes <= MINUTES_RANGE[1]:
        _problem(problems, file, where, "field 'suggested_minutes' must be a whole number 1-15")
        minutes = 3
    refs = []
    raw_refs = raw.get("sources", [])
    if not isinstance(raw_refs, list):
        _problem(problems, file, where, "field 'sources' must be a list of seed refs")
        raw_refs = []
    for ref in raw_refs:
        match = REF_RE.match(ref) if isinstance(ref, str) else None
        if not match:
            _problem(problems, file, where, f"field 'sources': '{ref}' is not a ref like name:12")
            continue
        refs.append((match.group(1), match.group(2)))
    question = QuestionData(
        slug=slug,
        prompt=_text(raw.get("prompt"), problems, file, where, "prompt", max_length=1000),
        difficulty=difficulty if difficulty in Difficulty.values else "",
        suggested_minutes=minutes,
        answer=_text(raw.get("answer"), problems, file, where, "answer"),
        key_points=_string_list(
            raw.get("key_points"), problems, file, where, "key_points", KEY_POINTS_RANGE, 300
        ),
        follow_ups=_follow_ups(raw.get("follow_ups"), problems, file, where),
        refs=refs,
        position=index,
        file=file,
    )
    _render(question, problems, where)
    return question


def _render(question: QuestionData, problems: list[str], where: str) -> None:
    """Markdown and math to HTML now, once, so no request ever renders it."""

    def render(function: Callable[[str], str], text: str, part: str) -> str:
        try:
            return function(text)
        except MathError as error:
            _problem(problems, question.file, where, f"{part}: {error}")
            return ""

    question.answer_html = render(render_markdown, question.answer, "answer")
    question.key_points_html = [
        render(render_inline, text, f"key point {n}")
        for n, text in enumerate(question.key_points, 1)
    ]
    for n, follow_up in enumerate(question.follow_ups, 1):
        follow_up["answer_html"] = render(render_markdown, follow_up["answer"], f"follow-up {n}")


def read_bank(path: Path | str = DEFAULT_PATH) -> Bank:
    """Read and validate the whole bank; raise BankError listing every problem.

    Parsing and rendering (Markdown, math) take about a second, so the result is kept in
    memory and reused while no file under `path` changes. Treat it as read-only.
    """
    path = Path(path)
    stamp = _files_stamp(path)
    if _read_cache.get(path) and _read_cache[path][0] == stamp:
        return _read_cache[path][1]
    result = _read_bank(path)
    _read_cache[path] = (stamp, result)
    return result


_read_cache: dict[Path, tuple[Stamp, Bank]] = {}


def _files_stamp(path: Path) -> Stamp:
    """What changes when any bank file does: names, sizes and modification times."""
    files = sorted(path.glob("*.toml")) + sorted((path / "questions").glob("*.toml"))
    return tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)


def _read_bank(path: Path) -> Bank:
    problems: list[str] = []
    sources_file = path / "sources.toml"
    questions_dir = path / "questions"
    if not sources_file.is_file():
        raise BankError([f"{sources_file}: not found"])
    if not questions_dir.is_dir():
        raise BankError([f"{questions_dir}: not a folder"])
    sources = read_sources(sources_file, problems)
    read_topics = [read_topic_file(p, problems) for p in sorted(questions_dir.glob("*.toml"))]
    topics = [t for t in read_topics if t is not None]
    if not topics:
        problems.append(f"{questions_dir}: holds no .toml topic files")

    source_slugs = {s["slug"] for s in sources}
    seen_topics: dict[str, str] = {}  # slug: file
    seen_questions: dict[str, str] = {}  # slug: file
    seen_refs: dict[str, str] = {}  # ref: question slug
    for topic in topics:
        if topic.slug in seen_topics:
            _problem(
                problems,
                topic.file,
                "topic",
                f"slug '{topic.slug}' is also used by {seen_topics[topic.slug]}",
            )
        seen_topics[topic.slug] = topic.file
        for question in topic.questions:
            where = f"question {question.slug}"
            if question.slug and question.slug in seen_questions:
                _problem(
                    problems,
                    question.file,
                    where,
                    f"slug is also used in {seen_questions[question.slug]}",
                )
            seen_questions[question.slug] = question.file
            for source_slug, number in question.refs:
                ref = f"{source_slug}:{number}"
                if source_slug not in source_slugs:
                    _problem(
                        problems,
                        question.file,
                        where,
                        f"field 'sources': '{ref}' names no collection in sources.toml",
                    )
                if ref in seen_refs:
                    _problem(
                        problems,
                        question.file,
                        where,
                        f"field 'sources': '{ref}' is already answered by {seen_refs[ref]}",
                    )
                seen_refs[ref] = question.slug
    _credit_own_questions(sources, topics, problems)
    if problems:
        raise BankError(problems)
    return sources, topics


def _credit_own_questions(
    sources: list[dict[str, Any]], topics: list[TopicData], problems: list[str]
) -> None:
    """A question with no seed ref was written for this bank: it is listed under the source
    marked `written_here`, so the "asked in" filter finds it like any other."""
    own = next((s["slug"] for s in sources if s["written_here"]), None)
    for topic in topics:
        for question in topic.questions:
            if question.refs:
                continue
            if own is None:
                _problem(
                    problems,
                    question.file,
                    f"question {question.slug}",
                    "has no seed refs, and sources.toml has no source with written_here = true",
                )
            else:
                question.refs = [(own, question.slug)]


@transaction.atomic
def load_bank(path: Path | str = DEFAULT_PATH) -> Counts:
    """Validate every file, then upsert everything by slug in one transaction. A load that
    changes anything gives the bank a new version in that same transaction, so no cached page
    of the old bank is served once it commits (questions/pages.py)."""
    sources, topics = read_bank(path)
    counts = Counts()
    source_ids = {}
    for source_data in sources:
        source = _upsert_by_slug(Source, source_data, counts)
        source_ids[source.slug] = source.pk
    if Question.objects.exists():
        _load_changes(topics, source_ids, counts)
    else:
        _load_into_empty_bank(topics, source_ids, counts)
    if counts.changed:
        BankVersion.bump(timezone.now())
    return counts


def _load_changes(topics: list[TopicData], source_ids: dict[str, int], counts: Counts) -> None:
    existing = {
        q.slug: q for q in Question.objects.prefetch_related("key_points", "seed_refs__source")
    }
    # Refs move between questions when the bank is re-organised: clear those that move first,
    # so the one-question-per-seed-ref constraint holds at every step.
    wanted_refs = {
        (source_ids[s], n): q.slug for t in topics for q in t.questions for s, n in q.refs
    }
    for seed_ref in SeedRef.objects.select_related("question"):
        owner = wanted_refs.get((seed_ref.source_id, seed_ref.number))
        if owner != seed_ref.question.slug:
            seed_ref.delete()

    changed_pks = []
    for topic_data in topics:
        topic = _upsert_topic(topic_data, counts)
        for data in topic_data.questions:
            outcome, question = _upsert_question(data, topic, existing.get(data.slug), source_ids)
            setattr(counts, outcome, getattr(counts, outcome) + 1)
            if outcome != "unchanged":
                changed_pks.append(question.pk)
    counts.retired, counts.deleted = _retire_missing({q.slug for t in topics for q in t.questions})
    Question.objects.filter(pk__in=changed_pks).update_search_vectors()


def _upsert_by_slug[M: (Source, Topic)](
    model: type[M], fields: dict[str, Any], counts: Counts
) -> M:
    """The row with `fields["slug"]`, created or brought up to date; counted when it changes."""
    row = model.objects.select_for_update().filter(slug=fields["slug"]).first()
    if row is None:
        row = model.objects.create(**fields)
    elif any(getattr(row, name) != value for name, value in fields.items()):
        for name, value in fields.items():
            setattr(row, name, value)
        row.save()
    else:
        return row
    counts.labels_changed += 1
    return row


def _upsert_topic(topic_data: TopicData, counts: Counts) -> Topic:
    fields = {
        "slug": topic_data.slug,
        "name": topic_data.name,
        "description": topic_data.description,
        "position": topic_data.position,
    }
    return _upsert_by_slug(Topic, fields, counts)


def _load_into_empty_bank(
    topics: list[TopicData], source_ids: dict[str, int], counts: Counts
) -> None:
    """The first load (a new machine, every test): a handful of bulk inserts, not one per row."""
    questions = []
    for topic_data in topics:
        topic = _upsert_topic(topic_data, counts)
        questions += [
            (data, Question(slug=data.slug, topic_id=topic.pk)) for data in topic_data.questions
        ]
    for data, question in questions:
        for name, value in _question_fields(data).items():
            setattr(question, name, value)
    created = Question.objects.bulk_create([question for _, question in questions])
    KeyPoint.objects.bulk_create(
        KeyPoint(question=question, position=position, text=text, html=html)
        for (data, _), question in zip(questions, created, strict=True)
        for position, (text, html) in enumerate(
            zip(data.key_points, data.key_points_html, strict=True), 1
        )
    )
    SeedRef.objects.bulk_create(
        SeedRef(question=question, source_id=source_ids[source], number=number)
        for (data, _), question in zip(questions, created, strict=True)
        for source, number in data.refs
    )
    counts.created = len(created)
    Question.objects.all().update_search_vectors()


def _retire_missing(wanted_slugs: set[str]) -> tuple[int, int]:
    """Questions gone from the files leave the bank. One that candidates answered is kept,
    retired (hidden from the bank, still shown in their reviews); any other is deleted."""
    gone = Question.objects.exclude(slug__in=wanted_slugs)
    answered = gone.filter(answers__isnull=False).distinct()
    retired = gone.filter(pk__in=answered.values("pk"), retired=False).update(retired=True)
    deleted = gone.exclude(pk__in=answered.values("pk"))
    deleted_count = deleted.count()
    if deleted_count:
        SeedRef.objects.filter(question__in=deleted).delete()
        KeyPoint.objects.filter(question__in=deleted).delete()
        deleted.delete()
    return retired, deleted_count


def _question_fields(data: QuestionData) -> dict[str, Any]:
    return {
        "prompt": data.prompt,
        "difficulty": data.difficulty,
        "suggested_minutes": data.suggested_minutes,
        "position": data.position,
        "answer": data.answer,
        "answer_html": data.answer_html,
        "follow_ups": data.follow_ups,
        "key_points_text": "\n".join(data.key_points),
        "retired": False,
    }


def _upsert_question(
    data: QuestionData, topic: Topic, question: Question | None, source_ids: dict[str, int]
) -> tuple[str, Question]:
    fields = {"topic_id": topic.pk, **_question_fields(data)}
    refs = sorted((source_ids[s], n) for s, n in data.refs)
    if question is None:
        question = Question.objects.create(slug=data.slug, **fields)
        outcome = "created"
        old_points, old_refs = [], []
    else:
        old_points = [(kp.text, kp.html) for kp in question.key_points.all()]
        old_refs = sorted((r.source_id, r.number) for r in question.seed_refs.all())
        if (
            all(getattr(question, k) == v for k, v in fields.items())
            and old_points == list(zip(data.key_points, data.key_points_html, strict=True))
            and old_refs == refs
        ):
            return "unchanged", question
        for name, value in fields.items():
            setattr(question, name, value)
        question.save()
        outcome = "updated"
    new_points = list(zip(data.key_points, data.key_points_html, strict=True))
    if old_points != new_points:
        _sync_key_points(question, new_points)
    if old_refs != refs:
        question.seed_refs.all().delete()
        SeedRef.objects.bulk_create(
            SeedRef(question=question, source_id=s, number=n) for s, n in refs
        )
    return outcome, question


def _sync_key_points(question: Question, points: list[tuple[str, str]]) -> None:
    """Update key points in place, by position (reviews keep their own copy when revealed)."""
    current = {kp.position: kp for kp in question.key_points.all()}
    for position, (text, html) in enumerate(points, 1):
        key_point = current.pop(position, None)
        if key_point is None:
            KeyPoint.objects.create(question=question, position=position, text=text, html=html)
        elif (key_point.text, key_point.html) != (text, html):
            key_point.text, key_point.html = text, html
            key_point.save(update_fields=["text", "html"])
    if current:
        KeyPoint.objects.filter(pk__in=[kp.pk for kp in current.values()]).delete()


def export_bank() -> list[dict[str, Any]]:
    """The bank as plain data: one dict per question, in bank order."""
    questions = (
        Question.objects.in_bank()
        .select_related("topic")
        .prefetch_related("key_points", "seed_refs__source")
        .in_bank_order()
    )
    return [
        {
            "slug": q.slug,
            "prompt": q.prompt,
            "topic": q.topic.slug,
            "difficulty": q.difficulty,
            "suggested_minutes": q.suggested_minutes,
            "answer": q.answer,
            "key_points": [kp.text for kp in q.key_points.all()],
            "follow_ups": [
                {"prompt": item["prompt"], "answer": item["answer"]} for item in q.follow_ups
            ],
            # Seed refs only: a question written here has none (its origin says so).
            "sources": sorted(r.ref for r in q.seed_refs.all() if not r.source.written_here),
            "origin": "written-here"
            if all(r.source.written_here for r in q.seed_refs.all())
            else "seed",
        }
        for q in questions
    ]
