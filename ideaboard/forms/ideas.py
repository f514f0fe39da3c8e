from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ideaboard.models import Stance
from ideaboard.services.comments import MAX_COMMENT_LENGTH
from ideaboard.services.ideas import MAX_BODY_LENGTH, MAX_TITLE_LENGTH

STANCE_CHOICES = [
    SelectChoice(Stance.FOR.value, _l("For")),
    SelectChoice(Stance.AGAINST.value, _l("Against")),
    SelectChoice(Stance.NEUTRAL.value, _l("Neutral / question")),
]


class IdeaForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE_LENGTH)],
                        description=_l("One sentence that says what you propose."))
    body = TextAreaField(_l("Details"), validators=[Optional(), Length(max=MAX_BODY_LENGTH)],
                         description=_l("What is the problem, what would you change, and what "
                                        "would it take? Markdown works: **bold**, lists, links."))
    tags = StringField(_l("Tags"), validators=[Optional(), Length(max=200)],
                       description=_l("Up to 5, separated by commas, e.g. process, customers."))
    anonymous = BooleanField(_l("Post anonymously"))
    preview = SubmitField(_l("Preview"))
    publish = SubmitField(_l("Publish"))


class VoteForm(FlaskForm):
    value = HiddenField(validators=[DataRequired()])


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Your comment"), validators=[DataRequired(),
                                                        Length(max=MAX_COMMENT_LENGTH)])
    stance = RadioField(_l("Your position"), choices=STANCE_CHOICES, default=Stance.NEUTRAL.value)
    parent = HiddenField()
    anonymous = BooleanField(_l("Comment anonymously"))


class CommentEditForm(FlaskForm):
    body = TextAreaField(_l("Your comment"), validators=[DataRequired(),
                                                        Length(max=MAX_COMMENT_LENGTH)])
    stance = RadioField(_l("Your position"), choices=STANCE_CHOICES)


class HelpfulForm(FlaskForm):
    helpful = HiddenField(default="1")
