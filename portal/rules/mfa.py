"""Second factor rules: who is asked for it, and how a typed code is read (no Flask, no database)."""

from __future__ import annotations

import re

#: How many recovery codes enrolment hands out; each works once.
RECOVERY_CODE_COUNT = 10
#: Letters and digits a recovery code is made of: no 0/O or 1/I/L to misread.
RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#: Characters in a recovery code, shown as two groups of five ("7KQ2M-XW9PA"): about 49 bits each.
RECOVERY_CODE_LENGTH = 10

ENROL = "enrol"
VERIFY = "verify"


def second_factor_step(*, is_staff: bool, enrolled: bool, required: bool) -> str | None:
    """What the password step leads to: "verify" (a code), "enrol" (set it up first), or None (signed in).

    Interns are never asked, whatever the setting; staff who enrolled are always asked.
    """
    if not is_staff:
        return None
    if enrolled:
        return VERIFY
    return ENROL if required else None


def normalise_code(typed: str | None) -> str:
    """A code as typed, without spaces or dashes, upper-cased ("7kq2m-xw9pa " → "7KQ2MXW9PA")."""
    return re.sub(r"[\s-]+", "", typed or "").upper()[:64]


def is_totp_code(code: str) -> bool:
    """Six digits: an authenticator app's code (a recovery code has letters and is longer)."""
    return len(code) == 6 and code.isascii() and code.isdigit()


def format_recovery_code(code: str) -> str:
    """Two groups of five, easier to copy by hand."""
    return f"{code[:5]}-{code[5:]}"
