"""The WSGI application of an installed Ideaboard: `gunicorn ideaboard.wsgi:app`."""
from ideaboard import create_app

app = create_app()
