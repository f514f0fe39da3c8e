"""The ceiling of our stack: a bare Flask app under the same gunicorn configuration.

Every benchmark figure is read as a ratio to this one, so the machine's speed (and wrk
sharing its two cores) cancels out.
"""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "hello"
