"""Ideaboard: an employee voice and idea-democratization platform."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from flask import Flask

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent


def app_folders() -> tuple[Path, Path, Path]:
    """Templates, static files and the instance folder, in a checkout or an installed wheel.

    The repository keeps `templates/` and `static/` at its top level; the wheel carries them
    inside the package (see setup.py). An installed wheel keeps its instance folder under
    the environment's prefix (`var/ideaboard-instance`) unless IDEABOARD_INSTANCE_PATH says.
    """
    if (PACKAGE / "templates").is_dir():
        base, instance = PACKAGE, Path(sys.prefix) / "var" / "ideaboard-instance"
    else:
        base, instance = ROOT, ROOT / "instance"
    instance = Path(os.environ.get("IDEABOARD_INSTANCE_PATH") or instance)
    return base / "templates", base / "static", instance


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory: config, extensions, blueprints, CLI — nothing else."""
    templates, static, instance = app_folders()
    app = Flask(__name__, instance_path=str(instance), instance_relative_config=True,
                template_folder=str(templates), static_folder=str(static))

    from ideaboard.config import load_config
    load_config(app, test_config)
    if app.config["PROXY_FIX_HOPS"]:  # client address, scheme and host from the proxy
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_FIX_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_port=hops)

    from ideaboard.logs import configure_logging
    configure_logging(app)

    from ideaboard import database  # noqa: F401  (registers the connection set-up)
    from ideaboard.catalog import install_template_gettext, share_wtforms_catalog
    from ideaboard.extensions import (
        babel,
        bootstrap,
        csrf,
        db,
        limiter,
        login_manager,
        migrate,
        warn_if_rate_limits_are_per_process,
    )
    from ideaboard.web.i18n import select_locale
    from ideaboard.web.security import init_security

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PACKAGE / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)
    share_wtforms_catalog(app)
    limiter.init_app(app)
    warn_if_rate_limits_are_per_process(app)
    bootstrap.init_app(app)
    init_security(app)

    from ideaboard.web import register_blueprints
    register_blueprints(app)

    from ideaboard.cli import register_commands
    register_commands(app)
    return app
