"""Use cases: one function per thing a user does; each owns its transaction.

Services raise DomainError subclasses; the web layer turns them into messages.
"""


class DomainError(Exception):
    """A rule of the product refused the action; str(error) is safe to show the user."""


class NotAllowed(DomainError):
    pass


class NotFound(DomainError):
    pass


class InvalidInput(DomainError):
    pass
