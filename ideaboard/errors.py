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


class Gone(NotFound):
    """Not there for this viewer at all (no such item, or hidden from them): a page answers
    404, where a deleted or merged idea's refusal is a message on its still readable page."""


class InvalidInput(DomainError):
    pass
