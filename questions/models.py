import uuid
from datetime import UTC, datetime
from typing import Any, NamedTuple, Self

from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection, models, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import escape

from core.caching import quietly

SEARCH_CONFIG = "english"
SEARCH_MAX_LENGTH = 200


class Difficulty(models.TextChoices):
    BASIC = "basic", "Basic"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"


class Topic(models.Model):
    slug = models.SlugField(max_length=60)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["slug"], name="topic_unique_slug")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("questions:list") + f"?topic={self.slug}"


class Source(models.Model):
    """A public collection of interview questions the bank answers."""

    slug = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    publisher = models.CharField(max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    published = models.CharField(max_length=40, blank=True, help_text="e.g. January 2024")
    written_here = models.BooleanField(
        default=False,
        help_text="Not a public collection: questions written for this bank, with no seed.",
    )

    class Meta:
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["slug"], name="source_unique_slug")]

    def __str__(self) -> str:
        return self.title

    @property
    def short_name(self) -> str:
        return self.publisher or self.title


class QuestionQuerySet(models.QuerySet["Question"]):
    def in_bank(self) -> Self:
        """Questions the bank offers: not retired (removed from the files, kept for history)."""
        return self.filter(retired=False)

    def in_bank_order(self) -> Self:
        """Topic by topic, each in the order of its file. No Meta.ordering: a default that
        follows the topic would add a join and a sort to every query."""
        return self.order_by("topic__position", "position", "slug")

    def with_list_data(self) -> Self:
        """What a list row shows: topic and how many collections ask the question."""
        # Explicit order: Meta.ordering is not applied to GROUP BY queries.
        return (
            self.select_related("topic")
            # Public collections only: a question written for this bank is asked in none.
            .annotate(
                source_count=Count(
                    "seed_refs__source",
                    filter=Q(seed_refs__source__written_here=False),
                    distinct=True,
                )
            )
            .in_bank_order()
        )

    def filter_by(
        self,
        *,
        topic: str | None = None,
        difficulty: str | None = None,
        source: str | None = None,
    ) -> Self:
        queryset = self
        if topic:
            queryset = queryset.filter(topic__slug=topic)
        if difficulty:
            queryset = queryset.filter(difficulty=difficulty)
        if source:
            queryset = queryset.filter(
                pk__in=SeedRef.objects.filter(source__slug=source).values("question_id")
            )
        return queryset

    def search(self, text: str, *, in_references: bool = True) -> Self:
        """Every term of `text` in the prompt, key points or answer; phrase and prompt matches
        first; "batchnorm", "batch normalization" and "BN" alike (questions/search.py). With
        `in_references=False` (references paused for the user) prompts and topic names only.
        """
        from .search import search

        return search(self, " ".join(text.split())[:SEARCH_MAX_LENGTH], in_references=in_references)

    def update_search_vectors(self) -> int:
        """Recompute the stored search vectors (PostgreSQL only; elsewhere nothing to do)."""
        if connection.vendor != "postgresql":
            return 0
        return self.update(
            search_vector=(
                SearchVector("prompt", weight="A", config=SEARCH_CONFIG)
                + SearchVector("key_points_text", weight="B", config=SEARCH_CONFIG)
                + SearchVector("answer", weight="C", config=SEARCH_CONFIG)
            )
        )


class Question(models.Model):
    slug = models.SlugField(max_length=100)
    prompt = models.TextField()
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="questions")
    difficulty = models.CharField(max_length=12, choices=Difficulty)
    suggested_minutes = models.PositiveSmallIntegerField(default=3)
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Order within the topic (the order of its file)."
    )
    answer = models.TextField(help_text="Reference answer, in Markdown.")
    # Rendered once, when the bank is loaded: Markdown to HTML, formulas to MathML.
    answer_html = models.TextField(blank=True, editable=False)
    # [{"prompt": ..., "answer": ..., "answer_html": ...}]
    follow_ups = models.JSONField(default=list, blank=True)
    retired = models.BooleanField(
        default=False,
        help_text="Removed from the bank's files; kept because candidates' answers refer to it.",
    )
    # Denormalised copy of the key points so search needs no join; kept by save_key_points().
    key_points_text = models.TextField(blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="question_unique_slug"),
            models.CheckConstraint(
                condition=Q(difficulty__in=Difficulty.values), name="question_valid_difficulty"
            ),
            models.CheckConstraint(
                condition=Q(suggested_minutes__gte=1, suggested_minutes__lte=15),
                name="question_suggested_minutes_range",
            ),
        ]
        indexes = [
            models.Index(fields=["topic", "position"], name="question_topic_position_idx"),
            models.Index(fields=["difficulty"], name="question_difficulty_idx"),
        ]

    def __str__(self) -> str:
        return self.prompt

    def get_absolute_url(self) -> str:
        return reverse("questions:detail", args=[self.slug])

    def reference(self) -> dict[str, Any]:
        """What a review keeps of this question when the reference is revealed, so that a past
        review reads the same whatever happens to the bank later (uses prefetched key points)."""
        return {
            "answer_html": self.answer_html,
            "key_points": [
                {"text": kp.text, "html": kp.html or escape(kp.text)}
                for kp in sorted(self.key_points.all(), key=lambda kp: kp.position)
            ],
            "follow_ups": list(self.follow_ups),
        }

    def refresh_key_points_text(self) -> None:
        self.key_points_text = "\n".join(self.key_points.values_list("text", flat=True))
        self.save(update_fields=["key_points_text"])
        Question.objects.filter(pk=self.pk).update_search_vectors()


