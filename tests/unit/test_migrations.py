"""The models and the migrations describe the same schema, and migrations run both ways."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from ideaboard.extensions import db
from ideaboard.search.index import alembic_include_name


def schema_differences() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "compare_type": True, "include_name": alembic_include_name})
        return compare_metadata(context, db.metadata)


def test_models_and_migrations_agree(app):
    assert schema_differences() == []


def test_migrations_downgrade_to_nothing_and_back(app):
    downgrade(revision="base")
    db.engine.dispose()
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade(revision="heads")
    db.engine.dispose()
    assert schema_differences() == []


def test_escalation_reasons_are_open(app, factory):
    """0009: new escalation reasons need no migration (no CHECK on escalation.reason)."""
    from datetime import timedelta

    from ideaboard.models import Escalation, EscalationReason
    from ideaboard.models.base import utcnow

    idea = factory.idea()
    db.session.add(Escalation(idea_id=idea.id, reason=EscalationReason.CHALLENGED,
                              due_at=utcnow() + timedelta(days=1)))
    db.session.commit()
    assert db.session.get(Escalation, 1).reason == EscalationReason.CHALLENGED
