from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ideaboard.models import Anonymity, CampaignKind
from ideaboard.services.ideas import MAX_BODY_LENGTH, MAX_TITLE_LENGTH

KIND_CHOICES = [
    SelectChoice(CampaignKind.IDEAS.value,
                 _l("Open call for ideas — e.g. “How do we ship on time?”")),
    SelectChoice(CampaignKind.CONSULTATION.value,
                 _l("Consultation — options or candidates to nominate, argue and vote on")),
    SelectChoice(CampaignKind.DISCUSSION.value,
                 _l("Discussion — a sensitive topic where people may speak anonymously")),
    SelectChoice(CampaignKind.PLAN_REVIEW.value,
                 _l("Plan review — a plan posted section by section for critique")),
]
ANONYMITY_CHOICES = [
    SelectChoice(Anonymity.NAMED.value, _l("Named — everyone posts under their name")),
    SelectChoice(Anonymity.OPTIONAL.value, _l("Optional — each person chooses")),
    SelectChoice(Anonymity.ANONYMOUS_ONLY.value, _l("Anonymous only — nobody's name is shown")),
]
ANONYMITY_HINTS = {
    Anonymity.NAMED.value: _l("Every post and comment shows its author's name."),
    Anonymity.OPTIONAL.value: _l("Each person decides, post by post, whether to show their "
                                 "name."),
    Anonymity.ANONYMOUS_ONLY.value: _l("Nobody's name is shown, and the campaign is for "
                                       "signed-in colleagues only: the choice for sensitive "
                                       "topics such as pay or the leadership team's strengths "
                                       "and weaknesses."),
}


class CampaignForm(FlaskForm):
    title = StringField(_l("The question"), validators=[DataRequired(), Length(max=200)],
                        description=_l("Ask it the way you would in a meeting, e.g. “Why are "
                                       "our launches always late?”"))
    description = TextAreaField(_l("Background"), validators=[Optional(), Length(max=20_000)],
                                description=_l("Why you ask, what you will do with the answers, "
                                               "what is out of scope. Markdown works."))
    kind = RadioField(_l("Kind"), choices=KIND_CHOICES, default=CampaignKind.IDEAS.value)
    anonymity = RadioField(_l("Anonymity"), choices=ANONYMITY_CHOICES,
                           default=Anonymity.NAMED.value)
    opens_at = DateTimeLocalField(_l("Opens"), validators=[DataRequired()])
    closes_at = DateTimeLocalField(_l("Closes"), validators=[Optional()],
                                   description=_l("Leave empty to keep it open."))
    promised_answer_at = DateTimeLocalField(
        _l("We promise an answer by"), validators=[Optional()],
        description=_l("Shown on the campaign page, so people know when to expect a reply."))
    allow_nominations = BooleanField(_l("Employees may nominate options (consultations)"),
                                     default=True)
    hide_totals_until_close = BooleanField(
        _l("Hide running totals until the close date (consultations and comparisons)"),
        description=_l("Prevents herding: people vote on the arguments, not on the count."))
    pairwise_enabled = BooleanField(
        _l("Compare two at a time"),
        description=_l("Employees also see the campaign’s ideas in pairs (“Which would help "
                       "more?”) and pick one; a ranking page shows each idea’s chance of "
                       "winning. Ideas compared less often are shown more, so late ideas "
                       "catch up."))


class OutcomeForm(FlaskForm):
    outcome_text = TextAreaField(_l("Outcome and rationale"), validators=[DataRequired(),
                                                                     Length(max=20_000)],
                            description=_l("What was decided and why. Everyone who took part "
                                           "is told, and the campaign closes: no more posts "
                                           "or votes."))
    # consultations: the option chosen (choices set by the view; "" for none of them)
    winner = SelectField(_l("The option chosen"), validators=[Optional()],
                         description=_l("Marked as chosen on the results. It need not be the "
                                        "one with the most votes: say why in the outcome."))


class NominationForm(FlaskForm):
    """A consultation's nomination: a candidate or an option, and why (not an idea)."""
    title = StringField(_l("Candidate or option"),
                        validators=[DataRequired(), Length(max=MAX_TITLE_LENGTH)],
                        description=_l("A colleague's name and role, or the option in a few "
                                       "words, e.g. “Chen Jing, head of brand”."))
    body = TextAreaField(_l("Why this one?"), validators=[Optional(), Length(max=MAX_BODY_LENGTH)],
                         description=_l("What they would bring, or what this option would "
                                        "change. Colleagues will argue for and against it "
                                        "and vote. Markdown works."))
    anonymous = BooleanField(_l("Nominate anonymously"))
    publish = SubmitField(_l("Nominate"))


class ReopenForm(FlaskForm):
    closes_at = DateTimeLocalField(_l("Closes"), validators=[Optional()],
                                   description=_l("Leave empty to keep it open until you "
                                                  "close it."))


class CampaignOwnerForm(FlaskForm):
    """Admins hand a campaign to another leader (choices set by the view)."""
    owner = SelectField(_l("New owner"), coerce=int)
    reason = StringField(_l("Why"), validators=[Optional(), Length(max=500)],
                         description=_l("Recorded in the audit log, e.g. “Grace moved to "
                                        "the board; Hana takes over”."))
