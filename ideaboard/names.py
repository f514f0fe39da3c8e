"""Names the platform seeds, in the reader's language.

People write department names and campaign titles in their own language, and those are
shown as written. The names the platform itself seeds (the demo company's departments) are
the platform's words: they go through the catalog, so a Chinese reader sees 市场部, not
"Marketing". A department an admin renamed or added is shown as written.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

SEEDED_DEPARTMENTS = {
    "Product Development": _l("Product Development"),
    "Marketing": _l("Marketing"),
    "Sales": _l("Sales"),
    "Operations": _l("Operations"),
    "Finance": _l("Finance"),
    "People & Culture": _l("People & Culture"),
}


def department_name(name: str | None) -> str:
    """A department's name for this reader: a seeded name translated, others as written."""
    if not name:
        return name or ""
    seeded = SEEDED_DEPARTMENTS.get(name)
    return str(seeded) if seeded is not None else name
