"""Campaign management in the admin area: every campaign, with edit, close or reopen (the
campaign's own pages, which admins may use) and handing a campaign to another owner."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ideaboard.extensions import db
from ideaboard.forms.campaigns import CampaignOwnerForm
from ideaboard.models import User
from ideaboard.queries.campaigns import admin_campaigns, campaign_by_slug
from ideaboard.queries.review import leader_choices
from ideaboard.services import DomainError
from ideaboard.services.campaigns import reassign_campaign
from ideaboard.web.admin import bp


def owner_form(**kwargs) -> CampaignOwnerForm:
    form = CampaignOwnerForm(**kwargs)
    form.owner.choices = [SelectChoice(u.id, u.display_name) for u in leader_choices()]
    return form


@bp.get("/campaigns")
def campaigns():
    return render_template("admin/campaigns.html", form=owner_form(formdata=None),
                           page=admin_campaigns(request.args.get("after"),
                                                current_app.config["PAGE_SIZE"]))


@bp.post("/campaigns/<slug>/owner")
def campaign_owner(slug: str):
    campaign = campaign_by_slug(slug)
    if campaign is None:
        abort(404)
    form = owner_form()
    if not form.validate_on_submit():
        flash(_("Choose the new owner from the list."), "warning")
        return redirect(url_for("admin.campaigns"))
    try:
        reassign_campaign(current_user, campaign, db.session.get(User, form.owner.data),
                          form.reason.data or "")
    except DomainError as refused:
        flash(str(refused), "warning")
    else:
        flash(_("The campaign has a new owner."), "success")
    return redirect(url_for("admin.campaigns"))
