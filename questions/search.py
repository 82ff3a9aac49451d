"""Bank search: common spellings as one, phrase and prompt matches first, highlighted snippets.

A query is read as a list of terms. A term is either one of the spelling groups below ("batch
norm", "batchnorm", "batch normalization" and "BN" are one term) or a single word, matched at
the start of a word ("normal" finds "normalization", "tent" does not find "attention"). A
question matches when every term is somewhere in it; ranking puts the typed phrase in the
prompt first, then every term in the prompt, then in the key points, then in the answer.

The same patterns run in the database (`iregex`: SQLite's REGEXP and PostgreSQL's `~*` agree on
this small subset) and in Python for the snippets, so what is highlighted is what matched.

While an interview is in progress (`request.references.paused`), only prompts and topic names
are searched and the snippet shows the prompt only: no key point or answer text is read.
"""

import re
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.html import escape
from django.utils.safestring import mark_safe

MAX_TERMS = 12
SNIPPET_CHARS = 160

# Spellings that mean the same thing, each a token sequence, and the pattern that finds any of
# them in text. Patterns are lower case; "[ -]?" is an optional space or hyphen.
SPELLINGS = [
    (
        [
            "batch norm",
            "batchnorm",
            "batch-norm",
            "batch normalization",
            "batch normalisation",
            "bn",
        ],
        r"batch[ -]?norm|bn(?![a-z0-9])",
    ),
    (
        ["layer norm", "layernorm", "layer-norm", "layer normalization", "layer normalisation"],
        r"layer[ -]?norm",
    ),
    (["rms norm", "rmsnorm", "rms-norm"], r"rms[ -]?norm"),
    (["rnn", "rnns", "recurrent"], r"rnns?(?![a-z0-9])|recurrent"),
    (
        ["lstm", "lstms", "long short-term memory", "long short term memory"],
        r"lstm|long short[ -]term memory",
    ),
    (
        ["cnn", "cnns", "convnet", "convnets", "convolutional"],
        r"cnns?(?![a-z0-9])|convnet|convolution",
    ),
    (["gan", "gans", "generative adversarial"], r"gans?(?![a-z0-9])|generative adversarial"),
    (["vae", "vaes", "variational autoencoder"], r"vaes?(?![a-z0-9])|variational auto[ -]?encoder"),
    (["sgd", "stochastic gradient descent"], r"sgd|stochastic gradient descent"),
    (["relu", "relus", "rectified linear"], r"relu|rectified linear"),
    (["kl", "kl divergence", "kullback-leibler", "kullback leibler"], r"kl(?![a-z0-9])|kullback"),
    (
        ["llm", "llms", "large language model", "large language models"],
        r"llms?(?![a-z0-9])|large language model",
    ),
    (
        ["rlhf", "reinforcement learning from human feedback"],
        r"rlhf|reinforcement learning from human feedback",
    ),
]

# PostgreSQL's regular expressions have no look-ahead: there, "(?![a-z0-9])" is written as the
# equivalent "([^a-z0-9]|$)" (the end of the match moves one character, which only matters to
# highlighting, done in Python).
_LOOKAHEAD = "(?![a-z0-9])"
_WORD_START = "(^|[^a-z0-9])"
_REGEX_SPECIAL = set(".^$*+?()[]{}|\\")


def _literal(word):
    return "".join("\\" + ch if ch in _REGEX_SPECIAL else ch for ch in word)


@dataclass(frozen=True)
class Term:
    text: str  # as typed
    pattern: str  # alternatives, lower case, may use (?![a-z0-9])

    @property
    def sql_pattern(self):
        return _WORD_START + "(" + self.pattern.replace(_LOOKAHEAD, "([^a-z0-9]|$)") + ")"

    @property
    def python_pattern(self):
        # The whole word is highlighted, not only the typed prefix.
        return "(?<![a-z0-9])(?:" + self.pattern + ")[a-z0-9]*"


def _tokens(text):
    """Lower-case words; hyphens separate words ("batch-norm" is "batch norm")."""
    return [token.strip(".") for token in re.split(r"[^\w+#.]+", text.lower()) if token.strip(".")]


_SPELLINGS = sorted(
    ((tuple(_tokens(spelling)), pattern) for group, pattern in SPELLINGS for spelling in group),
    key=lambda item: -len(item[0]),
)


