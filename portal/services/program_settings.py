"""Changing a program's posting and its rules: applied, audited, and the interns whose figures change counted.

Never commits: the admin views run these inside ``portal.web.transaction``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from portal.extensions import db
from portal.models import Placement, Program, StipendTierSetting, User
from portal.rules.compliance import WeekState, standing, stipend_months
from portal.rules.program_settings import ParsedRules, amount_text, hours_text
from portal.rules.settings import ProgramRules, StipendTier
from portal.rules.stipends import month_stipend
from portal.services.audit import record_event
from portal.services.errors import Refused
from portal.services.program_lifecycle import ensure_slug_available, flush_with_slug
from portal.services.progress import week_records

#: The posting's fields, in the order the audit lists them (the body is reported by length only).
POSTING_FIELDS = (
    "title",
    "slug",
    "organisation",
    "location",
    "summary",
    "body",
    "applications_open",
    "applications_close",
    "rolling",
    "start_window_start",
    "start_window_end",
    "places",
)


@dataclass(frozen=True)
class PostingValues:
    """The Posting tab's values, already parsed and checked together by the view."""

    title: str
    slug: str
    organisation: str
    location: str
    summary: str
    body: str
    applications_open: date
    applications_close: date
    rolling: bool
    start_window_start: date
    start_window_end: date
    places: int


def _audit_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def update_posting(program: Program, values: PostingValues, *, actor: User) -> list[str]:
    """Apply the Posting tab (the slug only while not yet published) and audit what changed; returns the fields."""
    if values.slug != program.slug:
        if program.slug_is_fixed:
            raise Refused(
                "The address cannot change once the program has been published: links to it are out there.",
                field="slug",
            )
        ensure_slug_available(values.slug, program)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name in POSTING_FIELDS:
        old, new = getattr(program, name), getattr(values, name)
        if old == new:
            continue
        if name == "body":
            before[name] = f"{len(old or '')} characters"
            after[name] = f"changed, {len(new)} characters"
        else:
            before[name], after[name] = _audit_value(old), _audit_value(new)
        setattr(program, name, new)
    if after:
        flush_with_slug()
        record_event(
            "program.posting_changed",
            target_type="program",
            target_id=program.id,
            actor=actor,
            details={"before": before, "after": after},
        )
    return list(after)


def rules_snapshot(rules: ProgramRules) -> dict[str, Any]:
    """Every rule and tier in the words the admin typed them, for the audit's before → after."""
    return {
        "weekly_min_hours": hours_text(rules.min_week_minutes),
        "weekly_max_hours": hours_text(rules.max_week_minutes),
        "daily_max_hours": hours_text(rules.max_day_minutes),
        "min_weeks": rules.min_weeks,
        "stipend_threshold_hours": hours_text(rules.stipend_min_week_minutes),
        "tiers": [
            {"from_hours": hours_text(t.min_average_minutes), "monthly": amount_text(t.monthly_cents)}
            for t in rules.stipend_tiers
        ],
    }


def _rules_from(parsed: ParsedRules, start_window: tuple[date, date] | None) -> ProgramRules:
    return ProgramRules(
        min_week_minutes=parsed.min_week_minutes,
        max_week_minutes=parsed.max_week_minutes,
        max_day_minutes=parsed.max_day_minutes,
        min_weeks=parsed.min_weeks,
        stipend_min_week_minutes=parsed.stipend_min_week_minutes,
        stipend_tiers=parsed.tiers,
        start_window=start_window,
    )


def _interns(n: int) -> str:
    return f"{n} intern's" if n == 1 else f"{n} interns'"


def _weeks(n: int) -> str:
    return f"{n} week" if n == 1 else f"{n} weeks"


