"""Parsing the bank list's query string: unknown values are dropped, never an error."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import QueryDict

from .models import SEARCH_MAX_LENGTH, Difficulty

PAGE_SIZE = 20


def clean_search(text):
    """Drop control characters (PostgreSQL rejects NUL), fold white space, cap the length."""
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(printable.split())[:SEARCH_MAX_LENGTH]


def page_number(value):
    """The page asked for, as `Paginator.get_page` reads it: not a number is page 1; below 1
    (here 0) or past the end is the last page."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return max(number, 0)


def list_key(params):
    """Everything the list's shared HTML depends on in the query string, cleaned but not yet
    checked against the bank (an unknown topic or source is dropped when the page is made)."""
    return (
        clean_search(params.get("q", "")),
        *(params.get(name, "").strip() for name in ("topic", "difficulty", "source")),
        page_number(params.get("page")),
    )


@dataclass(frozen=True)
class BankFilters:
    q: str = ""
    topic: str = ""
    difficulty: str = ""
    source: str = ""

    @classmethod
    def from_query(cls, params, *, topic_slugs, source_slugs):
        def pick(name, allowed):
            value = params.get(name, "").strip()
            return value if value in allowed else ""

        return cls(
            q=clean_search(params.get("q", "")),
            topic=pick("topic", topic_slugs),
            difficulty=pick("difficulty", set(Difficulty.values)),
            source=pick("source", source_slugs),
        )

    @property
    def active(self):
        return any((self.q, self.topic, self.difficulty, self.source))

    @property
    def choice_count(self):
        """How many of the filters behind the "Filters (n)" toggle are set (not the search)."""
        return sum(1 for value in (self.topic, self.difficulty, self.source) if value)

    def apply(self, queryset, *, in_references=True):
        queryset = queryset.filter_by(
            topic=self.topic, difficulty=self.difficulty, source=self.source
        )
        if not self.q:
            return queryset
        return queryset.search(self.q, in_references=in_references)

    @property
    def query(self):
        """The canonical filters as a QueryDict, for `{% querystring %}`."""
        return QueryDict(self.querystring())

    def querystring(self, **extra):
        """The canonical query string for these filters (empty values left out)."""
        params = {
            "q": self.q,
            "topic": self.topic,
            "difficulty": self.difficulty,
            "source": self.source,
            **extra,
        }
        return urlencode({k: v for k, v in params.items() if v not in ("", None)})
