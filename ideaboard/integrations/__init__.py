"""Ideaboard where people already work (issue 20): webhook events (`events.emit`, the one
way any service announces something), the message each chat tool expects (`formats`), the
signatures (`signing`), the webhook outbox worker (`webhooks`) and the SCIM mapping
(`scim`). Nothing here imports the web layer."""
