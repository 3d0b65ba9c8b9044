"""Sign-in, password reset and first-password forms (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import Email, EqualTo, InputRequired, Length, ValidationError

from portal.rules.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, password_problem


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def email_field(description: str = "", *, missing: str = "Enter your email address") -> EmailField:
    """An email address field: required (``missing`` says so), checked for its syntax, at most 254 characters."""
    return EmailField(
        "Email address",
        filters=[_strip],
        validators=[
            InputRequired(message=missing),
            Email(message="Enter an email address like name@example.org", check_deliverability=False),
            Length(max=254, message="Enter an email address of at most 254 characters"),
        ],
        description=description,
    )


class SignInForm(FlaskForm):
    email = email_field()
    # No length rules here: a wrong password gets the same answer whatever its length.
    password = PasswordField("Password", validators=[InputRequired(message="Enter your password")])


class ResetRequestForm(FlaskForm):
    email = email_field("The address your account uses. We email it a link to choose a new password.")


class PasswordRule:
    """The portal's password rule (``portal.rules.passwords``) as a validator, for the form's ``account_email``.

    It also gives the input ``minlength``/``maxlength`` so the browser knows the lengths before sending.
    """

    field_flags = {"minlength": MIN_PASSWORD_LENGTH, "maxlength": MAX_PASSWORD_LENGTH}

    def __call__(self, form: FlaskForm, field: PasswordField) -> None:
        problem = password_problem(field.data, email=getattr(form, "account_email", ""))
        if problem:
            raise ValidationError(problem)


class SetPasswordForm(FlaskForm):
    """A new password typed twice: at least MIN_PASSWORD_LENGTH characters, and not the account's email."""

    password = PasswordField(
        "New password",
        validators=[
            InputRequired(message="Enter a new password"),
            PasswordRule(),
        ],
        description=(
            f"At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words make a strong password "
            "that is easy to remember."
        ),
    )
    confirm = PasswordField(
        "Type the new password again",
        validators=[
            InputRequired(message="Type the new password again"),
            EqualTo("password", message="The two passwords do not match"),
        ],
    )

    def __init__(self, *args, email: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.account_email = email.strip().lower()


class SignOutForm(FlaskForm):
    """No fields: the CSRF token is what makes signing out a deliberate act of this site's page."""
