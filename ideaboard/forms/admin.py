from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ideaboard.forms import EmailAddress
from ideaboard.forms.auth import LEVEL_CHOICES
from ideaboard.forms.moderation import FLAG_REASON_CHOICES
from ideaboard.models import ExportDataset, ExportFormat, Role

ROLE_CHOICES = [SelectChoice(Role.EMPLOYEE.value, _l("Employee")),
                SelectChoice(Role.LEADER.value, _l("Leader")),
                SelectChoice(Role.ADMIN.value, _l("Administrator"))]


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail (optional)"), validators=[Optional(), EmailAddress()],
                       description=_l("Leave empty for a link anyone can use once."))
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=Role.EMPLOYEE.value)
    valid_days = IntegerField(_l("Valid for (days)"), default=7,
                              validators=[NumberRange(min=1, max=90)])


# --- moderation ----------------------------------------------------------------------------

class ModerationForm(FlaskForm):
    """One form per flagged post; the button pressed (name="action") says what to do."""
    reason_code = SelectField(_l("Reason shown to the author"), choices=FLAG_REASON_CHOICES,
                              validators=[Optional()])
    reason = StringField(_l("In your words (optional)"), validators=[Length(max=1000)])


class EditPostForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=140)])
    body = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=20_000)])
    reason = StringField(_l("Why you edited it (the author is told)"),
                         validators=[DataRequired(), Length(min=5, max=1000)])


class RevealForm(FlaskForm):
    reason = TextAreaField(_l("Why you need to know who wrote this"),
                           validators=[DataRequired(), Length(min=15, max=1000)],
                           description=_l("Kept in the audit log. The author is told that "
                                          "their name was revealed, and why."))


class MergeForm(FlaskForm):
    survivor = StringField(_l("The idea that stays (link or id)"),
                           validators=[DataRequired(), Length(max=300)])
    rationale = TextAreaField(_l("Public explanation"),
                              validators=[DataRequired(), Length(min=30, max=10_000)],
                              description=_l("Shown on the merged idea's timeline; at least "
                                             "30 characters."))


# --- users and departments -----------------------------------------------------------------

class AccountForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    department_id = SelectField(_l("Department"), coerce=int)
    level = SelectField(_l("Level"), choices=LEVEL_CHOICES)
    reason = StringField(_l("Reason (needed for a role change)"),
                         validators=[Length(max=500)], id="account-reason")


class SuspendForm(FlaskForm):
    until = DateField(_l("Suspended until"), validators=[Optional()],
                      description=_l("They can sign in again from this day on."))
    permanent = BooleanField(_l("Until an administrator lifts it"))
    reason = StringField(_l("Reason (shown to them when they try to sign in)"),
                         validators=[DataRequired(), Length(min=5, max=500)],
                         id="suspend-reason")


class AccessForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(min=5, max=500)],
                         id="access-reason")


class DepartmentForm(FlaskForm):
    name = StringField(_l("Department name"), validators=[DataRequired(), Length(max=80)])


# --- settings, audit log, exports ----------------------------------------------------------

SMTP_SECURITY_CHOICES = [SelectChoice("", _l("As configured on the server")),
                         SelectChoice("starttls", _l("STARTTLS (usually port 587)")),
                         SelectChoice("ssl", _l("TLS from the start (usually port 465)")),
                         SelectChoice("none", _l("None (only inside a trusted network)"))]