# Words that say nothing about a topic; dropped unless the query holds nothing else.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "between",
        "by",
        "difference",
        "do",
        "does",
        "for",
        "from",
        "how",
        "in",
        "is",
        "it",
        "of",
        "on",
        "or",
        "the",
        "to",
        "versus",
        "vs",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "with",
    ]
)


def parse(text):
    """The query's terms: spelling groups where they fit (longest first), else single words."""
    tokens = [token for token in _tokens(text) if token not in STOP_WORDS] or _tokens(text)
    terms = []
    index = 0
    while index < len(tokens) and len(terms) < MAX_TERMS:
        for words, pattern in _SPELLINGS:
            if tuple(tokens[index : index + len(words)]) == words:
                terms.append(Term(" ".join(words), pattern))
                index += len(words)
                break
        else:
            terms.append(Term(tokens[index], _literal(tokens[index])))
            index += 1
    return terms


def _all_terms_in(field, terms):
    condition = Q()
    for term in terms:
        condition &= Q(**{f"{field}__iregex": term.sql_pattern})
    return condition


def _phrase_in(field, terms):
    """The terms next to each other, in the order typed."""
    inner = "[^a-z0-9]+".join(
        "(" + term.pattern.replace(_LOOKAHEAD, "([^a-z0-9]|$)") + ")" for term in terms
    )
    return Q(**{f"{field}__iregex": _WORD_START + inner})


def search(queryset, text, *, in_references=True):
    """Filter and rank `queryset` by `text`; `in_references=False` reads prompts and topics only."""
    terms = parse(text)
    if not terms:
        return queryset
    fields = ["prompt", "key_points_text", "answer"] if in_references else ["prompt", "topic__name"]
    every_term_somewhere = Q()
    for term in terms:
        anywhere = Q()
        for field in fields:
            anywhere |= Q(**{f"{field}__iregex": term.sql_pattern})
        every_term_somewhere &= anywhere
    tiers = []
    if len(terms) > 1:
        tiers.append(When(_phrase_in("prompt", terms), then=Value(6)))
    tiers.append(When(_all_terms_in("prompt", terms), then=Value(5)))
    if in_references:
        tiers.append(When(_all_terms_in("key_points_text", terms), then=Value(4)))
        tiers.append(When(_all_terms_in("answer", terms), then=Value(2)))
    else:
        tiers.append(When(_all_terms_in("topic__name", terms), then=Value(3)))
    rank = Case(*tiers, default=Value(1), output_field=IntegerField())
    return (
        queryset.filter(every_term_somewhere)
        .annotate(rank=rank)
        .order_by("-rank", "topic__position", "position")
    )


def _highlight(text, regex):
    """`text` escaped, with every match of `regex` in <mark>."""
    parts = []
    last = 0
    for match in regex.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above


def _excerpt(text, regex):
    """About SNIPPET_CHARS of `text` around its first match, cut at word boundaries."""
    if len(text) <= SNIPPET_CHARS:
        return text
    match = regex.search(text)
    start = max(0, (match.start() if match else 0) - SNIPPET_CHARS // 3)
    if start:
        start = text.find(" ", start) + 1 or start
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        end = text.rfind(" ", start, end) if " " in text[start:end] else end
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def add_snippets(questions, text, *, in_references=True):
    """Set `prompt_html` (the prompt, matches marked) on each question and, when the prompt does
    not hold every term and references may be shown, `snippet_html`: the key point that holds
    the most terms, marked. While references are paused no key point is ever read here."""
    terms = parse(text)
    if not terms:
        return
    regexes = [re.compile(term.python_pattern, re.IGNORECASE) for term in terms]
    every = re.compile("|".join(f"(?:{r.pattern})" for r in regexes), re.IGNORECASE)
    for question in questions:
        question.prompt_html = _highlight(question.prompt, every)
        question.snippet_html = ""
        if not in_references or all(r.search(question.prompt) for r in regexes):
            continue
        missing = [r for r in regexes if not r.search(question.prompt)]
        best, best_hits = "", 0
        for line in question.key_points_text.splitlines():
            hits = sum(1 for r in missing if r.search(line))
            if hits > best_hits:
                best, best_hits = line, hits
        if best:
            question.snippet_html = _highlight(_excerpt(best, every), every)
