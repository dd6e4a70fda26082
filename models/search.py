"""Network search: SQLite FTS5 over local and remote opportunities and practice posts.

German text is folded the same way on both sides (lower case, diacritics removed, ß → ss,
ae/oe/ue → a/o/u), so "Müll", "Muell" and "MULL" find each other; every query word of three
or more letters is a prefix query (shorter words match whole words; FTS5 keeps a prefix index
of three letters). Python splits the folded text into words and the FTS5 table (`search_text`,
ASCII tokenizer) indexes exactly those words, so `search_terms` — every word ever indexed —
can turn a prefix into the list of its words: `lese` becomes `lese OR lesen OR lesepaten …`,
which FTS5 streams (a native `lese*` first merges the doclists of all those words in full).

Every filter lives in the FTS5 `tags` column as a synthetic tag, so a query — with or without
words — is one FTS5 expression: keyed filters are one tag each, ranges (weekly hours, minimum
age, dates) an OR over the tags of the values that satisfy them. The rowid of an item encodes
its `published` time (`sort_key`), so newest first is FTS5's own (ascending) rowid order:
counting and reading a page never touch the rows. Counting stops at COUNT_BOUND hits (a common
word's doclist is not read to its end), and word queries with at most RANK_LIMIT hits are
ranked on the hits themselves (`search_rank`), not by FTS5's `bm25()`."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypedDict, cast
from weakref import WeakKeyDictionary

from mitwirken.models import change_counters, search_rank
from mitwirken.models import responses as response_repo
from mitwirken.models.search_analysis import (
    TYPO_MIN_LETTERS,
    Synonyms,
    one_edit,
    stem_folded,
)
from mitwirken.models.search_items import (
    WEEKS_PER_MONTH,
    SearchItem,
    item_for_opportunity,
    item_for_practice,
)
from mitwirken.models.search_tokens import (
    ANY,
    END_DAY,
    END_MONTH,
    HOURS,
    INACTIVE,
    KEYED_TAGS,
    MIN_AGE,
    NO_MIN_AGE,
    QUERY_TAGS,
    START_DAY,
    START_MONTH,
    TAG_PREFIX,
    fold,
    item_tags,
    milli_hours,
    split_folded,
    tag,
    words,
)
from mitwirken.models.store import Store, iso, utcnow

# The token helpers are re-exported: callers use `search.fold`, `search.tag`, ….
__all__ = [
    "ANY",
    "BINARY_FIELDS",
    "COLUMNS",
    "COUNT_BOUND",
    "END_DAY",
    "END_MONTH",
    "EPOCH_SHIFT",
    "TOP_BAND",
    "HOURS",
    "INACTIVE",
    "INDEXED_PREFIX",
    "KEYED_TAGS",
    "MAX_EXPANSION",
    "MAX_INFIX",
    "MAX_QUERY_WORDS",
    "MAX_RANGE_TAGS",
    "MIN_AGE",
    "MIN_INFIX",
    "MIN_INFIX_WORD",
    "MIN_PREFIX",
    "NO_MIN_AGE",
    "Plan",
    "QUERY_TAGS",
    "Query",
    "RANK_LIMIT",
    "RANK_WINDOW",
    "RELEVANCE_STEP",
    "SEQ_BITS",
    "START_DAY",
    "Synonyms",
    "TYPO_BELOW",
    "START_MONTH",
    "SearchHit",
    "SearchItem",
    "TAG_PREFIX",
    "WEEKS_PER_MONTH",
    "fold",
    "index",
    "index_text",
    "index_words",
    "item_for_opportunity",
    "item_for_practice",
    "infix_terms",
    "count_bound",
    "item_tags",
    "milli_hours",
    "phrase_counts",
    "plan",
    "query_stems",
    "query_words",
    "remove",
    "remove_origin",
    "search",
    "sort_key",
    "sort_key_band",
    "split_folded",
    "tag",
    "typo_terms",
    "word_expression",
    "total_is_exact",
    "word_expressions",
    "words",
]

RANK_LIMIT = 1000  # above this many hits, newest first instead of ranked (`search_rank`)
COUNT_BOUND = 1000  # hits are counted exactly up to this many (or to the page asked for)
RANK_WINDOW = 300  # of up to RANK_LIMIT hits, the newest this many are ranked; older ones follow
MAX_EXPANSION = 100  # a prefix with more words than this runs as FTS5's own prefix query
MIN_PREFIX = 3  # shorter query words match whole words only ("zu", "ab"), never as a prefix
INDEXED_PREFIX = 3  # FTS5 keeps a prefix index of this length (`prefix = '3'`, m006)
MAX_RANGE_TAGS = 200  # a range with more distinct values than this is checked on the rows
MAX_QUERY_WORDS = 8  # further words of a query are ignored: the work per query stays bounded
MAX_INFIX = 60  # at most this many compounds that contain a query stem inside ("vorles")
MIN_INFIX = 4  # stems from four letters on match inside compounds ("begleit", "fest")
MIN_INFIX_WORD = 4  # and query words from four ("lesen" in "vorlesen", "fest" in "sommerfest"):
# a shorter stem alone is often a syllable ("alt" in "verwaltung")
TYPO_BELOW = 3  # with fewer hits than this, words from TYPO_MIN_LETTERS on allow one edit


# Rowids grow towards the past (m022): 2**37 minus the published second (shifted to stay
# positive) above 20 bits of a sequence that counts down, so ascending rowid order is newest
# first — published, then the order of indexing, later first; items without a date get the
# highest band. Ascending is the direction in which FTS5 seeks with its doclist index.
SEQ_BITS = 20
EPOCH_SHIFT = 2**34
TOP_BAND = 2**37


def sort_key_band(published: str | None) -> int:
    if not published:
        return TOP_BAND << SEQ_BITS
    seconds = int(datetime.fromisoformat(published.replace("Z", "+00:00")).timestamp())
    return (TOP_BAND - min(max(seconds + EPOCH_SHIFT, 1), 2**36)) << SEQ_BITS


def sort_key(store: Store, published: str | None) -> int:
    """A free rowid before every other item published in the same second (it comes first)."""
    band = sort_key_band(published)
    low = store.scalar("SELECT min(rowid) FROM search_items WHERE rowid >= ? AND rowid < ?",
                       [band, band + 2**SEQ_BITS])
    key = band + 2**SEQ_BITS - 1 if low is None else int(low) - 1
    while store.scalar("SELECT 1 FROM search_items WHERE rowid = ?", [key]):
        key -= 1  # a full band (a million items in one second) spills over
    return key


def index_text(store: Store, rowid: int, title: str, body: str, tags: list[str]) -> None:
    """The full-text row of one item, and its words in the vocabulary."""
    index_words(store, rowid, words(title), words(body), tags)


def index_words(store: Store, rowid: int, title_words: list[str], body_words: list[str],
                tags: list[str]) -> None:
    """Like `index_text`, for words already folded (`fold` is not idempotent: folding
    "quer" again gives "qur", so folded text must never be folded twice). The index holds
    their German stems; new stems also go into the trigram index of the vocabulary, which
    finds a query stem inside compounds."""
    title_terms, body_terms = stem_folded(title_words), stem_folded(body_words)
    store.execute("INSERT INTO search_text (rowid, title, body, tags) VALUES (?, ?, ?, ?)",
                  [rowid, " ".join(title_terms), " ".join(body_terms), " ".join(tags)])
    fresh = {*title_terms, *body_terms, *tags}
    store.db.conn.executemany("INSERT INTO search_terms (term) VALUES (?)",
                              [(t,) for t in fresh - _known(store, fresh)])
    pairs = dict(zip(title_words + body_words, title_terms + body_terms, strict=True))
    new = set(pairs) - _known(store, set(pairs), "search_words", "word")
    for word in new:
        cur = store.execute("INSERT INTO search_words (word, term) VALUES (?, ?)",
                            [word, pairs[word]])
        store.execute("INSERT INTO search_words_infix (rowid, word) VALUES (?, ?)",
                      [cur.lastrowid, word])


def _known(store: Store, candidates: set[str], table: str = "search_terms",
           column: str = "term") -> set[str]:
    """The candidates that are in the table already (indexed terms, or known words)."""
    found: set[str] = set()
    items = list(candidates)
    for first in range(0, len(items), 500):
        chunk = items[first:first + 500]
        found.update(r[0] for r in store.execute(
            f"SELECT {column} FROM {table} WHERE {column} IN ({','.join('?' * len(chunk))})",
            chunk).fetchall())
    return found


def index(store: Store, item: SearchItem) -> None:
    """Insert or replace one item and its full-text row, atomically."""
    with store.tx():
        old = store.one("SELECT rowid FROM search_items WHERE ap_id = ?", [item.ap_id])
        if old:
            _delete(store, old["rowid"])
        row = {"ap_id": item.ap_id, "kind": item.kind, "local": int(item.local),
               "origin": item.origin, "origin_name": item.origin_name, "actor": item.actor,
               "url": item.url, "title": item.title, "summary": item.summary, **item.columns}
        key = sort_key(store, row.get("published"))
        cols = ", ".join(f'"{k}"' for k in row)
        store.execute(f"INSERT INTO search_items (rowid, {cols}) VALUES "
                      f"(?, {', '.join('?' * len(row))})", [key, *row.values()])
        index_text(store, key, item.title, item.body, item_tags(row))


def _delete(store: Store, rowid: int) -> None:
    store.execute("DELETE FROM search_text WHERE rowid = ?", [rowid])
    store.execute("DELETE FROM search_items WHERE rowid = ?", [rowid])


def remove(store: Store, ap_id: str) -> None:
    with store.tx():
        row = store.one("SELECT rowid FROM search_items WHERE ap_id = ?", [ap_id])
        if row:
            _delete(store, row["rowid"])


def remove_origin(store: Store, origin: str, batch: int = 500) -> int:
    """Drop every remote item of one domain (unfollowed or blocked city), `batch` rows per
    transaction, never all of them in memory."""
    removed = 0
    while rows := store.all("SELECT rowid FROM search_items WHERE origin = ? AND local = 0 "
                            "LIMIT ?", [origin, batch]):
        with store.tx():
            for row in rows:
                _delete(store, row["rowid"])
        removed += len(rows)
    return removed


@dataclass
class Query:
    q: str = ""
    kind: str | None = None            # opportunity | practice
    opp_kind: str | None = None        # one-off | shifts | regular | flexible
    cause_area: str | None = None
    activity_type: str | None = None
    theme: str | None = None
    sector: str | None = None
    remote: str | None = None          # no | possible | full
    suitable_for: str | None = None    # e.g. wheelchair-accessible, families
    max_hours_per_week: float | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    age: int | None = None             # the volunteer's age: items with min_age <= age
    origin: str | None = None          # domain
    region: str | None = None          # Bundesland code
    local: bool | None = None
    include_inactive: bool = False     # closed and paused opportunities are hidden by default
    limit: int = 20
    offset: int = 0


def query_words(q: str) -> list[str]:
    """The distinct folded words of a query (at most MAX_QUERY_WORDS); no FTS syntax from
    users gets through."""
    return list(dict.fromkeys(words(q)))[:MAX_QUERY_WORDS]


def query_stems(q: str) -> list[tuple[str, str]]:
    """(folded word, stem) of each query word."""
    folded = query_words(q)
    return list(zip(folded, stem_folded(folded), strict=True))


def _terms(store: Store, low: str, high: str, limit: int = -1) -> list[str]:
    """Indexed terms in [low, high)."""
    return [r[0] for r in store.execute(
        "SELECT term FROM search_terms WHERE term >= ? AND term < ? ORDER BY term LIMIT ?",
        [low, high, limit]).fetchall()]


def _any_of(terms: list[str]) -> str | None:
    return f"({' OR '.join(terms)})" if terms else None


def infix_terms(store: Store, needle: str, stem: str) -> list[str]:
    """The stems of indexed words that contain `needle` (a folded word or a stem) after their
    start ("lesen" → "vorlesen" → "vorles"), found through the trigram index of the words; at
    most MAX_INFIX, shortest words first; stems the prefix search finds already are left out."""
    rows = store.execute(
        "SELECT w.word, w.term FROM search_words_infix f JOIN search_words w "
        "ON w.rowid = f.rowid WHERE search_words_infix MATCH ? ORDER BY length(w.word) "
        "LIMIT ?", [f'"{needle}"', 4 * MAX_INFIX]).fetchall()
    found = [t for w, t in rows if not w.startswith(needle) and not t.startswith(stem)]
    return list(dict.fromkeys(found))[:MAX_INFIX]


def typo_terms(store: Store, word: str, stem: str) -> list[str]:
    """Indexed terms one edit away from the stem, or the stems of the words one edit away
    from the word ("kartenn" → "karten" → "kart"), for words from TYPO_MIN_LETTERS letters."""
    if len(word) < TYPO_MIN_LETTERS:
        return []
    return sorted(_known(store, one_edit(stem) | set(stem_folded(one_edit(word)))) - {stem})


def word_expression(store: Store, word: str, broad: bool = True,
                    extra: tuple[str, ...] = (), folded: str | None = None,
                    whole: frozenset[str] = frozenset()) -> str | None:
    """A query stem as an FTS5 expression (None: nothing can match); `extra` are further
    stems that count as the same word (synonyms, typo corrections), those in `whole` (short
    synonyms) as whole terms only.

    Stems shorter than MIN_PREFIX match whole terms only. A stem of INDEXED_PREFIX letters is
    answered by FTS5's prefix index. A longer one becomes the OR of the indexed terms it
    begins; if that is more than MAX_EXPANSION terms, FTS5's own prefix query merges them all
    first (costly: `broad=False` — a query's second such word — matches the whole term only).
    The query word (`folded`) of MIN_INFIX_WORD letters, and a stem of MIN_INFIX letters,
    also match the compounds that contain them inside (`infix_terms`)."""
    parts: list[str] = []
    for stem in dict.fromkeys((word, *extra)):
        if len(stem) < MIN_PREFIX or stem in whole:
            # a short synonym is a whole term: "kid" (Kids, for "Kinder") must not bring
            # every word that begins so ("kidnapping"; in the benchmark's corpus 37 000 of
            # 240 000 items)
            parts += [f'"{t}"' for t in _terms(store, stem, stem + "\x00", 1)]
            continue
        if len(stem) == INDEXED_PREFIX:
            if _terms(store, stem, stem + "\U0010ffff", 1):
                parts.append(f'"{stem}"*')
        else:
            found = _terms(store, stem, stem + "\U0010ffff", MAX_EXPANSION + 1)
            if len(found) > MAX_EXPANSION:
                parts += ([f'"{stem}"*'] if broad
                          else [f'"{t}"' for t in found if t == stem])
            else:
                parts += [f'"{t}"' for t in found]
        surface = folded if folded is not None and stem == word else stem
        joint = surface[:-1] if surface.endswith("en") else surface  # "lesen" → "vorlese…"
        needles = [n for n, least in ((surface, MIN_INFIX_WORD), (joint, MIN_INFIX_WORD),
                                      (stem, MIN_INFIX)) if len(n) >= least]
        for needle in dict.fromkeys(needles):
            parts += [f'"{t}"' for t in infix_terms(store, needle, stem)]
    if parts == [f'"{word}"*']:
        return parts[0]
    return _any_of(list(dict.fromkeys(parts)))


def word_expressions(store: Store, query_text: str, synonyms: Synonyms | None = None,
                     typos: bool = False) -> list[str | None]:
    """The expressions of a query's words (with their synonyms, and with `typos` their
    one-edit corrections); only the first word with more than MAX_EXPANSION completions may
    run as a full prefix merge."""
    out: list[str | None] = []
    broad = True
    for word, stem in query_stems(query_text):
        extra = (synonyms or {}).get(stem, ())
        whole = frozenset(t for t in extra if len(t) < MIN_INFIX)  # short synonyms
        if typos:
            extra = (*extra, *typo_terms(store, word, stem))
        expression = word_expression(store, stem, broad, extra, word, whole - {stem})
        if expression is not None and f'"{stem}"*' in expression \
                and len(stem) > INDEXED_PREFIX:
            broad = False
        out.append(expression)
    return out


def _numbers(store: Store, prefix: str) -> list[tuple[int, str]]:
    """(value, tag) of the numeric tags with this prefix (words of texts may look alike)."""
    return [(int(t[len(prefix):]), t) for t in _terms(store, prefix, prefix + ":")
            if t[len(prefix):].isascii() and t[len(prefix):].isdigit()
            and len(t) - len(prefix) <= 9]  # our tags have a few digits; text may have 5 000


@dataclass
class Plan:
    """One query as an FTS5 expression, plus row conditions its tags cannot decide exactly."""
    expression: str | None  # None: nothing can match
    has_words: bool
    where: list[str] = field(default_factory=list)
    params: list[object] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # the expression of each query word
    tags: list[str] = field(default_factory=list)  # the expression of each filter
    negated: list[str] = field(default_factory=list)  # tags the hits must not carry


def plan(store: Store, query: Query, synonyms: Synonyms | None = None,
         typos: bool = False) -> Plan:
    groups = word_expressions(store, query.q, synonyms, typos)
    text = " AND ".join(g or "" for g in groups)
    tags: list[str | None] = []
    negated = [] if query.include_inactive else [INACTIVE]
    for attr, field_name in QUERY_TAGS.items():
        value = getattr(query, attr)
        if value is not None and value != "":
            other = _complement(store, field_name, value)
            if other is None:
                tags.append(tag(field_name, value))
            else:
                negated.append(other)
    result = Plan(None, bool(groups), words=[g for g in groups if g], negated=negated)

    def ranged(satisfying: list[str], condition: str, param: object) -> bool:
        """A range filter as the OR of its tags (True) — or, when the network has written
        more distinct values than MAX_RANGE_TAGS, as a condition on the rows (False)."""
        if len(satisfying) > MAX_RANGE_TAGS:
            result.where.append(condition)
            result.params.append(param)
            return False
        tags.append(_any_of(satisfying))
        return True

    if query.max_hours_per_week is not None:
        limit = math.floor(query.max_hours_per_week * 1000 + 1e-6)
        ranged([t for v, t in _numbers(store, HOURS) if v <= limit],
               "round(s.hours_per_week * 1000) <= ?", limit)
    if query.age is not None:
        ranged([NO_MIN_AGE] + [t for v, t in _numbers(store, MIN_AGE) if v <= query.age],
               "(s.min_age IS NULL OR s.min_age <= ?)", query.age)
    sides: list[tuple[str, list[str], list[str]]] = []  # (tag group, its tags, the others)
    if query.date_from is not None:  # "end" >= date_from: later months, or days from it on
        start = iso(query.date_from)
        month, day = start[:7].replace("-", ""), start[:10].replace("-", "")
        satisfying = (_terms(store, f"{END_MONTH}{month}:", f"{END_MONTH}:")
                      + _terms(store, f"{END_DAY}{day}", f"{END_DAY}{month}:"))
        if ranged(satisfying, 's."end" >= ?', start):
            sides += [] if not satisfying else [(cast(str, tags[-1]), satisfying,
                          _terms(store, END_MONTH, f"{END_MONTH}{month}")
                          + _terms(store, f"{END_DAY}{month}", f"{END_DAY}{day}"))]
            if not start.endswith("T00:00:00Z"):
                result.where.append('s."end" >= ?')  # within its first day: check the rows
                result.params.append(start)
    if query.date_to is not None:  # start <= date_to: earlier months, or days up to it
        end = iso(query.date_to)
        month, day = end[:7].replace("-", ""), end[:10].replace("-", "")
        satisfying = (_terms(store, START_MONTH, f"{START_MONTH}{month}")
                      + _terms(store, f"{START_DAY}{month}", f"{START_DAY}{day}:"))
        if ranged(satisfying, "s.start <= ?", end):
            sides += [] if not satisfying else [(cast(str, tags[-1]), satisfying,
                          _terms(store, f"{START_MONTH}{month}:", f"{START_MONTH}:")
                          + _terms(store, f"{START_DAY}{day}:", f"{START_DAY}{month}:"))]
            if not end.endswith("T23:59:59Z"):
                result.where.append("s.start <= ?")  # within its last day: check the rows
                result.params.append(end)
    if len(sides) == 2:
        _negate_a_date_side(store, sides, tags, negated)
    if None in groups or None in tags:
        return result
    parts = [f"{{title body}} : ({text})"] if text else []
    if tags:
        parts.append(f"tags : ({' AND '.join(tags)})")  # type: ignore[arg-type]
        result.tags = cast(list[str], tags)
    expression = " AND ".join(parts) or f"tags : {ANY}"
    if negated:
        expression = f"({expression}) NOT tags : ({' OR '.join(negated)})"
    result.expression = expression
    return result


def _negate_a_date_side(store: Store, sides: list[tuple[str, list[str], list[str]]],
                        tags: list[str | None], negated: list[str]) -> None:
    """With both date bounds, one side may become "not the other dates": an item that meets
    the other side is dated, and each dated item carries exactly one start and one end month
    and day tag. The side whose opposite dates fewer items carry is turned, if that is fewer
    than it."""
    counted = [t for _, mine, other in sides for t in (*mine, *other)]
    _, docs = phrase_counts(store, [f"tags : {t}" for t in counted])

    def rows(group: list[str]) -> int:
        return sum(docs[f"tags : {t}"] for t in group)

    saving, side = max((rows(mine) - rows(other), k)
                       for k, (_, mine, other) in enumerate(sides))
    group, _, other = sides[side]
    if saving <= 0 or len(other) > MAX_RANGE_TAGS:
        return
    tags.remove(group)
    negated.extend(other)


# Fields every item has exactly one of two values of: "kind=opportunity" holds for three
# quarters of the items, and FTS5 walks that long doclist for every query it filters; "not a
# practice" reads the shorter one (a text query with kind and region: half the time).
BINARY_FIELDS: dict[str, tuple[object, object]] = {"kind": ("opportunity", "practice"),
                                                     "local": (True, False)}


def _complement(store: Store, field_name: str, value: object) -> str | None:
    """The tag of the other value of a BINARY_FIELDS field, when fewer items carry it than
    this one (the filter is then "not the other"); else None."""
    pair = BINARY_FIELDS.get(field_name)
    if pair is None or value not in pair:
        return None
    other = tag(field_name, pair[1] if value == pair[0] else pair[0])
    mine = tag(field_name, value)
    _, docs = phrase_counts(store, [f"tags : {mine}", f"tags : {other}"])
    return other if docs[f"tags : {other}"] < docs[f"tags : {mine}"] else None


COLUMNS = ("s.ap_id, s.kind, s.local, s.origin, s.origin_name, s.actor, s.url, s.title, "
           's.summary, s.opp_kind, s.status, s.start, s."end", s.region, s.published')
RELEVANCE_STEP = 0.5  # scores this close count as equally relevant; freshness decides
# The order of ranked results: relevance (`search_rank.scores`, in steps), then freshness by
# day (the later of last_confirmed and published), then the organisation's reply rate — the
# share of its expressions of interest answered within the promise over the window of its
# public statistics (`usecases.response_promise`: 90 days, at least 5), in tenths; an
# organisation without that figure, and every remote one, counts as NEUTRAL_REPLY_RATE — then
# the exact freshness, then newest. Reactive organisations come first among equally relevant
# and equally fresh results, as JeVeuxAider boosts them.
REPLY_RATE_WINDOW = timedelta(days=90)
REPLY_RATE_MINIMUM = 5
NEUTRAL_REPLY_RATE = 0.5


class SearchHit(TypedDict):
    """One result of `search()`: the COLUMNS of a `search_items` row (`local` as a bool)."""

    ap_id: str
    kind: str
    local: bool
    origin: str
    origin_name: str | None
    actor: str
    url: str
    title: str
    summary: str
    opp_kind: str | None
    status: str | None
    start: str | None
    end: str | None
    region: str | None
    published: str | None


def _source(p: Plan) -> tuple[str, list[object]]:
    if p.where:  # a date bound inside a day: the rows decide
        return ("search_text f CROSS JOIN search_items s ON s.rowid = f.rowid "
                f"WHERE search_text MATCH ? AND {' AND '.join(p.where)}",
                [p.expression, *p.params])
    return "search_text f WHERE search_text MATCH ?", [p.expression]


def count_bound(query: Query) -> int:
    """Up to how many hits `search` counts exactly: COUNT_BOUND, or further when the page
    asked for lies beyond it."""
    return max(COUNT_BOUND, query.offset + query.limit)


def total_is_exact(query: Query, total: int) -> bool:
    """False when `search` stopped counting: there are at least `total` hits, maybe more."""
    return total <= count_bound(query)


def _newest(store: Store, p: Plan, bound: int) -> list[int]:
    """The rowids of the newest `bound` + 1 hits at most, newest first: the count and the
    page of an unranked answer in one pass that stops early (a common word's doclist is not
    read to its end). Newest first is ascending rowid order (m022), in which FTS5 seeks
    through long doclists with their doclist index."""
    if p.expression is None:
        return []
    source, params = _source(p)
    return [r[0] for r in store.execute(
        f"SELECT f.rowid FROM {source} ORDER BY f.rowid LIMIT ?", [*params, bound + 1])]


@dataclass
class _Counts:
    """Document counts of phrases in one store's index, valid while it changed by less than
    STALE_SHARE of its items (IDFs move slowly; a small index recounts after any change)."""

    changes: int
    items: int
    docs: dict[str, int] = field(default_factory=dict)


_COUNTS: WeakKeyDictionary[Store, _Counts] = WeakKeyDictionary()
STALE_SHARE = 0.01
MAX_KEPT_COUNTS = 50_000  # phrases whose counts are kept per store (a few MB)
PRESENCE_BUDGET = 1000  # rows read per word to learn which hits hold its rare phrases


def _changes(store: Store) -> int:
    return change_counters.current(store).get("search_items", 0)


def phrase_counts(store: Store, phrases: list[str]) -> tuple[int, dict[str, int]]:
    """(items in the index, rows of each phrase), counted once and kept (`_Counts`); a phrase
    is given with its columns (`{title body} : "garten"`, `tags : mwx…`)."""
    changes = _changes(store)
    kept = _COUNTS.get(store)
    if kept is None or abs(changes - kept.changes) > STALE_SHARE * kept.items \
            or len(kept.docs) > MAX_KEPT_COUNTS:
        kept = _Counts(changes, int(store.scalar("SELECT count(*) FROM search_items") or 0))
        _COUNTS[store] = kept
    missing = [x for x in dict.fromkeys(phrases) if x not in kept.docs]
    if missing:
        kept.docs.update(store.execute(
            "SELECT j.value, (SELECT count(*) FROM search_text WHERE search_text MATCH "
            "j.value) FROM json_each(?) j",
            [json.dumps(missing)]).fetchall())
    return kept.items, {x: kept.docs[x] for x in phrases}


TEXT_COLUMNS = "{title body} : "


def _in_text(phrase: str) -> str:
    """A word phrase as counted and looked up: a column filter costs FTS5 a look at every
    position list (a quarter more time), and only a phrase that could be a tag needs it."""
    return TEXT_COLUMNS + phrase if phrase.startswith(f'"{TAG_PREFIX}') else phrase


def _word_counts(store: Store, p: Plan) -> tuple[int, dict[str, int]]:
    """(items, rows of each phrase of the query words)."""
    phrases = [x for w in p.words for x in search_rank.phrases(w)]
    items, docs = phrase_counts(store, [_in_text(x) for x in phrases])
    return items, {x: docs[_in_text(x)] for x in phrases}


def _containing(store: Store, phrase: str) -> frozenset[int]:
    return frozenset(r[0] for r in store.execute(
        "SELECT rowid FROM search_text WHERE search_text MATCH ?",
        [_in_text(phrase)]).fetchall())


def _rank_word(store: Store, expression: str, items: int,
               docs: dict[str, int]) -> search_rank.Word:
    """A query word's phrases with their IDFs, and the rows of its rarest phrases (as many as
    PRESENCE_BUDGET rows allow)."""
    phrases = search_rank.phrases(expression)
    present: dict[str, frozenset[int]] = {}
    budget = PRESENCE_BUDGET
    for x in sorted(phrases, key=docs.__getitem__):
        if docs[x] > budget:
            break
        present[x] = _containing(store, x)
        budget -= docs[x]
    return search_rank.Word({x: search_rank.idf(docs[x], items) for x in phrases}, present)


def _ranked(store: Store, p: Plan, hits: list[int]) -> list[int]:
    """The hits best first: relevance in RELEVANCE_STEPs, then freshness by day, then the
    organisation's reply rate, then exact freshness, then newest."""
    marks = ",".join("?" * len(hits))
    rows = store.execute(
        "SELECT c.id, c.c0, d.sz, coalesce(s.last_confirmed, s.published, ''), s.local, "
        "s.actor FROM search_text_content c JOIN search_text_docsize d ON d.id = c.id "
        f"JOIN search_items s ON s.rowid = c.id WHERE c.id IN ({marks})", hits).fetchall()
    fresh: dict[int, str] = {}
    organisation: dict[int, str | None] = {}
    found: list[search_rank.Hit] = []
    for rowid, title, sizes, freshness, local, actor in rows:
        found.append(search_rank.Hit(rowid, str(title).split(),
                                     sum(search_rank.column_lengths(sizes))))
        fresh[rowid] = freshness
        organisation[rowid] = str(actor).rsplit("/actors/", 1)[-1] if local else None
    items, docs = _word_counts(store, p)
    words = [_rank_word(store, w, items, docs) for w in p.words]
    score = search_rank.scores(found, words)
    rates = response_repo.in_time_shares(store, utcnow() - REPLY_RATE_WINDOW,
                                         REPLY_RATE_MINIMUM) if any(organisation.values()) else {}

    def reply_rate(rowid: int) -> int:
        org = organisation[rowid]
        return round(10 * (rates.get(org, NEUTRAL_REPLY_RATE) if org else NEUTRAL_REPLY_RATE))

    order = sorted(fresh)  # newest first; stable sorts: the last key decides first
    order.sort(key=fresh.__getitem__, reverse=True)
    order.sort(key=reply_rate, reverse=True)
    order.sort(key=lambda r: fresh[r][:10], reverse=True)
    order.sort(key=lambda r: math.floor(score[r] / RELEVANCE_STEP + 0.5), reverse=True)
    return order


