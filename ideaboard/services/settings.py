"""Platform settings admins change in the web UI, and the values the app actually uses.

Every setting here lives in the single `site_settings` row. An empty value means "use the
configuration" (config.py, instance/config.py or IDEABOARD_* variables), so a fresh install
behaves exactly as configured until an admin decides otherwise. The SMTP password is never
stored in the database: it stays in the configuration or the environment.
"""
from __future__ import annotations

import re
from collections import ChainMap
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from limits import parse_many
from sqlalchemy.orm import Session

from ideaboard.database import write_transaction
from ideaboard.extensions import db
from ideaboard.models import SiteSettings, User
from ideaboard.models.base import utcnow
from ideaboard.permissions import is_admin
from ideaboard.services import InvalidInput, NotAllowed
from ideaboard.services.audit import record

RATE_LIMITED_ACTIONS = ("login", "signup", "post", "comment", "vote", "flag")
DEFAULT_FLAG_RATE_LIMIT = "30 per hour"  # RATELIMIT_FLAG in the configuration overrides it
DEFAULT_FLAG_THRESHOLD = 3
DEFAULT_SMALL_GROUP_MINIMUM = 5  # SPEC "Anonymity": never a group smaller than 5
DEFAULT_ANONYMITY_WINDOW_MINUTES = 60
ANONYMITY_WINDOW_RANGE = (15, 24 * 60)  # minutes an admin may choose
DEFAULT_CHALLENGE_COSIGNERS = 10  # challenges (issue 15): co-signers that reopen a decision
DEFAULT_CHALLENGE_WINDOW_DAYS = 30  # and the days they have to gather
SMTP_SECURITY = ("starttls", "ssl", "none")
_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_SEPARATORS = re.compile(r"[\s,;，、]+")


def _row(session: Session | None = None) -> SiteSettings | None:
    return (session or db.session).get(SiteSettings, 1)


def configured_rate_limit(action: str) -> str:
    """The configuration's limit for an action: what an empty setting falls back to."""
    default = DEFAULT_FLAG_RATE_LIMIT if action == "flag" else None
    return current_app.config.get(f"RATELIMIT_{action.upper()}", default)


def rate_limit(action: str) -> str:
    """The limit in force for `action` ("login", "vote", …): the admin's value, else config.

    Called by Flask-Limiter on each limited request (`limiter.limit(lambda: rate_limit(…))`).
    """
    settings = _row()
    value = getattr(settings, f"ratelimit_{action}", None) if settings else None
    return value or configured_rate_limit(action)


def signup_domains() -> list[str]:
    settings = _row()
    if settings is not None and settings.allowed_signup_domains:
        return parse_domains(settings.allowed_signup_domains)
    return list(current_app.config["ALLOWED_SIGNUP_DOMAINS"])


def flag_threshold(session: Session | None = None) -> int:
    settings = _row(session)
    return settings.flag_threshold if settings else DEFAULT_FLAG_THRESHOLD


def small_group_minimum() -> int:
    """Smallest group a breakdown may show; never below the anonymity rule's 5."""
    settings = _row()
    value = settings.small_group_minimum if settings else DEFAULT_SMALL_GROUP_MINIMUM
    return max(value, DEFAULT_SMALL_GROUP_MINIMUM)


def read_requires_sign_in() -> bool:
    """An internal platform: reading needs sign-in unless an admin opens it up."""
    settings = _row()
    return True if settings is None else bool(settings.read_requires_sign_in)


def anonymity_window(session: Session | None = None) -> timedelta:
    """How finely an anonymous post's timing may be known (ideaboard/anonymity.py)."""
    settings = _row(session)
    minutes = (settings.anonymity_window_minutes if settings
               else DEFAULT_ANONYMITY_WINDOW_MINUTES)
    return timedelta(minutes=minutes)
def stalled_after_days() -> int:
    """Days without a progress update before a delivery is marked stalled (issue 14)."""
    settings = _row()
    value = settings.stalled_after_days if settings else None
    return value or current_app.config["DELIVERY_STALLED_DAYS"]
