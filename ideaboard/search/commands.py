"""`flask --app ideaboard reindex`."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("reindex")
@with_appcontext
def reindex() -> None:
    """Rebuild the search index from ideas, comments, campaigns, plans and critiques.

    New and edited content is indexed as it is written; run this after importing data with
    SQL, after restoring a backup, after upgrading a database that already held ideas when
    search was added, or whenever results look stale. It runs in one transaction: pages keep
    loading, and writes wait until it finishes.
    """
    from ideaboard.search.index import rebuild_index

    counts = rebuild_index()
    click.echo("Search index rebuilt: "
               + ", ".join(f"{count} {doc_type} documents" for doc_type, count in counts.items()))
