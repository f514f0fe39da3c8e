from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from ideaboard.models import Role

ROLE_CHOICES = [SelectChoice(Role.EMPLOYEE.value, _l("Employee")),
                SelectChoice(Role.LEADER.value, _l("Leader")),
                SelectChoice(Role.ADMIN.value, _l("Administrator"))]


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail (optional)"), validators=[Optional()],
                       description=_l("Leave empty for a link anyone can use once."))
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=Role.EMPLOYEE.value)
    valid_days = IntegerField(_l("Valid for (days)"), default=7,
                              validators=[NumberRange(min=1, max=90)])
