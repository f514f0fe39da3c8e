"""Entry point for gunicorn and `flask`: `gunicorn wsgi:app`."""
from ideaboard import create_app

app = create_app()
