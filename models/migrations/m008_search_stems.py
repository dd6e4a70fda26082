"""m008_search_stems: network search over German stems (models/search_analysis.py): the
full-text rows are re-indexed as Snowball stems with the German labels and hashtags of their
vocabulary values; `search_terms` holds stems; `search_words` (each folded word and its stem)
with `search_words_infix` (FTS5 trigram over the words) finds a word inside compounds;
`search_items.last_confirmed` for ranking.

Frozen: never edit it (a change is a new migration). It carries a private copy of the labels
and of word splitting as they were when written; the stemmer is the pinned PyStemmer. The
labels of offers are not in `search_items`, so they arrive when an item is indexed again."""

from __future__ import annotations

import re
import unicodedata

import sqlite_utils
import Stemmer

from mitwirken.models.migrations.sql_script import run_script

# --- frozen copy of models/search_analysis.py (labels, stems); do not edit ----------------

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_TAG_PREFIX = "mwx"
_BATCH = 2000

_LABELS: dict[str, dict[str, str]] = {
    'cause_areas': {
        'kinder-jugend': 'Kinder & Jugend KinderUndJugend',
        'senioren': 'Senior:innen Senioren',
        'bildung': 'Bildung Bildung',
        'umwelt': 'Umwelt & Natur Umweltschutz',
        'tiere': 'Tierschutz Tierschutz',
        'sport': 'Sport Sport',
        'kultur': 'Kultur Kultur',
        'integration': 'Integration & Geflüchtete Integration',
        'gesundheit-pflege': 'Gesundheit & Pflege GesundheitUndPflege',
        'menschen-mit-behinderung': 'Menschen mit Behinderung Inklusion',
        'armut-soziales': 'Armut & Soziales ArmutUndSoziales',
        'katastrophenschutz': 'Rettung & Katastrophenschutz Katastrophenschutz',
        'nachbarschaft': 'Nachbarschaft Nachbarschaftshilfe',
        'demokratie': 'Demokratie & Beteiligung Demokratie',
        'kirche-religion': 'Kirche & Religion KircheUndReligion',
    },
    'activity_types': {
        'begleiten-besuchen': 'Begleiten & Besuchen BegleitenUndBesuchen',
        'lernhilfe-lesen': 'Lernhilfe & Lesen LernhilfeUndLesen',
        'handwerk-garten': 'Handwerk & Garten HandwerkUndGarten',
        'organisation-verwaltung': 'Organisation & Verwaltung OrganisationUndVerwaltung',
        'beratung-coaching': 'Beratung & Coaching BeratungUndCoaching',
        'sport-bewegung': 'Sport & Bewegung SportUndBewegung',
        'kreativ-gestalten': 'Kreativ gestalten KreativGestalten',
        'uebersetzen-schreiben': 'Übersetzen & Schreiben UebersetzenUndSchreiben',
        'fahrdienst': 'Fahrdienst Fahrdienst',
        'veranstaltungen': 'Veranstaltungen Veranstaltungen',
        'digitales': 'Digitales & Technik DigitalesUndTechnik',
        'kochen-lebensmittel': 'Kochen & Lebensmittel KochenUndLebensmittel',
        'oeffentlichkeitsarbeit': 'Öffentlichkeitsarbeit Oeffentlichkeitsarbeit',
        'vorstand-leitung': 'Vorstand & Leitung VorstandUndLeitung',
    },
    'suitable_for': {
        'families': 'Familien Familien',
        'groups': 'Gruppen Gruppen',
        'corporate-teams': 'Firmenteams CorporateVolunteering',
        'no-german-needed': 'Ohne Deutschkenntnisse OhneDeutschkenntnisse',
        'no-experience-needed': 'Ohne Vorkenntnisse OhneVorkenntnisse',
        'newcomers': 'Neu Zugezogene NeuZugezogene',
        'seniors': 'Senior:innen Senioren',
        'youth': 'Jugendliche Jugendliche',
        'people-with-disabilities': 'Menschen mit Behinderung Inklusion',
        'wheelchair-accessible': 'Rollstuhlgerecht Barrierefrei',
    },
    'themes': {
        'engagementstrategie': 'Engagementstrategie Engagementstrategie',
        'anlaufstelle': 'Anlaufstelle & Infrastruktur Anlaufstelle',
        'anerkennungskultur': 'Anerkennungskultur Anerkennungskultur',
        'digitalisierung': 'Digitalisierung Digitalisierung',
        'nachwuchs-jugend': 'Nachwuchs & Jugend NachwuchsUndJugend',
        'demokratie-beteiligung': 'Demokratie & Beteiligung DemokratieUndBeteiligung',
        'integration': 'Integration & Vielfalt IntegrationUndVielfalt',
        'krisenresilienz': 'Krisenresilienz Krisenresilienz',
        'nachhaltigkeit-klima': 'Nachhaltigkeit & Klima NachhaltigkeitUndKlima',
        'hochschulkooperation': 'Hochschulkooperation Hochschulkooperation',
        'unternehmensengagement': 'Unternehmensengagement Unternehmensengagement',
        'laendlicher-raum': 'Ländlicher Raum LaendlicherRaum',
        'qualifizierung': 'Qualifizierung Qualifizierung',
    },
    'sectors': {
        'civil-society': 'Zivilgesellschaft Zivilgesellschaft',
        'administration': 'Verwaltung Verwaltung',
        'politics': 'Politik Politik',
        'business': 'Wirtschaft Wirtschaft',
        'science': 'Wissenschaft Wissenschaft',
    },
}


