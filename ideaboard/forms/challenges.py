"""Forms for challenges: raising one, answering it (leaders) and closing it (admins)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ideaboard.models import IdeaStatus
from ideaboard.models.challenges import MAX_EVIDENCE_LENGTH

OVERTURN_CHOICES = [
    SelectChoice(IdeaStatus.ACCEPTED.value, _l("Accepted")),
    SelectChoice(IdeaStatus.DECLINED.value, _l("Declined")),
    SelectChoice(IdeaStatus.NEEDS_INFO.value, _l("Needs more information")),
    SelectChoice(IdeaStatus.MERGED.value, _l("Merged into another idea")),
]


class ChallengeForm(FlaskForm):
    evidence = TextAreaField(
        _l("Your new evidence or argument"),
        validators=[DataRequired(), Length(max=MAX_EVIDENCE_LENGTH)],
        description=_l("What has changed, or what did the decision miss? At least 30 "
                       "characters. Markdown works. Colleagues and leadership will read it."))
    anonymous = BooleanField(_l("Challenge anonymously"))


class AnswerChallengeForm(FlaskForm):
    outcome = RadioField(_l("Your answer"), validators=[DataRequired()], choices=[
        SelectChoice("uphold", _l("Uphold the decision")),
        SelectChoice("overturn", _l("Overturn it"))])
    status = RadioField(_l("New decision, if you overturn it"), choices=OVERTURN_CHOICES,
                        validators=[Optional()])
    rationale = TextAreaField(_l("Public rationale"), validators=[Length(max=10_000)],
                              description=_l("Shown to everyone on the idea and the "
                                             "challenge; at least 30 characters."))
    merged_into = StringField(_l("Merged into (link or id of the surviving idea)"),
                              validators=[Optional(), Length(max=300)])


class CloseChallengeForm(FlaskForm):
    reason = TextAreaField(_l("Why you close it"),
                           validators=[DataRequired(), Length(max=1000)],
                           description=_l("Shown on the challenge and told to the people who "
                                          "signed it; written to the audit log."))
