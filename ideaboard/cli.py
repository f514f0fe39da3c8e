"""`flask --app ideaboard …` commands for operators."""
from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import with_appcontext

from ideaboard.models import Role
from ideaboard.search.commands import reindex
from ideaboard.services import DomainError


def register_commands(app: Flask) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(reindex)
    app.cli.add_command(seed_demo)
    app.cli.add_command(demo_logins)
    app.cli.add_command(send_mail)
    app.cli.add_command(send_webhooks)  # integrations (issue 20)
    app.cli.add_command(run_scheduled)
    app.cli.add_command(backup)  # issue 7
    app.cli.add_command(fit_broad_support)  # collective wisdom (issue 16)
    app.cli.add_command(refresh_analytics)  # issue 15


@click.command("create-admin")
@click.option("--email", prompt=True, help="The administrator's e-mail address.")
@click.option("--name", "display_name", prompt="Display name", help="Name shown to colleagues.")
@click.password_option(help="At least 10 characters; prompted for when omitted.")
@with_appcontext
def create_admin(email: str, display_name: str, password: str) -> None:
    """Create an administrator account (works whatever the sign-up domains are)."""
    from ideaboard.services.accounts import MIN_PASSWORD_LENGTH, create_user

    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    try:
        user = create_user(email=email, password=password, display_name=display_name,
                           role=Role.ADMIN)
    except DomainError as refused:
        raise click.ClickException(str(refused)) from refused
    click.echo(f"Administrator {user.email} created.")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) if users exist.")
