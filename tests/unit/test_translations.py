"""Every string the UI can show has a Simplified Chinese translation (Chinese-speaking staff
are first-class users): the catalog is extracted from the code and templates as
`make messages` extracts it, and each message must be in the zh catalog, translated and not
fuzzy."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "ideaboard" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
METHODS = [("ideaboard/**.py", "python"), ("templates/**.html", "jinja2"),  # as babel.cfg
           ("templates/**.txt", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None,
            "_l": None, "pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3)}


def source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT, METHODS, keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_ui_string_has_a_chinese_translation():
    with CATALOG.open("rb") as po:
        catalog = read_po(po, locale="zh")
    translated = {message.id[0] if isinstance(message.id, tuple) else message.id
                  for message in catalog
                  if message.id and not message.fuzzy and (
                      all(message.string) if isinstance(message.string, tuple)
                      else message.string)}
    missing = sorted(source_messages() - translated)
    assert not missing, f"{len(missing)} untranslated, e.g. {missing[:10]}"
