from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileSize
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ideaboard.models import Criterion, CritiqueStance
from ideaboard.services.plans import (
    MAX_CRITERION_LENGTH,
    MAX_CRITIQUE_LENGTH,
    MAX_DOCUMENT_LENGTH,
    MAX_HEADING_LENGTH,
    MAX_SECTION_LENGTH,
    MAX_TITLE_LENGTH,
    criterion_label,
)

MAX_UPLOAD_BYTES = 512 * 1024
CRITIQUE_STANCE_CHOICES = [
    SelectChoice(CritiqueStance.SUPPORT.value, _l("Support — this works")),
    SelectChoice(CritiqueStance.CONCERN.value, _l("Concern — this may not work")),
    SelectChoice(CritiqueStance.ALTERNATIVE.value, _l("Alternative — there is a better way")),
]
SCORE_CHOICES = [
    SelectChoice("", _l("Choose…")),
    SelectChoice("1", _l("1 — poor")),
    SelectChoice("2", "2"),
    SelectChoice("3", "3"),
    SelectChoice("4", "4"),
    SelectChoice("5", _l("5 — excellent")),
]


class PlanForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=MAX_TITLE_LENGTH)],
                        description=_l("A “# Title” line at the top of the document, if there "
                                       "is one, is used instead."))
    document = TextAreaField(
        _l("The plan, in Markdown"), validators=[Optional(), Length(max=MAX_DOCUMENT_LENGTH)],
        description=_l("Start each section with a line like “## Budget”; colleagues critique "
                       "every section on its own. Text before the first section becomes the "
                       "introduction."))
    upload = FileField(_l("…or import a Markdown file"), validators=[
        FileAllowed(["md", "markdown", "txt"], _l("Upload a Markdown file (.md or .txt).")),
        FileSize(MAX_UPLOAD_BYTES, message=_l("The file is too large: keep it under 512 KB."))],
        description=_l("The file replaces the text above; it is split on its “##” headings."))


    def uploaded_document(self) -> str | None:
        """The uploaded file's text, if a file was chosen."""
        upload = self.upload.data
        if not upload or not getattr(upload, "filename", ""):
            return None
        try:
            return upload.read(MAX_UPLOAD_BYTES + 1).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError(str(_l("Save the file as UTF-8 text and upload it again."))) from None


class SectionForm(FlaskForm):
    heading = StringField(_l("Heading"), validators=[DataRequired(),
                                                     Length(max=MAX_HEADING_LENGTH)])
    body = TextAreaField(_l("Text"), validators=[Optional(), Length(max=MAX_SECTION_LENGTH)],
                         description=_l("Markdown works: **bold**, lists, links, tables."))


class CriterionForm(FlaskForm):
    label = StringField(_l("New criterion"), validators=[DataRequired(),
                                                         Length(max=MAX_CRITERION_LENGTH)],
                        description=_l("For example: Cost, Customer value, Timeline."))


class CriterionToggleForm(FlaskForm):
    active = HiddenField(validators=[DataRequired()])


class CritiqueForm(FlaskForm):
    """Rating fields, one per criterion, are added by critique_form()."""
    stance = RadioField(_l("Your position"), choices=CRITIQUE_STANCE_CHOICES,
                        validators=[InputRequired(_l("Choose support, concern or alternative."))])
    body = TextAreaField(_l("Your critique"), validators=[
        DataRequired(_l("Say why: a critique needs a few words.")),
        Length(max=MAX_CRITIQUE_LENGTH)])
    anonymous = BooleanField(_l("Critique anonymously"))

    criteria: list[Criterion] = []

    @property
    def rating_fields(self) -> list:
        return [self[f"rating_{c.id}"] for c in self.criteria]

    def ratings(self) -> dict[int, str]:
        return {c.id: self[f"rating_{c.id}"].data for c in self.criteria}


def critique_form(criteria: list[Criterion], **kwargs) -> CritiqueForm:
    """A critique form with a 1–5 select for every criterion of the current rubric."""
    class RatedCritiqueForm(CritiqueForm):
        pass

    for criterion in criteria:
        label = criterion_label(criterion)
        setattr(RatedCritiqueForm, f"rating_{criterion.id}", SelectField(
            label, choices=SCORE_CHOICES,
            validators=[InputRequired(_l("Rate “%(label)s” from 1 to 5.", label=label))]))
    RatedCritiqueForm.criteria = criteria
    return RatedCritiqueForm(**kwargs)


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Your reply"), validators=[DataRequired(),
                                                       Length(max=MAX_CRITIQUE_LENGTH)])
    parent = HiddenField()
    anonymous = BooleanField(_l("Reply anonymously"))


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Your answer"), validators=[DataRequired(),
                                                         Length(max=MAX_CRITIQUE_LENGTH)],
                           description=_l("Shown under the critique to everyone; the author "
                                          "is told."))
