"""The flag form every employee sees on ideas and comments."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ideaboard.models import FlagReason

FLAG_REASON_LABELS = {
    FlagReason.SPAM: _l("Spam or advertising"),
    FlagReason.ABUSIVE: _l("Abusive or disrespectful"),
    FlagReason.OFF_TOPIC: _l("Off-topic"),
    FlagReason.PERSONAL_INFO: _l("Shares personal information"),
    FlagReason.OTHER: _l("Something else (say what)"),
}
FLAG_REASON_CHOICES = [SelectChoice(reason.value, label)
                       for reason, label in FLAG_REASON_LABELS.items()]


class FlagForm(FlaskForm):
    reason = SelectField(_l("What is wrong?"), choices=FLAG_REASON_CHOICES,
                         validators=[DataRequired()])
    note = StringField(_l("Details (needed for “something else”)"),
                       validators=[Length(max=1000)])