@with_appcontext
def seed_demo(if_empty: bool) -> None:
    """Fill an empty database with a demo company: ~60 people, 80 ideas, votes, comments."""
    from ideaboard.services import demo

    if if_empty and demo.has_content():
        click.echo("Demo data: the database already has users; left as it is.")
        return
    try:
        counts = demo.seed_demo()
    except DomainError as refused:
        raise click.ClickException(str(refused)) from refused
    click.echo("Demo data created: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


@click.command("demo-logins")
def demo_logins() -> None:
    """Print the demo accounts' e-mail addresses and password."""
    from ideaboard.services.demo import demo_logins as logins

    click.echo(f"Demo sign-ins (password for all: {logins()[0][2]}):")
    for role, email, _password in logins():
        click.echo(f"  {role:<9} {email}")


@click.command("send-mail")
@click.option("--loop", is_flag=True, help="Keep running, sending every --interval seconds.")
@click.option("--interval", default=30, show_default=True, help="Seconds between rounds.")
@click.option("--limit", default=100, show_default=True, help="Messages per round.")
@with_appcontext
def send_mail(loop: bool, interval: int, limit: int) -> None:
    """Send queued e-mail over SMTP (MAIL_SERVER). Safe from cron or as a loop, on several
    hosts at once: on PostgreSQL one sender at a time holds an advisory lock (the others skip
    the round), each message is claimed before it is sent, and failures are retried with
    back-off."""
    from ideaboard.database import single_runner
    from ideaboard.services.mail import send_pending

    while True:
        with single_runner("send-mail") as mine:
            report = send_pending(limit=limit) if mine else None
        if report is None:
            if not loop:
                click.echo("skipped: another host is sending the e-mail right now")
        elif report.sent or report.failed or not loop:
            click.echo(f"sent {report.sent}, failed {report.failed} (will be retried)")
        if not loop:
            return
        time.sleep(interval)


@click.command("send-webhooks")
@click.option("--loop", is_flag=True, help="Keep running, sending every --interval seconds.")
@click.option("--interval", default=10, show_default=True, help="Seconds between rounds.")
@click.option("--limit", default=50, show_default=True, help="Deliveries per round.")
@with_appcontext
def send_webhooks(loop: bool, interval: int, limit: int) -> None:
    """Deliver queued webhook events (generic signed JSON, Feishu/Lark, DingTalk, WeCom, Slack,
    Teams). Safe from cron or as a loop, on several hosts at once: on PostgreSQL one sender at
    a time holds an advisory lock (the others skip the round), each delivery is claimed
    before it is sent, and failures are retried with back-off (about a day, then marked
    failed for an administrator to resend)."""
    from ideaboard.database import single_runner
    from ideaboard.integrations.webhooks import send_pending

    while True:
        with single_runner("send-webhooks") as mine:
            report = send_pending(limit=limit) if mine else None
        if report is None:
            if not loop:
                click.echo("skipped: another host is sending the webhooks right now")
        elif report.sent or report.failed or not loop:
            click.echo(f"delivered {report.sent}, failed {report.failed} (will be retried)")
        if not loop:
            return
        time.sleep(interval)


@click.command("run-scheduled")
@click.option("--skip-broad-support", is_flag=True,
              help="Leave out the broad-support fit (run fit-broad-support on its own).")
@with_appcontext
def run_scheduled(skip_broad_support: bool) -> None:
    """Hourly jobs (systemd timer or cron): close funding rounds that are due (dividing their
    pools), tell owners about overdue queue items and stalled deliveries, queue daily
    digests, end challenges whose window has passed, announce campaigns that opened or
    closed to webhooks, refresh the participation analytics,
    refit the broad-support ("common ground") scores. Safe on several hosts: on PostgreSQL
    one runner holds an advisory lock and the others skip."""
    from ideaboard.database import single_runner
    from ideaboard.services.analytics import refresh_participation
    from ideaboard.services.broad_support import refresh_broad_support
    from ideaboard.services.challenges import end_stale_challenges
    from ideaboard.services.delivery import notify_stalled
    from ideaboard.services.funding import close_due_rounds
    from ideaboard.services.notifications import notify_overdue, queue_digest_due
    from ideaboard.services.webhooks import announce_campaigns

    with single_runner("run-scheduled") as mine:
        if not mine:
            click.echo("skipped: another host is running the scheduled jobs")
            return
        closed = close_due_rounds()
        overdue = notify_overdue()
        stalled = notify_stalled()
        digests = queue_digest_due()
        ended = end_stale_challenges()
        announced = announce_campaigns()
        refresh_participation()
        click.echo(f"funding rounds closed: {closed}, overdue notices: {overdue}, "
                   f"stalled deliveries: {stalled}, digests queued: {digests}, "
                   f"challenges ended: {ended}, campaigns opened or closed: {announced}, "
                   f"participation analytics refreshed")
        if not skip_broad_support:
            click.echo(f"broad support: {refresh_broad_support().summary()}")


@click.command("fit-broad-support")
@with_appcontext
def fit_broad_support() -> None:
    """Refit every idea's broad-support ("common ground") score from all votes.

    A one-factor matrix factorisation in the style of Community Notes: the score is high
    only when colleagues whose views usually differ support an idea (README, "Common
    ground"). Ideas with fewer than 5 votes get no score. Votes are read in chunks and the
    model is fitted outside any transaction; scores are written back in short batches, so
    the app keeps taking votes meanwhile. Also part of run-scheduled (hourly).
    """
    from ideaboard.services.broad_support import refresh_broad_support

    click.echo(refresh_broad_support().summary())


@click.command("refresh-analytics")
@click.option("--full", is_flag=True, help="Rebuild all history, not only recent quarters.")
@with_appcontext
def refresh_analytics(full: bool) -> None:
    """Rebuild the participation rollup behind the voice-equity analytics (hourly by
    run-scheduled; --full after importing or restoring data)."""
    from ideaboard.services.analytics import refresh_participation

    rows = refresh_participation(full=full)
    click.echo(f"participation rows written: {rows}")


# --- backup (issue 7) ----------------------------------------------------------------------

@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@with_appcontext
def backup(path: str, force: bool) -> None:
    """Back up the SQLite database to PATH while the app keeps serving.

    Uses SQLite's online backup API (one consistent snapshot, never a file copy), checks
    the copy with PRAGMA integrity_check, then moves it into place. On PostgreSQL it only
    explains how to use pg_dump, and exits with status 1.
    """
    from flask import current_app

    from ideaboard.services.backup import BackupError, backup_sqlite, sqlite_file

    try:
        source = sqlite_file(current_app.config["SQLALCHEMY_DATABASE_URI"])
        report = backup_sqlite(source, path, overwrite=force)
    except BackupError as refused:
        raise click.ClickException(str(refused)) from refused
    click.echo(f"Backed up {source} to {report.path}: {report.pages} pages, "
               f"{report.size_bytes} bytes, integrity {report.integrity}.")
