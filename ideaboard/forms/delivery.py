"""Forms of volunteering and delivery: pledges, milestones, updates, owner, outcome."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ideaboard.models.delivery import MAX_HOURS_PER_WEEK, MAX_WEEKS


class PledgeForm(FlaskForm):
    hours_per_week = IntegerField(_l("Hours a week"), default=2, validators=[
        InputRequired(), NumberRange(min=1, max=MAX_HOURS_PER_WEEK)])
    weeks = IntegerField(_l("For how many weeks"), default=6, validators=[
        InputRequired(), NumberRange(min=1, max=MAX_WEEKS)])
    skills = StringField(_l("Skills"), validators=[Optional(), Length(max=250)],
                         description=_l("Up to five, separated by commas: e.g. python, "
                                        "design, logistics."))
    pledge_note = TextAreaField(_l("A short note"), validators=[Optional(), Length(max=500)])


class MilestoneForm(FlaskForm):
    milestone_title = StringField(_l("Milestone"), validators=[DataRequired(), Length(max=200)])
    milestone_due = DateField(_l("Due"), validators=[Optional()])


class UpdateForm(FlaskForm):
    update_body = TextAreaField(_l("Progress update"),
                                validators=[DataRequired(), Length(max=20_000)],
                                description=_l("What moved, what is next, what is in the way. "
                                               "Markdown works."))
    spent_amount = IntegerField(_l("Spent since the last update"), default=0,
                                validators=[InputRequired(), NumberRange(min=0,
                                                                         max=2_000_000_000)])


class OwnerForm(FlaskForm):
    owner_email = EmailField(_l("Owner's e-mail address"), validators=[DataRequired(),
                                                                 Length(max=254)])


class OutcomeForm(FlaskForm):
    outcome = TextAreaField(_l("Outcome"), validators=[DataRequired(), Length(max=10_000)],
                            description=_l("What changed, and what was measured: the numbers "
                                           "before and after. Shown publicly (at least 30 "
                                           "characters)."))
