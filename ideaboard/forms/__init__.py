"""WTForms classes. Field labels are lazy so they follow the viewer's language."""
from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

from ideaboard.services.accounts import InvalidEmail, checked_email


class ActionForm(FlaskForm):
    """A button that changes state: it carries only the CSRF token."""


def show_refusal(form: FlaskForm, refused: Exception, default_field: str) -> None:
    """Put a domain refusal beside the field it is about (DomainError.field), or beside
    `default_field` when it names none, so the user reads it where they fix it."""
    name = getattr(refused, "field", None)
    target = getattr(form, name, None) if name else None
    if target is None:
        target = getattr(form, default_field)
    target.errors = [*target.errors, str(refused)]
class EmailAddress:
    """WTForms face of the one e-mail check (services.accounts.checked_email), so a form and
    the service behind it cannot disagree about what an address is."""

    def __call__(self, form, field) -> None:
        if not field.data:
            return
        try:
            field.data = checked_email(field.data)
        except InvalidEmail as refused:
            raise ValidationError(str(refused)) from refused
