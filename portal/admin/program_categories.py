"""Admin: the activity categories interns log hours against, each learning or operational."""

from __future__ import annotations

from flask import render_template
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField
from wtforms.validators import InputRequired, Length

from portal.admin.blueprint import bp
from portal.admin.list_tabs import ListTab, editing_item, item_action, save_item
from portal.auth.permissions import admin_required
from portal.forms import strip
from portal.models import Program
from portal.rules.ordered_items import MAX_NAME_CHARS
from portal.services import ordered_items
from portal.services.categories import CATEGORIES
from portal.services.programs import program_for_admin_or_404

_KIND = "Say whether the category is learning or operational"


def _is_learning(value) -> bool:
    return value in (True, "learning")


class KindField(RadioField):
    """Learning or operational, read as ``is_learning``; any other value says what to choose."""

    def process_formdata(self, valuelist) -> None:
        if valuelist:
            if valuelist[0] not in ("learning", "operational"):
                raise ValueError(_KIND)
            self.data = valuelist[0] == "learning"


class CategoryForm(FlaskForm):
    """One activity category: its name on the timesheet and whether it counts as learning."""

    name = StringField(
        "Category name",
        filters=[strip],
        validators=[
            InputRequired("Give the category a name"),
            Length(max=MAX_NAME_CHARS, message=f"Keep the name under {MAX_NAME_CHARS} characters"),
        ],
    )
    is_learning = KindField(
        "Kind",
        choices=[
            SelectChoice("learning", "Learning: training, or work the intern is there to learn"),
            SelectChoice("operational", "Operational: work that keeps the organisation running"),
        ],
        coerce=_is_learning,
        default=True,
        validators=[InputRequired(_KIND)],
        description="Interns whose learning share over the last 4 weeks falls under half are flagged to admins.",
    )


def _page(program: Program, *, item_form=None, editing=None, problem=None):
    return render_template(
        "admin/programs/categories.html",
        program=program,
        tab="categories",
        item_form=item_form or CategoryForm(formdata=None, obj=editing),
        editing=editing,
        problem=problem,
        uses=ordered_items.use_counts(CATEGORIES, program),
        list_tab=CATEGORIES_TAB,
    )


CATEGORIES_TAB = ListTab(
    endpoint="admin.program_categories",
    save_endpoint="admin.program_category_save",
    action_endpoint="admin.program_category_action",
    anchor="categories",
    kind=CATEGORIES,
    form=CategoryForm,
    page=_page,
)


@bp.get("/programs/<int:program_id>/categories")
@admin_required
def program_categories(program_id: int):
    program = program_for_admin_or_404(program_id)
    return _page(program, editing=editing_item(CATEGORIES_TAB, program))


@bp.post("/programs/<int:program_id>/categories/items", defaults={"item_id": None})
@bp.post("/programs/<int:program_id>/categories/items/<int:item_id>")
@admin_required
def program_category_save(program_id: int, item_id: int | None):
    return save_item(CATEGORIES_TAB, program_id, item_id)


@bp.post("/programs/<int:program_id>/categories/items/<int:item_id>/<action>")
@admin_required
def program_category_action(program_id: int, item_id: int, action: str):
    return item_action(CATEGORIES_TAB, program_id, item_id, action)