@dataclass(frozen=True)
class RulesImpact:
    """How a rules change moves the interns' figures: who changes, weeks gained or lost, stipends changed."""

    interns_affected: int
    weeks_now_count: int
    weeks_no_longer_count: int
    stipends_changed: int

    def message(self) -> str:
        """The flash after saving: "2 interns' figures change: 3 weeks now count; 1 intern's stipend changes"."""
        if not self.interns_affected:
            return "Rules saved. No intern's figures change."
        parts = []
        if self.weeks_now_count:
            parts.append(f"{_weeks(self.weeks_now_count)} now count{'s' if self.weeks_now_count == 1 else ''}")
        if self.weeks_no_longer_count:
            parts.append(
                f"{_weeks(self.weeks_no_longer_count)} no longer count{'s' if self.weeks_no_longer_count == 1 else ''}"
            )
        if self.stipends_changed:
            parts.append(f"{_interns(self.stipends_changed)} monthly stipends change")
        return f"Rules saved. {_interns(self.interns_affected)} figures change: {'; '.join(parts)}."


def _figures(placement: Placement, records: tuple, rules: ProgramRules, today: date, now: datetime) -> tuple:
    result = standing(
        records,
        start=placement.start_date,
        end=placement.end_date,
        ended=placement.ended(today),
        today=today,
        now=now,
        rules=rules,
    )
    weeks = frozenset(week.monday for week in result.weeks if week.state is WeekState.QUALIFYING)
    money: tuple = ()
    if placement.stipend_eligible:
        approved = {record.monday: record.approved_minutes for record in records}
        money = tuple(
            month_stipend(
                month.year,
                month.month,
                placement_start=placement.start_date,
                placement_end=month.counted_end,
                approved_minutes_by_monday=approved,
                rules=rules,
            ).amount_cents
            for month in stipend_months(placement.start_date, placement.end_date, today, records)
        )
    return weeks, money


def rules_impact(program: Program, old: ProgramRules, new: ProgramRules, *, today: date, now: datetime) -> RulesImpact:
    """Compare each placement's qualifying weeks and monthly stipends under the old and new rules (two queries)."""
    placements = list(db.session.scalars(select(Placement).where(Placement.program_id == program.id)))
    records = week_records([placement.id for placement in placements])
    affected = gained = lost = stipends_changed = 0
    for placement in placements:
        own = tuple(records.get(placement.id, ()))
        old_weeks, old_money = _figures(placement, own, old, today, now)
        new_weeks, new_money = _figures(placement, own, new, today, now)
        gained += len(new_weeks - old_weeks)
        lost += len(old_weeks - new_weeks)
        stipends_changed += old_money != new_money
        affected += old_weeks != new_weeks or old_money != new_money
    return RulesImpact(affected, gained, lost, stipends_changed)


def update_rules(
    program: Program, parsed: ParsedRules, *, actor: User, today: date, now: datetime
) -> RulesImpact | None:
    """Store the Rules tab (tiers replaced), count the interns whose figures change, and audit before → after;
    ``None`` when the rules are as stored (nothing is written or audited)."""
    old = program.rules()
    new = _rules_from(parsed, old.start_window)
    if rules_snapshot(old) == rules_snapshot(new):
        return None
    impact = rules_impact(program, old, new, today=today, now=now)
    program.min_week_minutes = parsed.min_week_minutes
    program.max_week_minutes = parsed.max_week_minutes
    program.max_day_minutes = parsed.max_day_minutes
    program.min_weeks = parsed.min_weeks
    program.stipend_min_week_minutes = parsed.stipend_min_week_minutes
    program.stipend_tiers.clear()
    db.session.flush()  # the old rows go first: the new ones may reuse their (program, hours) pair
    for tier in sorted(parsed.tiers, key=lambda t: t.min_average_minutes):
        program.stipend_tiers.append(
            StipendTierSetting(min_average_minutes=tier.min_average_minutes, monthly_cents=tier.monthly_cents)
        )
    db.session.flush()
    record_event(
        "program.rules_changed",
        target_type="program",
        target_id=program.id,
        actor=actor,
        details={
            "before": rules_snapshot(old),
            "after": rules_snapshot(new),
            "interns_affected": impact.interns_affected,
        },
    )
    return impact


def tiers_of(program: Program) -> tuple[StipendTier, ...]:
    """The program's stored tiers as the rules see them."""
    return program.rules().stipend_tiers
