"""Settings: the escalation rule (with its preview), and the platform settings."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ideaboard.forms.admin import PlatformSettingsForm
from ideaboard.forms.review import EscalationRuleForm
from ideaboard.queries.ideas import last_broad_support_fit
from ideaboard.services import DomainError
from ideaboard.services.review import (
    escalation_rule_preview,
    site_settings,
    update_escalation_rule,
)
from ideaboard.services.settings import (
    RATE_LIMITED_ACTIONS,
    PlatformSettings,
    configured_rate_limit,
    current_platform_settings,
    update_platform_settings,
)
from ideaboard.web.admin import bp


def platform_form(formdata=None) -> PlatformSettingsForm:
    """The settings form, with the configured value each empty field falls back to."""
    current = current_platform_settings()
    form = (PlatformSettingsForm() if formdata else
            PlatformSettingsForm(obj=current, formdata=None, smtp_security=current.smtp_security
                                 or ""))
    config = current_app.config
    form.allowed_signup_domains.description = _(
        "Comma-separated. Empty: as configured (%(value)s). Invitations work for any address.",
        value=", ".join(config["ALLOWED_SIGNUP_DOMAINS"]) or _("none"))
    form.flag_threshold.description = _(
        "Distinct colleagues whose flags hide a post until a moderator looks. Default: 3.")
    form.small_group_minimum.description = _(
        "Departments or levels with fewer voters are counted under “other”. Default and "
        "lowest: 5.")
    for action in RATE_LIMITED_ACTIONS:
        getattr(form, f"ratelimit_{action}").description = _(
            "Per address. Empty: as configured (%(value)s).",
            value=configured_rate_limit(action))
    form.smtp_host.description = _("Empty: as configured (%(value)s). The password is set on "
                                   "the server only.", value=config.get("MAIL_SERVER")
                                   or _("e-mail off"))
    form.smtp_port.description = _("Empty: as configured (%(value)s).",
                                   value=config.get("MAIL_PORT"))
    form.smtp_username.description = _("Empty: as configured.")
    form.smtp_from.description = _("Empty: as configured (%(value)s).",
                                   value=config.get("MAIL_FROM"))
    form.stalled_after_days.description = _(  # funding and delivery (issue 14)
        "Its owner and the deciding leader are told. Empty: as configured (%(value)s).",
        value=config["DELIVERY_STALLED_DAYS"])
    return form


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """The escalation rule: preview how many open ideas it covers, then save."""
    current = site_settings()
    form = EscalationRuleForm(
        min_supporters=current.escalation_min_supporters,
        min_supporters_percent=current.escalation_min_supporters_percent,
        min_wilson=current.escalation_min_wilson, sla_days=current.review_sla_days,
        min_broad_support=current.escalation_min_broad_support)
    preview = None
    if form.validate_on_submit():
        values = {"min_supporters": form.min_supporters.data,
                  "percent": float(form.min_supporters_percent.data)
                  if form.min_supporters_percent.data else None,
                  "min_wilson": float(form.min_wilson.data),
                  "min_broad_support": float(form.min_broad_support.data)
                  if form.min_broad_support.data is not None else None}
        if "save" in request.form and form.confirm.data:
            try:
                escalated = update_escalation_rule(current_user, sla_days=form.sla_days.data,
                                                   **values)
            except DomainError as refused:
                flash(str(refused), "warning")
            else:
                flash(ngettext("Saved. %(num)d open idea reached the new rule and went to the "
                               "review queue.", "Saved. %(num)d open ideas reached the new rule "
                               "and went to the review queue.", escalated), "success")
                return redirect(url_for("admin.settings"))
        preview = escalation_rule_preview(**values)
        form.confirm.data = True
    return render_template("admin/settings.html", form=form, preview=preview, current=current,
                           last_fit=last_broad_support_fit())


@bp.route("/settings/platform", methods=["GET", "POST"])
def settings_platform():
    """Sign-up domains, moderation, the small-group rule, rate limits and SMTP."""
    form = platform_form(request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        values = PlatformSettings(**{name: getattr(form, name).data
                                     for name in PlatformSettings.__dataclass_fields__})
        try:
            changed = update_platform_settings(current_user, values)
        except DomainError as refused:
            form.form_errors.append(str(refused))
        else:
            flash(_("Settings saved.") if changed else _("Nothing changed."),
                  "success" if changed else "info")
            return redirect(url_for("admin.settings_platform"))
    return render_template("admin/platform_settings.html", form=form,
                           current=site_settings())