def _fold(text: str) -> str:
    text = text.lower().replace("ß", "ss")
    text = "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))
    return text.replace("ae", "a").replace("oe", "o").replace("ue", "u")


def _label_words(row: dict[str, object]) -> list[str]:
    """The folded words of the labels of a row's list columns (`|a|b|`)."""
    out: list[str] = []
    for column, labels in _LABELS.items():
        for value in str(row.get(column) or "").split("|"):
            if value in labels:
                out += _WORD.findall(_fold(labels[value]))
    return out


# --- the migration ------------------------------------------------------------------------


def migrate(db: sqlite_utils.Database) -> None:
    """Stems instead of words in `search_text` and `search_terms`, labels in the body text,
    the words with their trigram index, and the `last_confirmed` column (NULL until an item
    is indexed again; ranking falls back to `published`). The index is derived: every row is
    rewritten in place from its own folded words, in batches of rowids."""
    run_script(
        db,
        """
        ALTER TABLE search_items ADD COLUMN last_confirmed TEXT;
        CREATE TABLE search_words (word TEXT NOT NULL UNIQUE, term TEXT NOT NULL);
        CREATE VIRTUAL TABLE search_words_infix USING fts5(word, content = 'search_words',
                                                           content_rowid = 'rowid',
                                                           tokenize = 'trigram');
        DELETE FROM search_terms
        """,
    )
    stemmer = Stemmer.Stemmer("german")
    last = -(2**63)
    while True:
        rows = db.execute(
            "SELECT f.rowid, f.title, f.body, f.tags, s.cause_areas, s.activity_types, "
            "s.suitable_for, s.themes, s.sectors FROM search_text f "
            "JOIN search_items s ON s.rowid = f.rowid WHERE f.rowid > ? "
            "ORDER BY f.rowid LIMIT ?", [last, _BATCH]).fetchall()
        if not rows:
            break
        terms: set[str] = set()
        pairs: dict[str, str] = {}
        for rowid, title, body, tags, *columns in rows:
            row = dict(zip(("cause_areas", "activity_types", "suitable_for", "themes",
                            "sectors"), columns, strict=True))
            title_words = _WORD.findall(title or "")
            body_words = _WORD.findall(body or "") + _label_words(row)
            title_terms = stemmer.stemWords(title_words)
            body_terms = stemmer.stemWords(body_words)
            pairs.update(zip(title_words + body_words, title_terms + body_terms, strict=True))
            db.execute("UPDATE search_text SET title = ?, body = ? WHERE rowid = ?",
                       [" ".join(title_terms), " ".join(body_terms), rowid])
            terms.update(title_terms, body_terms, (tags or "").split())
            last = rowid
        db.conn.executemany("INSERT OR IGNORE INTO search_terms (term) VALUES (?)",
                            [(t,) for t in terms])
        db.conn.executemany("INSERT OR IGNORE INTO search_words (word, term) VALUES (?, ?)",
                            list(pairs.items()))
    db.execute("INSERT INTO search_words_infix (search_words_infix) VALUES ('rebuild')")
    db.execute("INSERT INTO search_text (search_text) VALUES ('optimize')")
