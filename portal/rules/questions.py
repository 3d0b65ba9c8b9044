"""A program's own application questions: checking a question as the admin defines it, and an answer to it.

Pure functions (no Flask, no database). A question is anything with the attributes of
``portal.models.ApplicationQuestion`` (kind, label, required, options, max_chars, max_words); kinds are
compared by their string values ("long_text"), so this module needs no model.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlparse

MAX_LABEL_CHARS = 300
MAX_HELP_CHARS = 2000
MAX_OPTION_CHARS = 200
MAX_OPTIONS = 40
MAX_KEY_CHARS = 60
#: The largest limits an admin may set, and the limits an answer has when the admin set none.
MAX_CHARS_CEILING = 20_000
MAX_WORDS_CEILING = 3_000
DEFAULT_MAX_CHARS = {"short_text": 300, "long_text": 10_000, "link": 2000}

TEXT_KINDS = frozenset({"short_text", "long_text"})
CHOICE_KINDS = frozenset({"one_choice", "many_choices"})
#: Kinds that take a character limit, and the one that takes a word limit.
CHAR_LIMIT_KINDS = frozenset({"short_text", "long_text", "link"})
WORD_LIMIT_KINDS = frozenset({"long_text"})
YES_NO_VALUES = ("yes", "no")

ANSWER_THIS = "Answer this question"
NOT_A_LINK = "Enter a web address starting with http:// or https://"

Answer = str | list[str]


class QuestionLike(Protocol):
    kind: str
    label: str
    required: bool
    options: Sequence[str]
    max_chars: int | None
    max_words: int | None


@dataclass(frozen=True)
class Definition:
    """A question as the admin defined it, checked: options only for choice kinds, limits only where they apply."""

    kind: str
    label: str
    help_text: str
    required: bool
    options: tuple[str, ...]
    max_chars: int | None
    max_words: int | None


def parse_options(text: str) -> tuple[str, ...]:
    """The options typed one per line, each trimmed, empty lines dropped."""
    return tuple(" ".join(line.split()) for line in (text or "").splitlines() if line.strip())


def _option_problem(options: Sequence[str]) -> str | None:
    if len(options) < 2:
        return "Give at least two options, one per line"
    if len(options) > MAX_OPTIONS:
        return f"Give at most {MAX_OPTIONS} options"
    seen: set[str] = set()
    for option in options:
        if len(option) > MAX_OPTION_CHARS:
            return f"Keep each option under {MAX_OPTION_CHARS} characters"
        if option.casefold() in seen:
            return f"“{option}” is listed twice: give each option once"
        seen.add(option.casefold())
    return None


def _limit_problem(value: int | None, ceiling: int, unit: str) -> str | None:
    if value is None:
        return None
    if value < 1:
        return f"Enter a number of {unit} of at least 1, or leave it empty for no limit"
    if value > ceiling:
        return f"Enter at most {ceiling:,} {unit}"
    return None


def check_definition(
    *,
    kind: str,
    label: str,
    help_text: str = "",
    required: bool = False,
    options: Sequence[str] = (),
    max_chars: int | None = None,
    max_words: int | None = None,
) -> tuple[Definition | None, dict[str, str]]:
    """Check a question as defined on the builder; returns it cleaned, or ``{field: message}`` for each problem."""
    errors: dict[str, str] = {}
    label = " ".join((label or "").split())
    help_text = (help_text or "").strip()
    options = tuple(" ".join(option.split()) for option in options if option.strip())
    if kind not in TEXT_KINDS | CHOICE_KINDS | {"yes_no", "link"}:
        errors["kind"] = "Choose what kind of question this is"
    if not label:
        errors["label"] = "Write the question"
    elif len(label) > MAX_LABEL_CHARS:
        errors["label"] = f"Keep the question under {MAX_LABEL_CHARS} characters"
    if len(help_text) > MAX_HELP_CHARS:
        errors["help_text"] = f"Keep the help text under {MAX_HELP_CHARS:,} characters"
    if kind in CHOICE_KINDS and (problem := _option_problem(options)):
        errors["options"] = problem
    if kind in CHAR_LIMIT_KINDS and (problem := _limit_problem(max_chars, MAX_CHARS_CEILING, "characters")):
        errors["max_chars"] = problem
    if kind in WORD_LIMIT_KINDS and (problem := _limit_problem(max_words, MAX_WORDS_CEILING, "words")):
        errors["max_words"] = problem
    if errors:
        return None, errors
    return (
        Definition(
            kind=kind,
            label=label,
            help_text=help_text,
            required=bool(required),
            options=options if kind in CHOICE_KINDS else (),
            max_chars=max_chars if kind in CHAR_LIMIT_KINDS else None,
            max_words=max_words if kind in WORD_LIMIT_KINDS else None,
        ),
        {},
    )


def question_key(label: str, taken: Iterable[str]) -> str:
    """A stable machine name from the label ("How did you hear?" → "how_did_you_hear"), unique among ``taken``."""
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_label.lower()).strip("_")[:MAX_KEY_CHARS].strip("_") or "question"
    taken = set(taken)
    key, number = base, 2
    while key in taken:
        suffix = f"_{number}"
        key, number = base[: MAX_KEY_CHARS - len(suffix)] + suffix, number + 1
    return key


def word_count(text: str) -> int:
    return len(text.split())


def char_limit(question: QuestionLike) -> int | None:
    """The most characters an answer may have: the admin's limit, or the kind's default ceiling."""
    return question.max_chars or DEFAULT_MAX_CHARS.get(str(question.kind))


def limits_hint(question: QuestionLike) -> str:
    """The limits in the words the form shows under the question ("Up to 250 words and 1,500 characters.")."""
    parts = []
    if question.max_words:
        parts.append(f"{question.max_words:,} words")
    if question.max_chars:
        parts.append(f"{question.max_chars:,} characters")
    return f"Up to {' and '.join(parts)}." if parts else ""


def is_http_link(text: str) -> bool:
    """An http(s) address a reviewer can open; malformed ones ("http://[") are simply not links."""
    try:
        parsed = urlparse(text)
    except ValueError:
        return False
    return parsed.scheme in ("http", "https") and bool(parsed.netloc) and not any(c.isspace() for c in text)


def check_answer(question: QuestionLike, value: Answer | None) -> tuple[Answer, str | None]:
    """One answer cleaned (text trimmed, choices in the question's order), and why it is refused, or None."""
    kind = str(question.kind)
    if kind == "many_choices":
        values = [value] if isinstance(value, str) else list(value or [])
        chosen = {item.strip() for item in values if item and item.strip()}
        if chosen - set(question.options):
            return [], "Choose from the options given"
        cleaned: Answer = [option for option in question.options if option in chosen]
    else:
        cleaned = (value if isinstance(value, str) else " ".join(value or [])).strip()
    if not cleaned:
        return cleaned, ANSWER_THIS if question.required else None
    return cleaned, _problem(question, kind, cleaned)


def _problem(question: QuestionLike, kind: str, text: Answer) -> str | None:
    if kind == "one_choice" and text not in question.options:
        return "Choose one of the options given"
    if kind == "yes_no" and text not in YES_NO_VALUES:
        return "Choose yes or no"
    if kind == "link" and not is_http_link(str(text)):
        return NOT_A_LINK
    if kind in TEXT_KINDS | {"link"}:
        words, chars = word_count(str(text)), len(text)
        if question.max_words and words > question.max_words:
            return f"Keep this under {question.max_words:,} words (you wrote {words:,})"
        limit = char_limit(question)
        if limit and chars > limit:
            return f"Keep this under {limit:,} characters (you wrote {chars:,})"
    return None
