from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from ideaboard.services.ideas import MAX_BODY_LENGTH, MAX_TITLE_LENGTH

CHOICES = ("left", "right", "skip")


class PairForm(FlaskForm):
    """One pair: the two ideas as shown, and the button pressed (name="choice")."""
    left = HiddenField(validators=[DataRequired(), Length(max=16)])
    right = HiddenField(validators=[DataRequired(), Length(max=16)])
    choice = HiddenField(validators=[DataRequired(), AnyOf(CHOICES)])


class SuggestForm(FlaskForm):
    """A new idea from the compare screen; it goes into the campaign like any other post."""
    title = StringField(_l("Your idea"), validators=[DataRequired(),
                                                     Length(max=MAX_TITLE_LENGTH)],
                        description=_l("One sentence that says what you propose. Colleagues "
                                       "will start seeing it in their pairs."))
    body = TextAreaField(_l("Details"), validators=[Optional(), Length(max=MAX_BODY_LENGTH)],
                         description=_l("Optional. Markdown works."))
    anonymous = BooleanField(_l("Post anonymously"))
