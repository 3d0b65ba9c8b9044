"""The route × role policy table: every route in the app's URL map is listed in ``POLICY`` with what each
kind of visitor gets, and a route missing from the table fails the suite (so a new page cannot ship without
someone deciding who may open it). Each route is then visited, with real rows in its URL, by someone not
signed in, an intern and a supervisor who have nothing to do with the program, the placement's intern, the
program's supervisor and an admin, and each gets what the table says; the refusals come first and change
nothing (no audit event). The finer tables (whose application, whose placement, which action) live beside
each area: test_review_access, test_admin_programs, test_admin_people, test_placements_manage.
"""

from __future__ import annotations

from typing import NamedTuple

import pytest
from routes_support import ROLES, app_routes, build_world
from sqlalchemy import func, select

from portal import create_app
from portal.extensions import db
from portal.models import AuditEvent

SIGN_IN = "sign in"  # sent to the sign-in page
OK = "ok"  # through the door: the page, a redirect onwards, or the form's own refusal (400, 409, 422)


class Policy(NamedTuple):
    """What each of ``ROLES`` gets, in that order, and why."""

    anonymous: str | int
    intern: str | int
    supervisor: str | int
    admin: str | int
    other_intern: str | int
    other_supervisor: str | int
    reason: str


def public(reason: str) -> Policy:
    return Policy(OK, OK, OK, OK, OK, OK, reason)


def admins(reason: str) -> Policy:
    return Policy(SIGN_IN, 403, 403, OK, 403, 403, reason)


def staff(reason: str) -> Policy:
    return Policy(SIGN_IN, 403, OK, OK, 403, OK, reason)


def reviewers(reason: str) -> Policy:
    """Owner-checked: staff who review the application's program, and admins; other staff get 404."""
    return Policy(SIGN_IN, 403, OK, OK, 403, 404, reason)


def placement_readers(reason: str) -> Policy:
    """Owner-checked: the placement's intern, its program's supervisors and admins; anyone else 404."""
    return Policy(SIGN_IN, OK, OK, OK, 404, 404, reason)


def placement_managers(reason: str) -> Policy:
    """Owner-checked: the program's supervisors and admins; the intern and anyone else 404."""
    return Policy(SIGN_IN, 404, OK, OK, 404, 404, reason)


def own_timesheet(reason: str) -> Policy:
    """Owner-checked: only the placement's intern changes its hours; staff 403, other interns 404."""
    return Policy(SIGN_IN, OK, 403, 403, 404, 404, reason)


def second_factor(reason: str) -> Policy:
    """Only between the password and the code: without a pending sign-in, everyone goes to sign in."""
    return Policy(SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, reason)


