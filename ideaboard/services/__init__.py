"""Use cases: one function per thing a user does; each owns its transaction.

Services raise DomainError subclasses (ideaboard/errors.py); the web layer turns them into
messages.
"""
from ideaboard.errors import DomainError, InvalidInput, NotAllowed, NotFound

__all__ = ["DomainError", "InvalidInput", "NotAllowed", "NotFound"]