class PlatformSettingsForm(FlaskForm):
    """Descriptions with the configured defaults are filled in by the view."""
    allowed_signup_domains = StringField(_l("E-mail domains that may sign up"),
                                         validators=[Length(max=2000)])
    flag_threshold = IntegerField(_l("Flags that hide a post pending review"), default=3,
                                  validators=[InputRequired(), NumberRange(min=1, max=100)])
    small_group_minimum = IntegerField(_l("Smallest group shown in breakdowns"), default=5,
                                       validators=[InputRequired(),
                                                   NumberRange(min=5, max=1000)])
    ratelimit_login = StringField(_l("Sign-in attempts"), validators=[Length(max=60)])
    ratelimit_signup = StringField(_l("Sign-ups"), validators=[Length(max=60)])
    ratelimit_post = StringField(_l("New ideas"), validators=[Length(max=60)])
    ratelimit_comment = StringField(_l("Comments"), validators=[Length(max=60)])
    ratelimit_vote = StringField(_l("Votes and helpful marks"), validators=[Length(max=60)])
    ratelimit_flag = StringField(_l("Flags"), validators=[Length(max=60)])
    smtp_host = StringField(_l("SMTP server"), validators=[Length(max=255)])
    smtp_port = IntegerField(_l("SMTP port"), validators=[Optional(),
                                                          NumberRange(min=1, max=65535)])
    smtp_security = SelectField(_l("Connection security"), choices=SMTP_SECURITY_CHOICES)
    smtp_username = StringField(_l("SMTP user name"), validators=[Length(max=255)])
    smtp_from = StringField(_l("Sender (From)"), validators=[Length(max=255)])
    read_requires_sign_in = BooleanField(
        _l("Colleagues must sign in to read"),
        description=_l("Recommended for an internal platform. When off, pages and feeds are "
                       "readable without signing in — except anonymous-only campaigns, which "
                       "always need sign-in."))
    anonymity_window_minutes = IntegerField(
        _l("Anonymity window (minutes)"), default=60,
        validators=[Optional(), NumberRange(min=15, max=24 * 60)],
        description=_l("An anonymous post is placed at a random moment within this window "
                       "before it was written, and news of it goes out at the end of the "
                       "window, so its timing cannot identify its author. Default: 60."))
    stalled_after_days = IntegerField(  # funding and delivery (issue 14)
        _l("Days without a progress update before a delivery is marked stalled"),
        validators=[Optional(), NumberRange(min=1, max=365)])
    # challenges and the track record (issue 15)
    challenge_min_cosigners = IntegerField(
        _l("Co-signers that reopen a decision"), default=10,
        validators=[Optional(), NumberRange(min=1, max=100_000)],
        description=_l("Colleagues who must co-sign a challenge, besides the person who "
                       "raised it. Default: 10."))
    challenge_min_cosigners_percent = DecimalField(
        _l("…or a share of active employees (%)"), places=2,
        validators=[Optional(), NumberRange(min=0.01, max=100)],
        description=_l("Leave empty to use the fixed number. Default: empty."))
    challenge_window_days = IntegerField(
        _l("Days a challenge has to gather them"), default=30,
        validators=[Optional(), NumberRange(min=1, max=365)], description=_l("Default: 30."))
    track_record_leaders_only = BooleanField(
        _l("Show leaders’ track record to leaders and administrators only"),
        description=_l("By default every signed-in employee can see it."))


class AuditFilterForm(FlaskForm):
    """Read-only filters in the query string, so no CSRF token."""
    class Meta:
        csrf = False

    actor = StringField(_l("Who (name or e-mail)"), validators=[Optional(), Length(max=100)])
    action = SelectField(_l("Action"), validators=[Optional()])
    target_type = SelectField(_l("Target"), validators=[Optional()])
    target_id = StringField(_l("Target id"), validators=[Optional(), Length(max=40)])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])


DATASET_CHOICES = [SelectChoice(ExportDataset.IDEAS.value, _l("Ideas")),
                   SelectChoice(ExportDataset.COMMENTS.value, _l("Comments")),
                   SelectChoice(ExportDataset.VOTES.value, _l("Votes (totals per idea)")),
                   SelectChoice(ExportDataset.DECISIONS.value, _l("Decisions"))]
FORMAT_CHOICES = [SelectChoice(ExportFormat.CSV.value, _l("CSV (spreadsheets)")),
                  SelectChoice(ExportFormat.JSON.value, "JSON")]


class ExportForm(FlaskForm):
    dataset = SelectField(_l("What to export"), choices=DATASET_CHOICES,
                          validators=[DataRequired()])
    file_format = RadioField(_l("Format"), choices=FORMAT_CHOICES,
                             default=ExportFormat.CSV.value, validators=[DataRequired()])
