"""Audit entries in words: one whole, translatable sentence per action, and details with
their names in the reader's language (the admin's audit log shows these; the stored codes
stay as they are, for filtering and exports)."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

ACTIONS = {
    "campaign.create": _l("%(who)s opened the campaign."),
    "campaign.edit": _l("%(who)s edited the campaign."),
    "campaign.outcome": _l("%(who)s published the campaign’s outcome."),
    "campaign.close": _l("%(who)s closed the campaign early."),
    "campaign.reopen": _l("%(who)s reopened the campaign."),
    "campaign.owner": _l("%(who)s handed the campaign to another owner."),
    "challenge.close": _l("%(who)s closed a challenge to a decision."),
    "critique.answer": _l("%(who)s answered a critique of the plan."),
    "delivery.owner": _l("%(who)s changed who leads the delivery."),
    "department.add": _l("%(who)s added a department."),
    "department.rename": _l("%(who)s renamed a department."),
    "export.create": _l("%(who)s exported data."),
    "funding.create": _l("%(who)s opened a funding round."),
    "funding.edit": _l("%(who)s edited a funding round."),
    "funding.close": _l("%(who)s closed a funding round."),
    "funding.released": _l("%(who)s released the money and people for a funded idea."),
    "funding.declined": _l("%(who)s declined to release the money for a funded idea."),
    "idea.assign": _l("%(who)s assigned the idea to a leader."),
    "idea.escalate": _l("%(who)s brought the idea to leadership."),
    "idea.merge": _l("%(who)s merged the idea into another one."),
    "idea.status": _l("%(who)s changed the idea’s status."),
    "invite.create": _l("%(who)s created an invitation."),
    "plan.publish": _l("%(who)s published the plan."),
    "plan.replace": _l("%(who)s replaced the plan’s text."),
    "plan.retitle": _l("%(who)s renamed the plan."),
    "plan.section_add": _l("%(who)s added a section to the plan."),
    "plan.section_edit": _l("%(who)s edited a section of the plan."),
    "plan.section_delete": _l("%(who)s deleted a section of the plan."),
    "plan.criterion_add": _l("%(who)s added a rating criterion to the plan."),
    "plan.criterion_remove": _l("%(who)s removed a rating criterion from the plan."),
    "plan.criterion_restore": _l("%(who)s restored a rating criterion of the plan."),
    "settings.escalation_rule": _l("%(who)s changed the escalation rule."),
    "settings.platform": _l("%(who)s changed the platform settings."),
    "user.created_by_sso": _l("%(who)s: an account was created at the first single sign-on."),
    "user.role": _l("%(who)s changed the person’s role or department."),
    "user.role_from_sso": _l("%(who)s: the role was set by single sign-on."),
    "user.suspend": _l("%(who)s suspended the account."),
    "user.unsuspend": _l("%(who)s lifted the suspension."),
    "user.deactivate": _l("%(who)s deactivated the account."),
    "user.reactivate": _l("%(who)s reactivated the account."),
    "moderation.auto_hide": _l("%(who)s: the post was hidden automatically after enough flags."),
    "moderation.dismiss": _l("%(who)s dismissed the flags on the post."),
    "moderation.hide": _l("%(who)s hid the post."),
    "moderation.restore": _l("%(who)s restored the post."),
    "moderation.delete": _l("%(who)s deleted the post."),
    "moderation.edit": _l("%(who)s edited the post."),
    "anonymity.reveal": _l("%(who)s looked up the author of an anonymous post."),
}

DETAILS = {
    "status": _l("New status"), "merged_into": _l("Merged into"), "winner": _l("Option chosen"),
    "closed": _l("Closed by it"), "closes_at": _l("Closes"), "planned_close": _l("Was to close"),
    "owner": _l("New owner"), "previous_owner": _l("Previous owner"), "role": _l("Role"),
    "name": _l("Name"), "before": _l("Before"), "email": _l("E-mail"), "until": _l("Until"),
    "campaign": _l("Campaign"), "plan": _l("Plan"), "idea": _l("Idea"), "kind": _l("Kind"),
    "flags": _l("Flags"), "votes_moved": _l("Votes moved"), "comments_moved": _l("Comments moved"),
    "votes_dropped": _l("Duplicate votes dropped"), "sections": _l("Sections"),
    "heading": _l("Heading"), "label": _l("Criterion"), "dataset": _l("Data"),
    "file_format": _l("Format"), "rows": _l("Rows"), "valid_days": _l("Valid for (days)"),
    "amount": _l("Amount"), "people_weeks": _l("People-weeks"),
    "min_supporters": _l("Minimum supporters"), "percent": _l("Share of employees, per cent"),
    "min_wilson": _l("Minimum support score"), "sla_days": _l("Days to answer"),
    "min_broad_support": _l("Minimum common-ground score"),
    "escalation_reason": _l("Why it went to leadership"), "anonymity": _l("Anonymity"),
    "pairwise_enabled": _l("Compared two at a time"),
}

STATUSES = {
    "open": _l("open"), "escalated": _l("escalated"), "under_review": _l("under review"),
    "accepted": _l("accepted"), "declined": _l("declined"),
    "needs_info": _l("needs more information"), "merged": _l("merged"),
    "in_progress": _l("in progress"), "done": _l("done"),
}


# Coded values in the details, in words (the statuses above; the rest as the UI names them)
VALUES = {
    "status": STATUSES,
    "kind": {"ideas": _l("Open call for ideas"), "consultation": _l("Consultation"),
             "discussion": _l("Discussion"), "plan_review": _l("Plan review")},
    "anonymity": {"named": _l("Named"), "optional": _l("Optional"),
                  "anonymous_only": _l("Anonymous only")},
    "escalation_reason": {
        "threshold_met": _l("the crowd's support met the escalation rule"),
        "pulled_by_leader": _l("pulled into the queue by a leader"),
        "raised_by_admin": _l("raised by an administrator"),
        "funded": _l("funded by colleagues in a funding round"),
        "challenged": _l("colleagues challenged the decision")},
    "role": {"employee": _l("Employee"), "leader": _l("Leader"), "admin": _l("Administrator")},
}


def audit_sentence(entry) -> str:
    """What happened, as a sentence; an action without one reads as its code."""
    who = entry.actor.display_name if entry.actor else _("The system")
    sentence = ACTIONS.get(entry.action)
    if sentence is None:
        return _("%(who)s: %(action)s", who=who, action=entry.action)
    return str(sentence) % {"who": who}


def audit_details(entry) -> list[tuple[str, str]]:
    """The entry's details as (name, value) in the reader's language; empty ones left out."""
    shown = []
    for key, value in sorted((entry.details or {}).items()):
        if value in (None, "", "None"):
            continue
        if key in VALUES and value in VALUES[key]:
            value = str(VALUES[key][value])
        elif value in ("True", "False"):
            value = _("yes") if value == "True" else _("no")
        label = DETAILS.get(key)
        shown.append((str(label) if label is not None else key.replace("_", " "), value))
    return shown
