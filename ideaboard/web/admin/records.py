"""The audit log (filtered, keyset-paged) and exports only their maker can download."""
from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ideaboard.forms.admin import AuditFilterForm, ExportForm
from ideaboard.models import ExportDataset, ExportFormat
from ideaboard.queries.admin import AuditFilter, audit_actions, audit_log, audit_target_types
from ideaboard.services.exports import create_export, exports_of, owned_export
from ideaboard.web.admin import bp, private
from ideaboard.web.arguments import query_int


@bp.get("/audit")
def audit():
    form = AuditFilterForm(request.args)
    form.action.choices = [SelectChoice("", _("Any"))] + [
        SelectChoice(prefix, prefix + "*") for prefix in sorted(
            {a.split(".")[0] + "." for a in audit_actions()})] + [
        SelectChoice(a, a) for a in audit_actions()]
    form.target_type.choices = [SelectChoice("", _("Any"))] + [
        SelectChoice(t, t) for t in audit_target_types()]
    filters = AuditFilter(
        actor=form.actor.data or "", action=form.action.data or "",
        target_type=form.target_type.data or "", target_id=form.target_id.data or "",
        since=form.since.data, until=form.until.data) if form.validate() else AuditFilter()
    page = audit_log(filters, before=query_int("before"))
    return render_template("admin/audit.html", form=form, page=page)


@bp.route("/exports", methods=["GET", "POST"])
def exports():
    form = ExportForm()
    if form.validate_on_submit():
        export = create_export(current_user, ExportDataset(form.dataset.data),
                               ExportFormat(form.file_format.data))
        flash(ngettext("Export ready: %(num)d row.", "Export ready: %(num)d rows.",
                       export.row_count), "success")
        return redirect(url_for("admin.exports"))
    return private(render_template("admin/exports.html", form=form,
                                    exports=exports_of(current_user)))


@bp.get("/exports/<token>")
def export_download(token: str):
    """Only the admin who made an export can fetch it; for anyone else it does not exist."""
    export = owned_export(token, current_user)
    if export is None:
        abort(404)
    response = make_response(export.content)
    response.headers["Content-Type"] = ("text/csv; charset=utf-8"
                                        if export.file_format == ExportFormat.CSV
                                        else "application/json; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return private(response)
