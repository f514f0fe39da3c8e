"""Health checks for load balancers and orchestrators: `/healthz` says the process answers,
`/readyz` that it can serve (database reachable, schema migrated to the head revision).

Both are plain JSON, need no sign-in, set no cookie and are not rate-limited.
"""
from __future__ import annotations

from flask import Blueprint, jsonify

from ideaboard.extensions import limiter
from ideaboard.queries.health import database_readiness
from ideaboard.web.access import public

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
@public
@limiter.exempt
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
@public
@limiter.exempt
def readyz():
    readiness = database_readiness()
    body = {"status": "ok" if readiness.ready else "unavailable",
            "database": readiness.database, "migrations": readiness.migrations}
    return jsonify(body), 200 if readiness.ready else 503
