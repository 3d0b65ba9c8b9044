"""Posting bodies: Markdown rendered by markdown-it-py, then sanitised by nh3 (no script, no handlers).

The Markdown renderer never passes raw HTML through (``html=False``); nh3 is the second wall, so
anything an admin pastes comes out inert: only the tags below, and links to http(s) and mailto only.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "blockquote", "code", "pre", "hr",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
_SAFE_HREF = re.compile(r"^(https?://|mailto:|#)", re.IGNORECASE)

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


#: Headings' anchors start with this, so a heading called "Main" or "Places" never takes the id of the page's
#: own landmark or form field (duplicate ids break labels and the error summary's links).
HEADING_ID_PREFIX = "section-"


def heading_id(text: str) -> str:
    """A stable anchor for a heading ("How to apply" → "section-how-to-apply"), so links to sections keep working."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return HEADING_ID_PREFIX + (re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "untitled")


def _add_heading_ids(tokens) -> None:
    seen: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h2", "h3", "h4"):
            anchor = heading_id(tokens[index + 1].content)
            seen[anchor] = seen.get(anchor, 0) + 1
            token.attrSet("id", anchor if seen[anchor] == 1 else f"{anchor}-{seen[anchor]}")


def _only_safe_links(element: str, attribute: str, value: str) -> str | None:
    """Links go to http(s), mailto or a heading of the page; anything else (relative, odd encodings) is dropped."""
    if element == "a" and attribute == "href" and not _SAFE_HREF.match(value):
        return None
    return value


def render_markdown(text: str) -> Markup:
    """Safe HTML for a posting body; headings start at h2 because the page's title is the h1.

    Kept per text (the posting page shows the same body on every request, and parsing plus sanitising
    it was most of that page's time); an edited body is a new text, rendered on its first view."""
    return _rendered(text or "")


@lru_cache(maxsize=256)
def _rendered(text: str) -> Markup:
    tokens = _renderer.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"
    _add_heading_ids(tokens)
    html = _renderer.renderer.render(tokens, _renderer.options, {})
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        attribute_filter=_only_safe_links,
        link_rel="noopener noreferrer nofollow",
    )
    # Not an XSS (ruff S704, bandit B704): ``clean`` is nh3's sanitised output, from just above.
    return Markup(clean)  # noqa: S704  # nosec B704


def markdown_sections(text: str) -> dict[str, str]:
    """The body's "## heading" blocks as {heading: Markdown}, for pages that quote one section."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in (text or "").splitlines():
        if line.startswith("## "):
            current = sections.setdefault(line[3:].strip(), [])
        elif current is not None:
            current.append(line)
    return {heading: "\n".join(lines).strip() for heading, lines in sections.items()}
