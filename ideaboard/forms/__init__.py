"""WTForms classes. Field labels are lazy so they follow the viewer's language."""
from flask_wtf import FlaskForm


class ActionForm(FlaskForm):
    """A button that changes state: it carries only the CSRF token."""
