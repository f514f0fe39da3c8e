"""The append-only audit log. There is deliberately no function to edit or delete entries."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ideaboard.models import AuditEntry, User


def record(session: Session, actor: User | None, action: str, target_type: str,
           target_id: object, *, reason: str = "", **details) -> AuditEntry:
    """Add an entry inside the caller's transaction, so the act and its record commit together."""
    entry = AuditEntry(actor_id=actor.id if actor else None, action=action,
                       target_type=target_type, target_id=str(target_id), reason=reason,
                       details={k: (str(v) if v is not None else None) for k, v in details.items()})
    session.add(entry)
    return entry
