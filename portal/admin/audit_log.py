"""Admin: Every audited event, newest first, with filters and a CSV export; reading either is audited too."""

from __future__ import annotations

from datetime import date

from flask import current_app, render_template, request, url_for
from flask_login import current_user
from werkzeug.routing import BuildError
from wtforms import Form, SearchField, SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from portal.admin.blueprint import bp
from portal.admin.program_posting import NamedDateField
from portal.auth.permissions import admin_required
from portal.extensions import db
from portal.forms import page_number
from portal.models import AuditEvent
from portal.review.forms import ChoiceField
from portal.services import audit_log as service
from portal.web import no_store, transaction

EVENTS_PER_PAGE = 50

#: The page of each kind of object, and the name of the id in its address (a week needs a lookup).
OBJECT_PAGES = {
    "application": "review.application",
    "program": "admin.program",
    "user": "admin.person",
    "placement": "timesheets.manage_placement",
}


def _optional_int(value: str | int | None) -> int | None:
    return None if value in (None, "") else int(value)


class AuditFilterForm(Form):
    """The log's filters: GET parameters, so a filtered log can be bookmarked; a bad one is shown, not applied."""

    person = ChoiceField("Person", coerce=_optional_int, default=None)
    who = SearchField(
        "Email or label",
        validators=[Optional(), Length(max=120, message="Keep it under 120 characters")],
        description="Part of an email address, or a label such as system or applicant.",
    )
    action = ChoiceField("Action", default="")
    object_type = ChoiceField("Object type", default="")
    date_from = NamedDateField("From", validators=[Optional()], description="The first day to list.")
    date_to = NamedDateField("To", validators=[Optional()], description="The last day to list.")

    def __init__(self, formdata, choices: service.FilterChoices) -> None:
        super().__init__(formdata)
        requested = (formdata.get(name) for name in ("person", "action", "object_type"))
        choices = service.with_requested(choices, *requested)
        self.person.choices = [SelectChoice("", "Anyone"), *(SelectChoice(i, label) for i, label in choices.actors)]
        self.action.choices = [SelectChoice("", "Any action"), *(SelectChoice(*pair) for pair in choices.actions)]
        self.object_type.choices = [
            SelectChoice("", "Any object"),
            *(SelectChoice(*pair) for pair in choices.target_types),
        ]

    def validate_date_to(self, field) -> None:
        start, end = self.date_from.data, field.data
        if start is not None and end is not None and not self.date_from.errors and end < start:
            raise ValidationError("Enter an end date on or after the start date")

    def _valid(self, name: str):
        return None if self[name].errors else self[name].data

    def filters(self) -> service.AuditFilters:
        """The filters to apply: call after ``validate()``; invalid values are left out."""
        return service.AuditFilters(
            actor_id=self._valid("person"),
            who=(self._valid("who") or "").strip(),
            action=self._valid("action") or "",
            target_type=self._valid("object_type") or "",
            date_from=self._valid("date_from"),
            date_to=self._valid("date_to"),
        )


def _url_or_none(endpoint: str, object_id: int) -> str | None:
    """The address of ``endpoint`` for one id, or None when the portal has no such page (yet)."""
    rules = current_app.url_map.iter_rules(endpoint) if endpoint in current_app.view_functions else []
    for rule in rules:
        if len(rule.arguments) == 1:
            try:
                return url_for(endpoint, **{next(iter(rule.arguments)): object_id})
            except BuildError:
                return None
    return None


def object_urls(events: list[AuditEvent]) -> dict[int, str]:
    """Each event's link to the object it is about, where the object has a page (one query for weeks)."""
    weeks = service.week_targets(events)
    urls = {}
    for event in events:
        if event.target_id is None:
            continue
        if event.target_type == "timesheet_week" and event.target_id in weeks:
            placement_id, monday = weeks[event.target_id]
            urls[event.id] = url_for("timesheets.week", placement_id=placement_id, monday=monday.isoformat())
        elif event.target_type in OBJECT_PAGES:
            url = _url_or_none(OBJECT_PAGES[event.target_type], event.target_id)
            if url is not None:
                urls[event.id] = url
    return urls


def _filter_form() -> AuditFilterForm:
    form = AuditFilterForm(request.args, service.filter_choices())
    form.validate()
    return form


@bp.get("/audit")
@admin_required
def audit_log():
    form = _filter_form()
    filters = form.filters()
    page = db.paginate(
        service.events_query(filters),
        page=page_number(),
        error_out=False,
        per_page=EVENTS_PER_PAGE,
        max_per_page=EVENTS_PER_PAGE,
        count=True,
    )
    events = list(page.items)
    args = filters.query_args()
    html = render_template(
        "admin/audit_log.html",
        form=form,
        filters=filters,
        events=events,
        object_urls=object_urls(events),
        page=page,
        service=service,
        export_url=url_for("admin.audit_log_export", **args),
        next_url=url_for("admin.audit_log", page=page.next_num, **args) if page.has_next else None,
        prev_url=url_for("admin.audit_log", page=page.prev_num, **args) if page.has_prev else None,
    )
    with transaction():  # recorded after the page is read, so the list shows the reads before this one
        service.record_read(current_user, filters, page=page.page)
    return no_store((html, 422 if form.errors else 200))


@bp.get("/audit/export.csv")
@admin_required
def audit_log_export():
    form = _filter_form()
    if form.errors:  # only a hand-edited address gets here: the page's link carries valid filters only
        return audit_log()
    filters = form.filters()
    newest = service.newest_event_id()  # the file lists the log as it is now, without this export's record
    with transaction():
        service.record_read(current_user, filters, rows=service.matching_count(filters))
    response = current_app.response_class(service.export_csv(filters, up_to_id=newest), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="audit-log-{date.today().isoformat()}.csv"'
    return no_store(response)
