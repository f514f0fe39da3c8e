"""Forms of funding rounds: open or edit a round, enter an idea, give points, answer."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ideaboard.models import DivisionRule
from ideaboard.models.funding import CURRENCIES, CURRENCY_SYMBOLS

RULE_CHOICES = [
    SelectChoice(DivisionRule.PROPORTIONAL.value,
                 _l("Proportional — each idea gets the pool times its share of the points")),
    SelectChoice(DivisionRule.QUADRATIC.value,
                 _l("Quadratic matching — many small backers outweigh a few large ones")),
]
CURRENCY_CHOICES = [SelectChoice(code, f"{CURRENCY_SYMBOLS[code]} {code}") for code in CURRENCIES]


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes: easier than a multiple select, on phones too."""
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RoundForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)],
                        description=_l("For example “Q3 innovation fund”."))
    purpose = TextAreaField(_l("Purpose"), validators=[Optional(), Length(max=20_000)],
                            description=_l("What the money and people are for, what is out of "
                                           "scope, how leadership will answer. Markdown works."))
    currency = SelectField(_l("Currency"), choices=CURRENCY_CHOICES, default="CNY")
    pool_amount = IntegerField(_l("Money in the pool"), default=0,
                               validators=[InputRequired(), NumberRange(min=0,
                                                                        max=2_000_000_000)],
                               description=_l("Whole units, e.g. 200000. 0 if the pool is "
                                              "people only."))
    pool_people_weeks = IntegerField(_l("People-weeks in the pool"), default=0,
                                     validators=[InputRequired(), NumberRange(min=0,
                                                                              max=100_000)],
                                     description=_l("Time colleagues may spend on funded ideas, "
                                                    "e.g. 40 = one person for 40 weeks. 0 if "
                                                    "the pool is money only."))
    allowance = IntegerField(_l("Points per employee"), default=100,
                             validators=[InputRequired(), NumberRange(min=1, max=10_000)],
                             description=_l("Everyone gets the same allowance to spread over "
                                            "colleagues' ideas. Unspent points lapse at close."))
    division_rule = RadioField(_l("How the pool is divided at close"), choices=RULE_CHOICES,
                               default=DivisionRule.PROPORTIONAL.value)
    min_backers = IntegerField(_l("Minimum distinct backers for an idea to be funded"),
                               default=5, validators=[InputRequired(),
                                                      NumberRange(min=1, max=1000)])
    answer_days = IntegerField(_l("Days leadership has to answer after the close"), default=14,
                               validators=[InputRequired(), NumberRange(min=1, max=365)])
    hide_totals_until_close = BooleanField(
        _l("Hide running totals until the close"),
        description=_l("People then back what they believe in, not what is already ahead."))
    opens_at = DateTimeLocalField(_l("Opens"), validators=[DataRequired()])
    closes_at = DateTimeLocalField(_l("Closes"), validators=[DataRequired()])
    departments = CheckboxesField(
        _l("Who may take part"), coerce=int, validators=[Optional()],
        description=_l("Tick none for everyone, or tick the departments that take part."))


class EditRoundForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    purpose = TextAreaField(_l("Purpose"), validators=[Optional(), Length(max=20_000)])
    closes_at = DateTimeLocalField(_l("Closes"), validators=[DataRequired()])


class EntryForm(FlaskForm):
    idea = SelectField(_l("Your idea"), validators=[DataRequired()])
    ask_amount = IntegerField(_l("Money it needs"), default=0,
                              validators=[InputRequired(), NumberRange(min=0,
                                                                       max=2_000_000_000)])
    ask_people_weeks = IntegerField(_l("People-weeks it needs"), default=0,
                                    validators=[InputRequired(), NumberRange(min=0,
                                                                             max=100_000)])
    first_milestone = StringField(
        _l("The first milestone it would deliver"), validators=[DataRequired(), Length(max=200)],
        description=_l("One line your backers can hold you to, e.g. “A working pilot in the "
                       "Shanghai warehouse within 6 weeks”."))


class AllocationForm(FlaskForm):
    points = IntegerField(_l("Your points"), validators=[InputRequired(),
                                                         NumberRange(min=0, max=10_000)])


class FundingAnswerForm(FlaskForm):
    funding_decision = RadioField(_l("Your answer"), choices=[
        SelectChoice("release", _l("Confirm: release the money and people")),
        SelectChoice("decline", _l("Decline"))], validators=[DataRequired()])
    funding_rationale = TextAreaField(_l("Public rationale"),
                                      validators=[DataRequired(), Length(max=10_000)],
                              description=_l("Shown to everyone on the idea, and sent to its "
                                             "backers (at least 30 characters)."))
