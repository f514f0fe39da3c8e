"""`gunicorn -c gunicorn.conf.py wsgi:app` in a checkout. The settings live in the package,
so an installed wheel has them too: `gunicorn -c python:ideaboard.gunicorn_conf
ideaboard.wsgi:app` (deploy/systemd/ideaboard-web.service)."""
from ideaboard.gunicorn_conf import *  # noqa: F403
