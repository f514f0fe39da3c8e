"""Flask extensions, created unbound and attached in create_app()."""
import os

from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
cache = Cache()  # rendered fragments (ideaboard/web/fragments.py)


def by_address() -> str:
    """Sign-in, sign-up and e-mailed links are limited per client address (behind a reverse
    proxy that is the address ProxyFix took from X-Forwarded-For; see PROXY_FIX_HOPS)."""
    return get_remote_address()


def by_person() -> str:
    """Everything else is limited per signed-in person, wherever they connect from, so a
    whole office behind one proxy address is not limited as one; visitors by address."""
    if current_user and current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"address:{get_remote_address()}"


limiter = Limiter(key_func=by_person)
talisman = Talisman()
bootstrap = Bootstrap5()


def warn_if_rate_limits_are_per_process(app) -> None:
    """Log a warning at start-up when limits are kept in memory:// where several processes
    serve: each gunicorn worker would count on its own, multiplying every limit by the
    number of workers. Set RATELIMIT_STORAGE_URI=redis://… to share them."""
    storage = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    if not storage.startswith("memory://") or not app.config.get("RATELIMIT_ENABLED", True):
        return
    try:
        workers = int(os.environ.get("WEB_CONCURRENCY") or 1)
    except ValueError:
        workers = 1
    under_gunicorn = os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn")
    if app.config.get("ENV_NAME") == "production" or under_gunicorn or workers > 1:
        app.logger.warning(
            "Rate limits are kept in memory:// storage, so every worker process counts on its "
            "own and the limits are not shared. Set IDEABOARD_RATELIMIT_STORAGE_URI to a "
            "shared store such as redis://127.0.0.1:6379/0.")
