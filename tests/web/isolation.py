"""A test client whose every request runs in its own application context, as in production.

The shared `app` fixture keeps one app context pushed for the whole test, and Flask reuses
an already-pushed context of the same app for each test request. `flask.g` (where
Flask-Login caches the signed-in user and Flask-Babel the locale) and the scoped database
session then survive from one request to the next: after a sign-in, later requests never
read the session cookie again, so logout, suspension or a changed language go unnoticed.
Security tests must see what a browser sees, so they use this client.
"""
from __future__ import annotations

from flask import has_app_context

from ideaboard.extensions import db
from tests.conftest import Client


class IsolatedClient(Client):
    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if has_app_context():
            # End the test's own read transaction so its next query sees what the request
            # wrote (and a later write does not start from a stale SQLite snapshot).
            db.session.commit()
        return response