POLICY: dict[str, Policy] = {
    # --- public: applicants have no account; a private link or code is the key --------------------------
    "public.home": public("the list of open programs"),
    "public.posting": public("a published posting"),
    "public.apply": public("the application form"),
    "public.send_application": public("sending the application form (rate-limited)"),
    "public.submitted": public("the confirmation, for the browser that applied (others go to the posting)"),
    "public.status": public("the applicant's private status link: the token is the key"),
    "public.withdraw": public("the private link: withdrawing before a decision"),
    "public.delete_data": public("the private link: deleting one's data after a decision"),
    "public.download_data": public("the private link: the applicant's own data as a JSON file"),
    "public.download_resume": public("the private link: the applicant's own resume back"),
    "public.data_deleted": public("says the data is gone"),
    "public.lost_link": public("asks for the status link again (the answer never says whether one applied)"),
    "public.lost_link_sent": public("says to check one's email"),
    "timesheets.verify_statement": public("a school checks an hours statement's code"),
    "static": public("stylesheets, scripts and icons"),
    "auth.login": public("the sign-in form"),
    "auth.logout": public("signing out (nothing to do when not signed in)"),
    "auth.reset_request": public("asks for a password reset link"),
    "auth.reset_sent": public("says to check one's email"),
    "auth.reset_password": public("the reset link: the token is the key"),
    "auth.accept_invitation": public("the invitation link: the token is the key"),
    "auth.mfa_verify": second_factor("the code after the password"),
    "auth.mfa_cancel": second_factor("giving up between the password and the code"),
    "auth.mfa_enrol": Policy(
        SIGN_IN, SIGN_IN, OK, OK, SIGN_IN, OK, "staff set up their second factor; interns have none, to sign in"
    ),
    # --- anyone signed in ---------------------------------------------------------------------------------
    "auth.account": Policy(SIGN_IN, OK, OK, OK, OK, OK, "one's own account"),
    "timesheets.dashboard": Policy(SIGN_IN, OK, OK, OK, OK, OK, "the intern's hours; staff go on to compliance"),
    # --- interns ------------------------------------------------------------------------------------------
    "timesheets.concerns": Policy(SIGN_IN, OK, 403, 403, 404, 403, "an intern raises a concern about their placement"),
    "timesheets.current_week": Policy(SIGN_IN, OK, 403, 403, 404, 403, "the intern's current week"),
    "timesheets.add_entry": own_timesheet("logging hours"),
    "timesheets.update_entry": own_timesheet("changing a logged entry"),
    "timesheets.delete_entry": own_timesheet("deleting a logged entry"),
    "timesheets.submit_week": own_timesheet("submitting the week for approval"),
    "timesheets.save_reflection": own_timesheet("writing what the intern learned that week"),
    # --- a placement's people -----------------------------------------------------------------------------
    "timesheets.week": placement_readers("a week's hours"),
    "timesheets.hours_statement": placement_readers("the hours statement for school credit"),
    "timesheets.hours_statement_pdf": placement_readers("the hours statement as a PDF"),
    "timesheets.stipend_statement": placement_readers("a month's stipend statement"),
    "timesheets.decide_week": Policy(
        SIGN_IN, 403, OK, OK, 403, 404, "the program's supervisors approve or return a week; never the intern"
    ),
    "timesheets.reopen_week": Policy(SIGN_IN, 403, 403, OK, 403, 403, "only admins reopen an approved week"),
    "timesheets.manage_placement": placement_managers("the placement's settings page"),
    "timesheets.change_placement": placement_managers("changing supervisor, dates, hours, stipend"),
    "timesheets.extend_placement": placement_managers("extending the placement"),
    "timesheets.end_placement": placement_managers("ending the placement"),
    "timesheets.resend_placement_invitation": placement_managers("resending the intern's invitation"),
    "timesheets.placement_invitation_link": placement_managers("showing a fresh invitation link"),
    # --- staff: each sees only their programs' rows -------------------------------------------------------
    "timesheets.approvals": staff("weeks waiting for approval, of one's own programs"),
    "timesheets.compliance": staff("who is short, at risk or not learning, in one's own programs"),
    "timesheets.stipend_csv": staff("the month's stipends as CSV (400 without ?month)"),
    "review.queue": staff("the review queue, of the programs one reviews"),
    "review.export": staff("the queue as CSV"),
    "review.application": reviewers("an application"),
    "review.resume": reviewers("its resume"),
    "review.score": reviewers("scoring it"),
    "review.decide": reviewers("deciding it"),
    # --- admins -------------------------------------------------------------------------------------------
    "admin.programs": admins("the programs list"),
    "admin.program_new": admins("a new program"),
    "admin.program": admins("a program's overview"),
    "admin.program_state": admins("publish, close, reopen, archive"),
    "admin.program_clone": admins("clone for the next term"),
    "admin.program_posting": admins("the posting tab"),
    "admin.program_preview": admins("the posting as applicants will see it"),
    "admin.program_rules": admins("the rules and stipend tiers tab"),
    "admin.program_review": admins("the review and privacy tab"),
    "admin.program_review_settings": admins("blind review and retention"),
    "admin.program_criterion_save": admins("adding or changing a rubric criterion"),
    "admin.program_criterion_action": admins("moving, retiring or deleting a criterion"),
    "admin.program_categories": admins("the activity categories tab"),
    "admin.program_category_save": admins("adding or changing a category"),
    "admin.program_category_action": admins("moving, retiring or deleting a category"),
    "admin.program_questions": admins("the application questions tab"),
    "admin.program_question_add": admins("adding a question"),
    "admin.program_question_save": admins("changing a question"),
    "admin.program_question_action": admins("moving, retiring or deleting a question"),
    "admin.program_question_standard": admins("adding the standard question"),
    "admin.program_people": admins("the program's people tab"),
    "admin.program_people_add": admins("assigning a reviewer or supervisor"),
    "admin.program_people_remove": admins("removing one"),
    "admin.people": admins("staff and interns"),
    "admin.people_invite": admins("inviting staff"),
    "admin.person": admins("a person's page"),
    "admin.person_role": admins("changing a role"),
    "admin.person_programs": admins("the programs a person reviews and supervises"),
    "admin.person_deactivate": admins("deactivating someone"),
    "admin.person_reactivate": admins("reactivating someone"),
    "admin.person_invitation": admins("resending an invitation"),
    "admin.person_invitation_link": admins("showing a fresh invitation link"),
    "admin.person_mfa_reset": admins("resetting someone's second factor"),
    "admin.person_self_id_report_grant": admins("letting an admin see the self-identification report"),
    "admin.person_self_id_report_revoke": admins("removing that"),
    "admin.concerns": admins("every intern's concerns"),
    "admin.answer_concern": admins("answering one"),
    "admin.audit_log": admins("the audit log"),
    "admin.audit_log_export": admins("the audit log as CSV"),
    "admin.data_requests": admins("the data requests log (deletions, downloads, purges; no personal data)"),
    "admin.data_requests_export": admins("the data requests log as CSV"),
    "admin.outbox": admins("the outbox's counts and failures"),
    "admin.outbox_retry": admins("retrying a failed email"),
    "admin.sent_mail": admins("the mail the portal sent (development only)"),
    # --- the self-identification report: only admins granted the permission (this table's admin lacks
    # it, so 403; the granted admin is in tests/test_reports_self_identification.py) -----------------
    "reports.self_identification": Policy(SIGN_IN, 403, 403, 403, 403, 403, "voluntary answers, aggregates only"),
    "reports.self_identification_csv": Policy(SIGN_IN, 403, 403, 403, 403, 403, "the same as CSV"),
    # --- reports: admins see every program, supervisors their own (another program's id is a 404) ------
    "reports.index": staff("the reports this person may open"),
    "reports.recruitment": staff("the recruitment report over the programs one may see"),
    "reports.recruitment_csv": staff("the same as CSV"),
    "reports.internships": staff("the internships report over the programs one may see (concerns: admins only)"),
    "reports.internships_csv": staff("the same as CSV"),
}


