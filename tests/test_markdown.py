"""Posting bodies: Markdown in, inert HTML out (no script, no handlers, only http(s)/mailto links)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from portal.markdown import heading_id, markdown_sections, render_markdown


def html(text: str) -> str:
    return str(render_markdown(text))


def attributes(markup: str) -> list[tuple[str, str, str | None]]:
    """(tag, attribute, value) for every attribute of every element, as a browser would read them."""
    found: list[tuple[str, str, str | None]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.extend((tag, name, value) for name, value in attrs)

    Collector().feed(markup)
    return found


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<SCRIPT src=https://evil.example/x.js></SCRIPT>",
        "Hello <script>alert(1)</script> there",
        "```html\n<script>alert(1)</script>\n```",
    ],
)
def test_no_script_element_ever(text):
    out = html(text)
    assert "<script" not in out.lower()


@pytest.mark.parametrize(
    "text",
    [
        '<img src=x onerror="alert(1)">',
        '<a href="https://example.org" onclick="alert(1)">x</a>',
        '<div onmouseover="alert(1)">hover</div>',
        '[x](https://example.org "t\\" onmouseover=\\"alert(1)")',
    ],
)
def test_no_inline_handlers(text):
    out = html(text)
    assert "<img" not in out and "<div" not in out
    # Whatever handler text was typed is shown as text (or inside a quoted title), never an attribute.
    assert not [name for _, name, _ in attributes(out) if name.lower().startswith("on")]


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "jav&#x09;ascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "/relative/path",
    ],
)
def test_only_http_https_and_mailto_links(link):
    out = html(f"[click]({link}) <{link}>")
    assert "href=" not in out
    assert "click" in out  # the words stay


@pytest.mark.parametrize("link", ["https://example.org/apply", "http://example.org", "mailto:jobs@example.org"])
def test_good_links_stay_and_open_safely(link):
    out = html(f"[apply]({link})")
    assert f'href="{link}"' in out
    assert 'rel="noopener noreferrer nofollow"' in out


def test_links_to_a_heading_of_the_page_stay():
    assert 'href="#section-how-to-apply"' in html("[How to apply](#section-how-to-apply)")


def test_raw_html_is_shown_as_typed_not_run():
    out = html('<b>bold</b> <iframe src="https://evil.example"></iframe>')
    assert "&lt;b&gt;bold&lt;/b&gt;" in out and "<iframe" not in out


def test_headings_get_ids_and_start_at_h2():
    out = html("# The internship\n\n## How to apply\n\n### Café hours\n\n## How to apply")
    assert '<h2 id="section-the-internship">The internship</h2>' in out
    assert '<h2 id="section-how-to-apply">How to apply</h2>' in out
    assert '<h3 id="section-cafe-hours">Café hours</h3>' in out
    assert '<h2 id="section-how-to-apply-2">How to apply</h2>' in out  # unique on the page
    assert heading_id("!!!") == "section-untitled"


def test_a_heading_never_takes_the_id_of_the_pages_own_landmark_or_fields():
    out = html("## Main\n\n## Places\n\n## Title")
    assert re.findall(r'id="([^"]+)"', out) == ["section-main", "section-places", "section-title"]


def test_ordinary_markdown_renders():
    out = html("Some **bold**, *em* and `code`.\n\n- one\n- two\n\n> quote\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    for fragment in (
        "<strong>bold</strong>",
        "<em>em</em>",
        "<code>code</code>",
        "<li>one</li>",
        "<blockquote>",
        "<td>1</td>",
    ):
        assert fragment in out


def test_empty_and_none_render_nothing():
    assert html("") == "" and html(None) == ""


def test_sections_by_heading():
    assert markdown_sections("## A\n\nfirst\n\n## B\nsecond") == {"A": "first", "B": "second"}