@dataclass(frozen=True)
class ChallengeRule:
    """How many co-signers reopen a decision (a number, or a share of active employees
    when `percent` is set), and within how many days of the challenge."""
    min_cosigners: int = DEFAULT_CHALLENGE_COSIGNERS
    percent: float | None = None
    window_days: int = DEFAULT_CHALLENGE_WINDOW_DAYS


def challenge_rule(session: Session | None = None) -> ChallengeRule:
    settings = _row(session)
    if settings is None:
        return ChallengeRule()
    return ChallengeRule(settings.challenge_min_cosigners,
                         settings.challenge_min_cosigners_percent,
                         settings.challenge_window_days)


def track_record_leaders_only() -> bool:
    """Leaders' track record is open to every signed-in employee unless an admin restricts it."""
    settings = _row()
    return bool(settings and settings.track_record_leaders_only)


def mail_config() -> Mapping:
    """The app configuration with the admin's SMTP settings laid over it."""
    settings = _row()
    overrides: dict = {}
    if settings is not None:
        if settings.smtp_host:
            overrides["MAIL_SERVER"] = settings.smtp_host
        if settings.smtp_port:
            overrides["MAIL_PORT"] = settings.smtp_port
        if settings.smtp_security:
            overrides["MAIL_USE_TLS"] = settings.smtp_security == "starttls"
            overrides["MAIL_USE_SSL"] = settings.smtp_security == "ssl"
        if settings.smtp_username:
            overrides["MAIL_USERNAME"] = settings.smtp_username
        if settings.smtp_from:
            overrides["MAIL_FROM"] = settings.smtp_from
    return ChainMap(overrides, current_app.config)


def parse_domains(raw: str) -> list[str]:
    return [d.lower().lstrip("@") for d in _SEPARATORS.split(raw.strip()) if d]


@dataclass
class PlatformSettings:
    """The values of the settings form; None (or "") means "use the configuration"."""
    allowed_signup_domains: str | None = None
    flag_threshold: int = DEFAULT_FLAG_THRESHOLD
    small_group_minimum: int = DEFAULT_SMALL_GROUP_MINIMUM
    ratelimit_login: str | None = None
    ratelimit_signup: str | None = None
    ratelimit_post: str | None = None
    ratelimit_comment: str | None = None
    ratelimit_vote: str | None = None
    ratelimit_flag: str | None = None
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_security: str | None = None
    smtp_username: str | None = None
    smtp_from: str | None = None
    read_requires_sign_in: bool = True
    anonymity_window_minutes: int = DEFAULT_ANONYMITY_WINDOW_MINUTES
    stalled_after_days: int | None = None  # funding and delivery (issue 14)
    # challenges and the track record (issue 15); an empty number means its default
    challenge_min_cosigners: int | None = DEFAULT_CHALLENGE_COSIGNERS
    challenge_min_cosigners_percent: float | None = None
    challenge_window_days: int | None = DEFAULT_CHALLENGE_WINDOW_DAYS
    track_record_leaders_only: bool = False

    @classmethod
    def from_row(cls, row: SiteSettings) -> PlatformSettings:
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})


def current_platform_settings() -> PlatformSettings:
    row = _row()
    return PlatformSettings.from_row(row) if row else PlatformSettings()