def _url_map_routes():
    app = create_app({"TESTING": True, "ENV": "development", "DATABASE_URL": "sqlite://", "SECRET_KEY": "k" * 40})
    return app_routes(app)


ROUTES = _url_map_routes()
#: Refusals first, so that an allowed POST (which may change things) comes after every check that nothing changed.
VISIT_ORDER = ("anonymous", "other intern", "other supervisor", "intern", "supervisor", "admin")


def test_every_route_is_in_the_policy_table():
    endpoints = {route.endpoint for route in ROUTES}
    missing = sorted(endpoints - POLICY.keys())
    assert not missing, f"add these routes to POLICY in tests/test_access_table.py: {missing}"
    assert not sorted(POLICY.keys() - endpoints), "POLICY lists routes the app no longer has"


def test_the_table_sees_every_area():
    paths = {route.rule for route in ROUTES}
    assert {"/", "/admin/programs", "/admin/people", "/review/", "/hours/", "/auth/sign-in", "/status/<token>"} <= paths


def _outcome(response) -> str | int:
    if response.status_code == 302 and "/auth/sign-in" in response.headers.get("Location", ""):
        return SIGN_IN
    if response.status_code in (401, 403, 404):
        return response.status_code
    assert response.status_code < 500
    return OK


@pytest.mark.app_config(ENV="development")  # "Sent mail" exists only in development: its door is checked too
@pytest.mark.parametrize("route", ROUTES, ids=[route.name for route in ROUTES])
def test_each_visitor_gets_what_the_table_says(app, program, supervisor, intern, admin, placement, route):
    world = build_world(program, supervisor, intern, admin, placement)
    policy = POLICY[route.endpoint]
    expected = dict(zip(ROLES, policy[: len(ROLES)], strict=True))
    events_before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    got = {}
    for role in VISIT_ORDER:
        if expected[role] == OK:
            continue
        got[role] = _outcome(world.client(app, role).open(world.url(route), method=route.method, data={}))
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events_before  # refused, nothing done
    for role in VISIT_ORDER:
        if expected[role] == OK:
            got[role] = _outcome(world.client(app, role).open(world.url(route), method=route.method, data={}))
    assert got == {role: expected[role] for role in got}, policy.reason
