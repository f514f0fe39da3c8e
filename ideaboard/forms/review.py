from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ideaboard.models import IdeaStatus, NotificationKind
from ideaboard.models.ranking import SCORE_CONFIDENCE_PERCENT
from ideaboard.ranking import BROAD_SUPPORT_BADGE, BROAD_SUPPORT_MIN_VOTES

STATUS_CHOICES = [
    SelectChoice(IdeaStatus.UNDER_REVIEW.value, _l("Under review — we are looking into it")),
    SelectChoice(IdeaStatus.ACCEPTED.value, _l("Accepted")),
    SelectChoice(IdeaStatus.DECLINED.value, _l("Declined")),
    SelectChoice(IdeaStatus.NEEDS_INFO.value, _l("Needs more information")),
    SelectChoice(IdeaStatus.MERGED.value, _l("Merged into another idea")),
    SelectChoice(IdeaStatus.IN_PROGRESS.value, _l("In progress")),
    SelectChoice(IdeaStatus.DONE.value, _l("Done")),
]
KIND_LABELS = {
    NotificationKind.ESCALATED: _l("An idea I wrote, support or follow goes to leadership"),
    NotificationKind.DECISION: _l("Leadership decides on an idea I wrote, support or follow"),
    NotificationKind.COMMENT_ON_IDEA: _l("Someone comments on my idea"),
    NotificationKind.REPLY: _l("Someone replies to my comment"),
    NotificationKind.QUEUE_NEW: _l("An idea enters the review queue (leaders)"),
    NotificationKind.QUEUE_OVERDUE: _l("A queue item I own becomes overdue (leaders)"),
    NotificationKind.CRITIQUE_ANSWERED: _l("A plan’s owner answers my critique"),
    NotificationKind.ANONYMITY_REVEALED: _l("An administrator looks up who wrote one of my "
                                            "anonymous posts"),
    # funding and delivery (issue 14)
    NotificationKind.FUNDING_RESULT: _l("A funding round closes on an idea I entered"),
    NotificationKind.FUNDING_BACKED: _l("An idea I backed with points is funded"),
    NotificationKind.FUNDING_ANSWER: _l("Leadership confirms or declines funding I backed"),
    NotificationKind.PLEDGE_NEW: _l("Someone offers time to my idea"),
    NotificationKind.TEAM_INVITE: _l("I am invited into an idea's team"),
    NotificationKind.DELIVERY_UPDATE: _l("Progress on an idea I backed, volunteer for or follow"),
    NotificationKind.DELIVERY_STALLED: _l("A delivery I own or decided on stalls"),
    # challenges (issue 15)
    NotificationKind.CHALLENGE_RAISED: _l("A decision I made, or one on an idea I wrote or "
                                          "follow, is challenged"),
    NotificationKind.CHALLENGE_REOPENED: _l("A challenge I am part of sends a decision back "
                                            "to leadership"),
    NotificationKind.CHALLENGE_UPHELD: _l("A challenged decision I am part of is upheld"),
    NotificationKind.CHALLENGE_OVERTURNED: _l("A challenged decision I am part of is "
                                              "overturned"),
    NotificationKind.CHALLENGE_ENDED: _l("A challenge I raised or co-signed expires or is "
                                         "closed"),
}


class DecisionForm(FlaskForm):
    status = RadioField(_l("New status"), choices=STATUS_CHOICES, validators=[DataRequired()])
    rationale = TextAreaField(_l("Public rationale"), validators=[Length(max=10_000)],
                              description=_l("Shown to everyone on the idea. Required for "
                                             "accepted, declined, needs information and merged, "
                                             "and for done as the outcome: what changed, what "
                                             "was measured (at least 30 characters)."))
    merged_into = StringField(_l("Merged into (link or id of the surviving idea)"),
                              validators=[Optional(), Length(max=300)])


class QueueFilterForm(FlaskForm):
    """The review queue's filters, in the query string (read-only, so no CSRF token);
    choices are set by the view."""
    class Meta:
        csrf = False

    campaign = SelectField(_l("Campaign"), coerce=str, validators=[Optional()])
    owner = SelectField(_l("Owner"), coerce=str, validators=[Optional()])
    overdue = BooleanField(_l("Overdue only"))
    sort = SelectField(_l("Order"), coerce=str, validators=[Optional()],
                       choices=[SelectChoice("due", _l("Soonest due first")),
                                SelectChoice("new", _l("Newest escalations first"))])


class InfoAnswerForm(FlaskForm):
    info_answer = TextAreaField(_l("Your answer"), validators=[DataRequired(),
                                                              Length(max=10_000)],
                                description=_l("Shown on the idea's timeline; the leader who "
                                               "asked is told, and the idea goes back under "
                                               "review."))


class AssignForm(FlaskForm):
    owner = SelectField(_l("Assign to"), coerce=int)


class PullForm(FlaskForm):
    note = TextAreaField(_l("Why it should get an answer"), validators=[DataRequired(),
                                                                        Length(max=2000)])


class EscalationRuleForm(FlaskForm):
    min_supporters = IntegerField(_l("Supporters needed"), default=10,
                                  validators=[DataRequired(), NumberRange(min=1, max=100_000)],
                                  description=_l("Default: 10."))
    min_supporters_percent = DecimalField(
        _l("…or a share of active employees (%)"), places=2,
        validators=[Optional(), NumberRange(min=0.01, max=100)],
        description=_l("Leave empty to use the fixed number. Default: empty."))
    min_wilson = DecimalField(
        _l("Minimum support score (0–1)"), places=2, default=0.6,
        validators=[NumberRange(min=0, max=1)],
        description=_l("How clearly those who voted are for it: the share of supporters "
                       "among supporters and opposers, counted cautiously so that a few votes "
                       "cannot carry an idea. 0.60 means that, with %(confidence)d percent "
                       "confidence, at least 60 percent of voters support it. Default: 0.60.",
                       confidence=SCORE_CONFIDENCE_PERCENT))
    min_broad_support = DecimalField(
        _l("…and broad support at least (0–1)"), places=2,
        validators=[Optional(), NumberRange(min=0, max=1)],
        description=_l("Optional. Only ideas that colleagues across viewpoints support reach "
                       "the queue: the common-ground score is fitted every hour from every "
                       "vote, and ideas with fewer than %(votes)d votes have none. The badge "
                       "shows from %(badge)s. Leave empty to leave this condition out.",
                       votes=BROAD_SUPPORT_MIN_VOTES, badge=f"{BROAD_SUPPORT_BADGE:.2f}"))
    sla_days = IntegerField(_l("Days leadership has to answer"), default=14,
                            validators=[DataRequired(), NumberRange(min=1, max=365)],
                            description=_l("Default: 14."))
    confirm = BooleanField(_l("I have seen the preview"))


class PreferencesForm(FlaskForm):
    """In-app and e-mail switches for every kind of notification (fields added below)."""
    email_digest = BooleanField(_l("Send e-mail as one daily digest instead of one by one"))


for _kind in NotificationKind:
    setattr(PreferencesForm, f"{_kind.value}_in_app", BooleanField(_l("In the inbox")))
    setattr(PreferencesForm, f"{_kind.value}_email", BooleanField(_l("By e-mail")))
