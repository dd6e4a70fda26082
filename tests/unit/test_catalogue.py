"""The English catalogue cannot drift from the code: Babel's extraction (the project's
`babel.cfg`, as `make messages` runs it) over the templates and `server/` finds exactly the
msgids of `messages.po`, each with an English translation whose placeholders match."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from mitwirken.server.web import i18n

ROOT = Path(__file__).resolve().parents[2]


def extracted() -> set[str]:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map):
        found.add(message if isinstance(message, str) else message[0])
    return found


def catalogue():
    with i18n.catalogue_path("en").open("rb") as po:
        return read_po(po, locale="en")


def test_extraction_sees_templates_and_python():
    found = extracted()
    assert "Engagement-Angebote" in found  # base.html
    assert any(m.startswith("Diese Sprache gibt es hier nicht") for m in found)  # language.py


def test_every_msgid_has_an_english_translation_and_none_is_stale():
    found, cat = extracted(), catalogue()
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in cat if m.id}
    untranslated = sorted(m.id for m in cat if m.id and (
        m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string])))
    assert not sorted(found - ids), f"not in messages.po (run `make messages`): {found - ids}"
    assert not sorted(ids - found), f"stale in messages.po (run `make messages`): {ids - found}"
    assert not untranslated, f"no English translation yet: {untranslated}"


def test_translations_keep_their_placeholders():
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalogue().check()]
    assert not problems


def test_the_catalogue_translates_in_memory():
    en, de = i18n.translations("en"), i18n.translations("de")
    assert en.gettext("Engagement-Angebote") == "Volunteer opportunities"
    assert de.gettext("Engagement-Angebote") == "Engagement-Angebote"
    assert not list((ROOT / "server" / "web" / "locale").rglob("*.mo"))  # nothing compiled


def test_translations_keep_their_brace_fields():
    """Validation messages are `str.format` templates (`{max_length}`): the same fields."""
    fields = re.compile(r"\{(\w*)\}")
    wrong = [m.id for m in catalogue() if isinstance(m.id, str) and m.id
             and set(fields.findall(m.id)) != set(fields.findall(m.string))]
    assert not wrong