class KeyPoint(models.Model):
    """One checkable claim a good answer makes; the candidate ticks it in the review."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="key_points")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    html = models.TextField(
        blank=True, editable=False, help_text="The text rendered, math included."
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "position"], name="keypoint_unique_position"
            ),
            models.CheckConstraint(condition=Q(position__gte=1), name="keypoint_position_gte_1"),
        ]

    def __str__(self) -> str:
        return self.text


class SeedRef(models.Model):
    """A source collection's question that a bank question answers (datainterview-80:llm-4)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="seed_refs")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="seed_refs")
    number = models.CharField(max_length=40, help_text="The question's number in the source.")

    class Meta:
        ordering = ["number"]
        constraints = [
            # Each seed question is answered by exactly one bank question.
            models.UniqueConstraint(fields=["source", "number"], name="seedref_unique_per_source"),
        ]

    def __str__(self) -> str:
        return self.ref

    @property
    def ref(self) -> str:
        return f"{self.source.slug}:{self.number}"

    @property
    def label(self) -> str:
        """'Q12' for plain numbers, 'training #5' for sectioned ones."""
        section, _, number = self.number.rpartition("-")
        return f"{section} #{number}" if section else f"Q{number}"


def _cache_is_shared() -> bool:
    """Whether every process reads the same cache (Redis), so that one can tell the others."""
    return isinstance(caches["default"], RedisCache)


class Version(NamedTuple):
    token: str
    changed_at: datetime | None


class BankVersion(models.Model):
    """The bank's version: one row, given a new token in the same transaction as any change
    `load_questions` makes. Cached bank pages are keyed by it (questions/pages.py), so no app
    server serves a page of an older bank once a load has committed.

    Where the cache is shared by every process (Redis: `REDIS_URL`), the version is read from
    it, saving a database query on every bank page: a load writes the new version there as it
    commits, readers only ever add the version they read from the database (never replacing
    one), and the entry lasts SHARED_SECONDS, which bounds how long a version could outlive a
    failed write. Each process's own local memory could not be told of a load made by another
    process, so without Redis the version is read from the database every time."""

    SHARED_KEY = "bank-version"
    SHARED_SECONDS = 30

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="bankversion_one_row")]

    def __str__(self) -> str:
        return f"bank version {self.token} of {self.changed_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def current(cls) -> Version:
        """The version now; "none" until a first load (or after the table was emptied)."""
        if not _cache_is_shared():
            return cls._read()
        kept = quietly(cache.get, cls.SHARED_KEY)  # None too when Redis fails: the db answers
        if kept is not None:
            return Version(*kept)
        version = cls._read()
        # add, not set: a load that committed meanwhile wrote a newer one, which stays.
        quietly(cache.add, cls.SHARED_KEY, tuple(version), cls.SHARED_SECONDS)
        return version

    @classmethod
    def _read(cls) -> Version:
        """The version in the database. Read on many pages, so in plain SQL: building the ORM
        query would cost more than running it."""
        table = connection.ops.quote_name(cls._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT token, changed_at FROM {table} WHERE id = 1")  # noqa: S608 - no input
            row = cursor.fetchone()
        if row is None:
            return Version("none", None)
        token, changed_at = row
        # PostgreSQL returns it aware; SQLite, naive in UTC (as Django stores it there).
        return Version(token, changed_at if changed_at.tzinfo else changed_at.replace(tzinfo=UTC))

    @classmethod
    def bump(cls, now: datetime) -> None:
        """A new version. Call it inside the transaction that changes the bank. A random token,
        not a counter, so that a database emptied and loaded again never reuses an old one."""
        token = uuid.uuid4().hex
        cls.objects.update_or_create(id=1, defaults={"token": token, "changed_at": now})
        if _cache_is_shared():
            # Forgotten now, so this transaction's own reads see the new version; written
            # when it commits, over any older one a reader added in between.
            quietly(cache.delete, cls.SHARED_KEY)
            transaction.on_commit(
                lambda: quietly(cache.set, cls.SHARED_KEY, (token, now), cls.SHARED_SECONDS)
            )