def validate_platform_settings(values: PlatformSettings) -> PlatformSettings:
    """Normalise the values, or raise InvalidInput naming the first one that is wrong."""
    clean = PlatformSettings(**{k: (v.strip() or None) if isinstance(v, str) else v
                                for k, v in asdict(values).items()})
    if clean.allowed_signup_domains:
        domains = parse_domains(clean.allowed_signup_domains)
        wrong = [d for d in domains if not _DOMAIN.match(d)]
        if wrong:
            raise InvalidInput(_l("“%(domain)s” is not a domain name such as example.com.",
                                  domain=wrong[0][:60]))
        clean.allowed_signup_domains = ", ".join(dict.fromkeys(domains))
    if not 1 <= clean.flag_threshold <= 100:
        raise InvalidInput(_l("The flag threshold must be between 1 and 100."))
    if not DEFAULT_SMALL_GROUP_MINIMUM <= clean.small_group_minimum <= 1000:
        raise InvalidInput(_l("The smallest group shown must be at least %(n)d, so that "
                              "nobody can be identified.", n=DEFAULT_SMALL_GROUP_MINIMUM))
    for action in RATE_LIMITED_ACTIONS:
        value = getattr(clean, f"ratelimit_{action}")
        if value:
            try:
                parse_many(value)
            except ValueError:
                raise InvalidInput(_l("“%(value)s” is not a rate limit: write it like "
                                      "“10 per minute” or “100/hour”.", value=value[:60])
                                   ) from None
    if clean.anonymity_window_minutes is None:
        clean.anonymity_window_minutes = DEFAULT_ANONYMITY_WINDOW_MINUTES
    low, high = ANONYMITY_WINDOW_RANGE
    if not low <= clean.anonymity_window_minutes <= high:
        raise InvalidInput(_l("The anonymity window must be between %(low)d and %(high)d "
                              "minutes.", low=low, high=high), field="anonymity_window_minutes")
    if clean.smtp_port is not None and not 1 <= clean.smtp_port <= 65535:
        raise InvalidInput(_l("The SMTP port must be between 1 and 65535."))
    if clean.smtp_security and clean.smtp_security not in SMTP_SECURITY:
        raise InvalidInput(_l("Choose how to secure the SMTP connection."))
    if clean.stalled_after_days is not None and not 1 <= clean.stalled_after_days <= 365:
        raise InvalidInput(_l("A delivery is marked stalled after 1 to 365 days without an "
                              "update."))
    _validate_challenge_settings(clean)
    return clean


def _validate_challenge_settings(clean: PlatformSettings) -> None:
    """Challenges (issue 15): empty numbers fall back to their defaults."""
    if clean.challenge_min_cosigners is None:
        clean.challenge_min_cosigners = DEFAULT_CHALLENGE_COSIGNERS
    if clean.challenge_window_days is None:
        clean.challenge_window_days = DEFAULT_CHALLENGE_WINDOW_DAYS
    if clean.challenge_min_cosigners_percent is not None:
        clean.challenge_min_cosigners_percent = float(clean.challenge_min_cosigners_percent)
    clean.track_record_leaders_only = bool(clean.track_record_leaders_only)
    if not 1 <= clean.challenge_min_cosigners <= 100_000:
        raise InvalidInput(_l("A challenge needs between 1 and 100,000 co-signers."))
    if clean.challenge_min_cosigners_percent is not None and not (
            0 < clean.challenge_min_cosigners_percent <= 100):
        raise InvalidInput(_l("The share of active employees must be more than 0 and at most "
                              "100 percent."))
    if not 1 <= clean.challenge_window_days <= 365:
        raise InvalidInput(_l("Give challenges between 1 and 365 days to gather co-signers."))


def update_platform_settings(admin: User, values: PlatformSettings) -> list[str]:
    """Save the settings; one audit entry lists every change. Returns the changed names."""
    if not is_admin(admin):
        raise NotAllowed(_l("Only administrators can change settings."))
    clean = validate_platform_settings(values)
    with write_transaction() as session:
        row = _row(session)
        before = PlatformSettings.from_row(row)
        changes = {name: (getattr(before, name), new)
                   for name, new in asdict(clean).items() if getattr(before, name) != new}
        if not changes:
            return []
        for name, (_old, new) in changes.items():
            setattr(row, name, new)
        row.updated_at, row.updated_by_id = utcnow(), admin.id
        record(session, admin, "settings.platform", "settings", "platform",
               **{name: f"{old} → {new}" for name, (old, new) in changes.items()})
    return sorted(changes)
