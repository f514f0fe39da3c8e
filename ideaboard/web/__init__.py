"""Blueprints, one per area, plus the template helpers they share."""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from ideaboard.web import (
        access,
        account,
        admin,
        analytics,
        auth,
        campaigns,
        challenges,
        delivery,
        discovery,
        errors,
        fragments,
        funding,
        ideas,
        leadership,
        main,
        moderation,
        notifications,
        ops,
        pairwise,
        plans,
        review,
        sso,
        templating,
    )
    from ideaboard.web.api import bp as api_bp  # integrations (issue 20)
    from ideaboard.web.api.auth import install_token_authentication
    from ideaboard.web.arguments import install_integer_converter, install_nul_refusal
    from ideaboard.web.scim import bp as scim_bp

    install_nul_refusal(app)  # first: no NUL reaches a token lookup, the gate or a view
    access.init_read_gate(app)
    install_integer_converter(app)  # before any route: every <int:…> is bounded
    templating.init_templating(app)
    fragments.init_fragments(app)
    errors.register_error_handlers(app)
    for blueprint in (main.bp, auth.bp, ideas.bp, campaigns.bp, review.bp, notifications.bp,
                      account.bp, admin.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(discovery.bp)
    app.register_blueprint(plans.bp)
    app.register_blueprint(moderation.bp)  # flags, notices (issue 7)
    sso.init_sso(app)  # single sign-on, when configured (issue 19)
    app.register_blueprint(sso.bp)
    app.register_blueprint(ops.bp)  # /healthz and /readyz (issue 19)
    app.register_blueprint(pairwise.bp)  # comparing ideas two at a time (issue 16)
    app.register_blueprint(funding.bp)  # funding rounds (issue 14)
    app.register_blueprint(delivery.bp)  # pledges, teams, delivery (issue 14)
    app.register_blueprint(challenges.bp)  # challenges (issue 15)
    app.register_blueprint(leadership.bp)  # leaders' track record (issue 15)
    app.register_blueprint(analytics.bp)  # voice-equity analytics (issue 15)
    app.register_blueprint(api_bp)  # the JSON API (issue 20)
    app.register_blueprint(scim_bp)  # directory sync (issue 20)
    install_token_authentication(app, api_bp, scim_bp)
