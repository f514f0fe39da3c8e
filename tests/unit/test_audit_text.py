"""Audit entries in words: coded detail values (kinds, anonymity policies, escalation
reasons, roles, statuses) are shown as the UI names them, in the reader's language."""
from __future__ import annotations

from types import SimpleNamespace

from ideaboard.audit_text import audit_details, audit_sentence

ENTRY = SimpleNamespace(
    action="campaign.create", actor=SimpleNamespace(display_name="王芳"),
    details={"kind": "consultation", "anonymity": "anonymous_only", "role": "leader",
             "escalation_reason": "pulled_by_leader", "status": "needs_info",
             "merged_into": None, "closed": "True"})
CODES = ("consultation", "anonymous_only", "pulled_by_leader", "needs_info", "leader", "True")


def test_details_read_as_words_in_english(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        details = dict(audit_details(ENTRY))
        assert details == {"Kind": "Consultation", "Anonymity": "Anonymous only",
                           "Role": "Leader", "Why it went to leadership":
                           "pulled into the queue by a leader", "New status":
                           "needs more information", "Closed by it": "yes"}
        assert audit_sentence(ENTRY) == "王芳 opened the campaign."


def test_details_read_as_words_in_chinese(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN,zh;q=0.9"}):
        shown = " ".join(f"{name} {value}" for name, value in audit_details(ENTRY))
        assert not any(code in shown for code in CODES), shown
        assert "仅匿名" in shown and "领导" in shown
