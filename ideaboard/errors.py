"""Domain errors: a rule of the product refused an action.

Services and the rule modules (visibility, permissions) raise them; the web layer turns
them into messages, placed beside the form field they name when they name one.
"""
from __future__ import annotations


class DomainError(Exception):
    """str(error) is safe to show the user; `field` names the form field it is about."""

    def __init__(self, message: object = "", *, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotAllowed(DomainError):
    pass


class NotFound(DomainError):
    pass


class InvalidInput(DomainError):
    pass
