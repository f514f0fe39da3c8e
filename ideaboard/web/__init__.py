"""Blueprints, one per area, plus the template helpers they share."""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from ideaboard.web import (
        account,
        admin,
        analytics,
        auth,
        campaigns,
        challenges,
        discovery,
        errors,
        fragments,
        ideas,
        leadership,
        main,
        moderation,
        notifications,
        plans,
        review,
        templating,
    )

    templating.init_templating(app)
    fragments.init_fragments(app)
    errors.register_error_handlers(app)
    for blueprint in (main.bp, auth.bp, ideas.bp, campaigns.bp, review.bp, notifications.bp,
                      account.bp, admin.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(discovery.bp)
    app.register_blueprint(plans.bp)
    app.register_blueprint(moderation.bp)  # flags, notices (issue 7)
    app.register_blueprint(challenges.bp)  # challenges (issue 15)
    app.register_blueprint(leadership.bp)  # leaders' track record (issue 15)
    app.register_blueprint(analytics.bp)  # voice-equity analytics (issue 15)