def search(store: Store, query: Query,
           synonyms: Synonyms | None = None) -> tuple[int, list[SearchHit]]:
    """Matching items, best match first with words (as long as there are at most RANK_LIMIT;
    of them the newest RANK_WINDOW, the rest follow newest first), else newest first; and
    their number — exact up to `count_bound(query)`, beyond it
    `count_bound(query) + 1` ("more than", see `total_is_exact`). With fewer than TYPO_BELOW
    hits, words from TYPO_MIN_LETTERS letters on also match terms one edit away
    ("Lebensmitel")."""
    bound = count_bound(query)
    p = plan(store, query, synonyms)
    newest = _newest(store, p, bound)
    if len(newest) < TYPO_BELOW and any(len(w) >= TYPO_MIN_LETTERS
                                        for w in query_words(query.q)):
        tolerant = plan(store, query, synonyms, typos=True)
        if tolerant.expression != p.expression:
            p, newest = tolerant, _newest(store, tolerant, bound)
    total = len(newest)
    if p.expression is None or total <= query.offset:
        return total, []
    if p.has_words and total <= min(RANK_LIMIT, bound):
        ranked = _ranked(store, p, newest[:RANK_WINDOW]) + newest[RANK_WINDOW:]
        ids = ranked[query.offset:query.offset + query.limit]
    else:
        ids = newest[query.offset:min(query.offset + query.limit, bound)]
    rows = store.all(f"SELECT s.rowid AS _rowid, {COLUMNS} FROM search_items s "
                     f"WHERE s.rowid IN ({','.join('?' * len(ids))})", ids)
    by_id = {r.pop("_rowid"): r for r in rows}
    result = [by_id[i] for i in ids if i in by_id]
    for row in result:
        row["local"] = bool(row["local"])
    return total, cast(list[SearchHit], result)
