"""Which text mentions an applicant being erased, and how it is blanked (portal.rules.erasure; no app)."""

from __future__ import annotations

import pytest

from portal.rules.erasure import REMOVED, Identity

ANA = Identity.of("Ana.Reyes@Example.org", "Ana Reyes", "Ana")


@pytest.mark.parametrize(
    ("text", "mentioned"),
    [
        ("Declined: ana reyes was late", True),  # any case
        ("sent to ANA.REYES@example.org", True),
        ("Banana Reyesville", False),  # inside longer words
        ("Juana Reyes", False),
        ("Ana was great", False),  # a short preferred name alone is not looked for everywhere…
        ("", False),
    ],
)
def test_a_mention_is_the_address_or_a_name_as_a_whole_word(text, mentioned):
    assert ANA.mentioned_in([text]) is mentioned


def test_short_names_count_only_where_the_row_is_about_the_application():
    assert ANA.mentioned_in(["Ana was great"], every_name=True)  # …but in the application's own rows
    assert ANA.scrub("Ana was great, Banana", every_name=True) == f"{REMOVED} was great, Banana"


def test_scrubbing_reaches_inside_json_and_keeps_everything_else():
    details = {"recipient": "ana.reyes@example.org", "before": {"attempts": 3, "notes": ["Ana Reyes", "ok"]}}
    assert ANA.scrub(details) == {"recipient": REMOVED, "before": {"attempts": 3, "notes": [REMOVED, "ok"]}}


def test_the_database_search_terms_include_the_json_escaped_form_of_a_name():
    jose = Identity.of("jose@example.org", "José Núñez", "")
    assert jose.searchable() == sorted(["jose@example.org", "josé núñez", "jos\\u00e9 n\\u00fa\\u00f1ez"])
    assert Identity.of("", "", "").searchable() == [] and not Identity.of("", "").mentioned_in(["anything"])
