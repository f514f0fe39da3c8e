"""Integrations for administrators: everyone's API tokens, directory sync (SCIM tokens),
webhook endpoints and their recent deliveries. Every change is audited by its service."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ideaboard.forms import ActionForm, show_refusal
from ideaboard.forms.integrations import (
    EVENT_LABELS,
    FORMAT_LABELS,
    ScimTokenForm,
    WebhookForm,
)
from ideaboard.integrations.webhooks import preview
from ideaboard.models import EventKind, TokenKind, WebhookFormat
from ideaboard.queries.integrations import (
    all_tokens,
    delivery_by_id,
    recent_deliveries,
    token_by_id,
    webhook_endpoint,
    webhook_endpoints,
)
from ideaboard.services import DomainError
from ideaboard.services.api_tokens import create_scim_token, revoke_token
from ideaboard.services.webhooks import (
    EndpointSettings,
    delete_endpoint,
    resend_delivery,
    save_endpoint,
)
from ideaboard.web.admin import bp, private
from ideaboard.web.issued_tokens import keep_for_one_display, take_issued


@bp.get("/tokens")
def tokens():
    return render_template("admin/tokens.html", tokens=all_tokens(TokenKind.PERSONAL),
                           revoke_form=ActionForm())


def _revoke(token_id: int, kind: TokenKind) -> None:
    token = token_by_id(token_id)
    if token is None or token.kind != kind or not ActionForm().validate_on_submit():
        abort(404 if token is None or token.kind != kind else 400)
    revoke_token(current_user, token)
    flash(_("The token is revoked: it stopped working at once."), "success")


@bp.post("/tokens/<int:token_id>/revoke")
def revoke_personal_token(token_id: int):
    _revoke(token_id, TokenKind.PERSONAL)
    return redirect(url_for("admin.tokens"))


@bp.route("/scim", methods=["GET", "POST"])
def scim():
    form = ScimTokenForm()
    if form.validate_on_submit():
        try:
            issued = create_scim_token(current_user, name=form.name.data)
        except DomainError as refused:
            show_refusal(form, refused, "name")
        else:
            keep_for_one_display(issued)
            return redirect(url_for("admin.scim"))
    return private(render_template(
        "admin/scim.html", form=form, issued=take_issued(TokenKind.SCIM),
        tokens=all_tokens(TokenKind.SCIM),
        revoke_form=ActionForm(), scim_url=url_for("scim.users", _external=True)
        .rsplit("/Users", 1)[0]))


@bp.post("/scim/<int:token_id>/revoke")
def revoke_scim_token(token_id: int):
    _revoke(token_id, TokenKind.SCIM)
    return redirect(url_for("admin.scim"))


def _settings(form: WebhookForm, keep_secret: bool) -> EndpointSettings:
    secret = (form.secret.data or "").strip()
    return EndpointSettings(
        name=form.name.data, url=form.url.data, format=WebhookFormat(form.format.data),
        events=[EventKind(kind) for kind in form.events.data], locale=form.locale.data,
        secret=None if keep_secret and not secret else secret, active=form.active.data)


@bp.route("/webhooks", methods=["GET", "POST"])
def webhooks():
    form = WebhookForm()
    if form.validate_on_submit():
        try:
            save_endpoint(current_user, None, _settings(form, keep_secret=False))
        except DomainError as refused:
            show_refusal(form, refused, "url")
        else:
            flash(_("The webhook is saved. Events are delivered from now on."), "success")
            return redirect(url_for("admin.webhooks"))
    return render_template("admin/webhooks.html", form=form, endpoints=webhook_endpoints(),
                           event_labels=EVENT_LABELS, format_labels=FORMAT_LABELS)


@bp.route("/webhooks/<int:endpoint_id>", methods=["GET", "POST"])
def webhook(endpoint_id: int):
    endpoint = webhook_endpoint(endpoint_id)
    if endpoint is None:
        abort(404)
    form = WebhookForm(obj=endpoint, events=endpoint.event_list, secret="")
    if form.validate_on_submit():
        try:
            save_endpoint(current_user, endpoint, _settings(form, keep_secret=True))
        except DomainError as refused:
            show_refusal(form, refused, "url")
        else:
            flash(_("The webhook is saved."), "success")
            return redirect(url_for("admin.webhook", endpoint_id=endpoint.id))
    return render_template("admin/webhook.html", form=form, endpoint=endpoint,
                           deliveries=recent_deliveries(endpoint.id),
                           delete_form=ActionForm(), resend_form=ActionForm(),
                           event_labels=EVENT_LABELS)


@bp.post("/webhooks/<int:endpoint_id>/delete")
def delete_webhook(endpoint_id: int):
    endpoint = webhook_endpoint(endpoint_id)
    if endpoint is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    delete_endpoint(current_user, endpoint)
    flash(_("The webhook and its deliveries are deleted."), "info")
    return redirect(url_for("admin.webhooks"))


@bp.get("/webhooks/deliveries")
def deliveries():
    return render_template("admin/deliveries.html", deliveries=recent_deliveries(),
                           resend_form=ActionForm(), event_labels=EVENT_LABELS)


@bp.get("/webhooks/deliveries/<int:delivery_id>")
def delivery(delivery_id: int):
    found = delivery_by_id(delivery_id)
    if found is None:
        abort(404)
    return render_template("admin/delivery.html", delivery=found, body=preview(found),
                           resend_form=ActionForm(), event_labels=EVENT_LABELS)


@bp.post("/webhooks/deliveries/<int:delivery_id>/resend")
def resend(delivery_id: int):
    found = delivery_by_id(delivery_id)
    if found is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    resend_delivery(current_user, found)
    flash(_("Queued again: the worker sends it within a minute."), "success")
    return redirect(url_for("admin.deliveries"))
