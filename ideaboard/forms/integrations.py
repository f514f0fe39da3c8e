"""API tokens, directory sync and webhook endpoints."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ideaboard.models import EventKind, WebhookFormat

EXPIRY_CHOICES = [SelectChoice("", _l("Never")), SelectChoice("7", _l("In 7 days")),
                  SelectChoice("30", _l("In 30 days")), SelectChoice("90", _l("In 90 days")),
                  SelectChoice("365", _l("In a year"))]
EVENT_LABELS = {
    EventKind.IDEA_POSTED: _l("An idea is posted"),
    EventKind.IDEA_ESCALATED: _l("An idea goes to leadership"),
    EventKind.IDEA_DECIDED: _l("Leadership decides"),
    EventKind.IDEA_CHALLENGED: _l("A decision is challenged"),
    EventKind.IDEA_FUNDED: _l("An idea is funded"),
    EventKind.IDEA_DELIVERED: _l("An idea is delivered"),
    EventKind.CAMPAIGN_OPENED: _l("A campaign opens"),
    EventKind.CAMPAIGN_CLOSED: _l("A campaign closes"),
}
FORMAT_LABELS = {
    WebhookFormat.GENERIC: _l("Generic JSON, signed (X-Ideaboard-Signature)"),
    WebhookFormat.FEISHU: _l("Feishu / Lark custom bot"),
    WebhookFormat.DINGTALK: _l("DingTalk group robot"),
    WebhookFormat.WECOM: _l("WeCom group robot"),
    WebhookFormat.SLACK: _l("Slack incoming webhook"),
    WebhookFormat.TEAMS: _l("Microsoft Teams (Workflows or incoming webhook)"),
}


class TokenForm(FlaskForm):
    name = StringField(_l("What will use it?"), validators=[DataRequired(), Length(max=80)],
                       description=_l("For example “Team dashboard” or “My scripts”."))
    write = BooleanField(_l("Also allow writing: post ideas, comment, vote and follow as me"))
    expires_in_days = SelectField(_l("Expires"), choices=EXPIRY_CHOICES, default="30")


class ScimTokenForm(FlaskForm):
    name = StringField(_l("Directory"), validators=[DataRequired(), Length(max=80)],
                       description=_l("For example “Okta” or “Microsoft Entra ID”."))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class WebhookForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    url = StringField(_l("Webhook address"), validators=[DataRequired(), URL(require_tld=False),
                                                         Length(max=2000)],
                      description=_l("The address the chat tool shows when you add its "
                                     "incoming webhook or custom robot."))
    format = SelectField(_l("Message format"),
                         choices=[SelectChoice(f.value, label)
                                  for f, label in FORMAT_LABELS.items()])
    events = MultiCheckboxField(_l("Send when"),
                                choices=[SelectChoice(k.value, label)
                                         for k, label in EVENT_LABELS.items()],
                                validators=[DataRequired()])
    locale = SelectField(_l("Language of the messages"),
                         choices=[SelectChoice("en", "English"),
                                  SelectChoice("zh", "简体中文")])
    secret = StringField(_l("Signing secret"), validators=[Optional(), Length(max=200)],
                         description=_l("Generic JSON: a secret you share with the receiver "
                                        "(at least 16 characters). Feishu/Lark and DingTalk: "
                                        "the robot's signing secret, if you switched signing "
                                        "on. Leave empty to keep the saved one."))
    active = BooleanField(_l("Active"), default=True)
