from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from ideaboard.forms import EmailAddress
from ideaboard.models import Level
from ideaboard.services.accounts import MIN_PASSWORD_LENGTH

LEVEL_CHOICES = [
    SelectChoice(Level.FRONTLINE.value, _l("Frontline")),
    SelectChoice(Level.MANAGER.value, _l("Manager")),
    SelectChoice(Level.SENIOR.value, _l("Senior")),
    SelectChoice(Level.EXECUTIVE.value, _l("Executive")),
]
LANGUAGE_CHOICES = [SelectChoice("", _l("Same as my browser")), SelectChoice("en", "English"),
                    SelectChoice("zh", "简体中文")]


class LoginForm(FlaskForm):
    email = EmailField(_l("Work e-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me signed in on this device"))
    next = HiddenField()


class ProfileFields(FlaskForm):
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=80)])
    department_id = SelectField(_l("Department"), coerce=int)
    level = SelectField(_l("Level"), choices=LEVEL_CHOICES,
                        description=_l("Used only for anonymous participation statistics; never "
                                       "shown beside what you write."))
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)


class SignupForm(ProfileFields):
    email = EmailField(_l("Work e-mail"), validators=[DataRequired(), EmailAddress()])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(), Length(min=MIN_PASSWORD_LENGTH,
                               message=_l("Use at least %(min)d characters."))])
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])


class ProfileForm(ProfileFields):
    pass


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    next = HiddenField()


class NewPasswordFields(FlaskForm):
    password = PasswordField(_l("New password"), validators=[
        DataRequired(), Length(min=MIN_PASSWORD_LENGTH,
                               message=_l("Use at least %(min)d characters."))])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])


class ResetPasswordForm(NewPasswordFields):
    pass


class ChangePasswordForm(NewPasswordFields):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])


class EmailLinkForm(FlaskForm):
    """Asks for an e-mailed link: a password reset, or a new confirmation link."""
    email = EmailField(_l("Work e-mail"),
                       validators=[DataRequired(), EmailAddress(), Length(max=254)])
