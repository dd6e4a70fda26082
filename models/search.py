"""Network search: SQLite FTS5 over local and remote opportunities and practice posts.

German text is folded the same way on both sides (lower case, diacritics removed, ß → ss,
ae/oe/ue → a/o/u), so "Müll", "Muell" and "MULL" find each other; every query word is a
prefix query. Filters use plain indexed columns; list-valued fields are stored as `|a|b|`."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from models.content import Opportunity, Practice
from models.markdown import html_to_text, render_markdown
from models.store import Store, iso

WEEKS_PER_MONTH = 4.345
_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    text = text.lower().replace("ß", "ss")
    text = "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))
    return text.replace("ae", "a").replace("oe", "o").replace("ue", "u")


# Keyed filters also live in the full-text index as synthetic tokens ("mwx" + a letter per
# filter + the folded value), so a text query with filters is one FTS5 doclist intersection
# instead of a row lookup per hit. "mwxinactive" marks closed and paused opportunities.
TOKEN_PREFIX = "mwx"
TOKEN_FIELDS = {"kind": "k", "opp_kind": "t", "remote": "r", "region": "g", "origin": "o",
                "local": "l", "cause_areas": "c", "activity_types": "a", "themes": "h",
                "sectors": "s", "suitable_for": "u"}
QUERY_TOKEN_FIELDS = {"kind": "kind", "opp_kind": "opp_kind", "remote": "remote",
                      "region": "region", "origin": "origin", "local": "local",
                      "cause_area": "cause_areas", "activity_type": "activity_types",
                      "theme": "themes", "sector": "sectors", "suitable_for": "suitable_for"}
INACTIVE = f"{TOKEN_PREFIX}inactive"
RANK_LIMIT = 1000  # above this many hits, newest first instead of bm25 (which reads every hit)


def token(field_name: str, value: object) -> str:
    if isinstance(value, bool):
        value = int(value)
    clean = re.sub(r"[^a-z0-9]", "", fold(str(value)))
    return f"{TOKEN_PREFIX}{TOKEN_FIELDS[field_name]}{clean}"


def filter_tokens(row: dict) -> str:
    """The synthetic tokens of one search_items row (list columns are `|a|b|`)."""
    tokens = []
    for name in TOKEN_FIELDS:
        value = row.get(name)
        if value is None or value == "":
            continue
        values = [v for v in str(value).split("|") if v] if str(value).startswith("|") \
            else [value]
        tokens += [token(name, v) for v in values]
    if row.get("kind") == "opportunity" and row.get("status") in ("closed", "paused"):
        tokens.append(INACTIVE)
    return " ".join(tokens)


def _bar(values: list) -> str:
    return "|" + "".join(f"{getattr(v, 'value', v)}|" for v in values)


@dataclass
class SearchItem:
    ap_id: str
    kind: str  # 'opportunity' | 'practice'
    local: bool
    origin: str
    origin_name: str | None
    actor: str
    url: str
    title: str
    summary: str
    body: str
    columns: dict = field(default_factory=dict)


def item_for_opportunity(opp: Opportunity, *, ap_id: str, url: str, local: bool, origin: str,
                         origin_name: str | None, actor: str) -> SearchItem:
    text = html_to_text(render_markdown(opp.description))
    hours = None
    if opp.time_budget is not None:
        unit = opp.time_budget.unit.value
        hours = (opp.time_budget.hours if unit == "per-week"
                 else opp.time_budget.hours / WEEKS_PER_MONTH if unit == "per-month" else None)
    places = " ".join(" ".join(filter(None, (p.name, p.locality))) for p in opp.places)
    regions = [p.region for p in opp.places if p.region]
    return SearchItem(
        ap_id=ap_id, kind="opportunity", local=local, origin=origin, origin_name=origin_name,
        actor=actor, url=url, title=opp.title, summary=text[:300],
        body=" ".join([text, opp.schedule or "", places, opp.title_en or ""]),
        columns={
            "opp_kind": opp.kind.value, "cause_areas": _bar(opp.cause_areas),
            "activity_types": _bar(opp.activity_types), "suitable_for": _bar(opp.suitable_for),
            "remote": opp.remote.value, "hours_per_week": hours,
            "start": iso(opp.start) if opp.start else None,
            "end": iso(opp.end) if opp.end else None, "min_age": opp.min_age,
            "region": str(getattr(regions[0], "value", regions[0])) if regions else None,
            "status": opp.status.value,
            "published": iso(opp.published) if opp.published else None,
        })


def item_for_practice(p: Practice, *, ap_id: str, url: str, local: bool, origin: str,
                      origin_name: str | None, actor: str) -> SearchItem:
    sections = " ".join(html_to_text(render_markdown(t)) for t in p.sections.values())
    partners = " ".join(x.name for x in p.partners)
    return SearchItem(
        ap_id=ap_id, kind="practice", local=local, origin=origin, origin_name=origin_name,
        actor=actor, url=url, title=p.title, summary=p.summary,
        body=" ".join([p.summary, sections, partners, p.city or ""]),
        columns={
            "themes": _bar(p.themes), "sectors": _bar(p.sectors_involved),
            "region": getattr(p.region, "value", p.region), "status": p.status.value,
            "published": iso(p.published) if p.published else None,
        })


def index(store: Store, item: SearchItem) -> None:
    """Insert or replace one item and its full-text row, atomically."""
    with store.tx():
        old = store.one("SELECT rowid FROM search_items WHERE ap_id = ?", [item.ap_id])
        if old:
            store.execute("DELETE FROM search_fts WHERE rowid = ?", [old["rowid"]])
            store.execute("DELETE FROM search_items WHERE rowid = ?", [old["rowid"]])
        row = {"ap_id": item.ap_id, "kind": item.kind, "local": int(item.local),
               "origin": item.origin, "origin_name": item.origin_name, "actor": item.actor,
               "url": item.url, "title": item.title, "summary": item.summary, **item.columns}
        cols = ", ".join(f'"{k}"' for k in row)
        cur = store.execute(f"INSERT INTO search_items ({cols}) VALUES "
                            f"({', '.join('?' * len(row))})", list(row.values()))
        store.execute("INSERT INTO search_fts (rowid, title, body) VALUES (?, ?, ?)",
                      [cur.lastrowid, fold(item.title),
                       f"{fold(item.body)} {filter_tokens(row)}"])


def remove(store: Store, ap_id: str) -> None:
    with store.tx():
        row = store.one("SELECT rowid FROM search_items WHERE ap_id = ?", [ap_id])
        if row:
            store.execute("DELETE FROM search_fts WHERE rowid = ?", [row["rowid"]])
            store.execute("DELETE FROM search_items WHERE rowid = ?", [row["rowid"]])


def remove_origin(store: Store, origin: str) -> int:
    """Drop every remote item of one domain (unfollowed or blocked city)."""
    rows = store.all("SELECT ap_id FROM search_items WHERE origin = ? AND local = 0", [origin])
    for row in rows:
        remove(store, row["ap_id"])
    return len(rows)


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


def match_expression(q: str) -> str | None:
    """Every word becomes a quoted prefix term (no FTS syntax from users gets through)."""
    words = [w for w in _WORD.findall(fold(q)) if not w.startswith(TOKEN_PREFIX)]
    return " ".join(f'"{w}"*' for w in words) if words else None


COLUMNS = ("s.ap_id, s.kind, s.local, s.origin, s.origin_name, s.actor, s.url, s.title, "
           's.summary, s.opp_kind, s.status, s.start, s."end", s.region, s.published')
RANKED = "score, published DESC, id DESC"  # best match first, then newest; stable paging


def token_terms(query: Query) -> str:
    """Keyed filters and the default hiding of inactive opportunities as FTS5 terms."""
    terms = ""
    for attr, field_name in QUERY_TOKEN_FIELDS.items():
        value = getattr(query, attr)
        if value is not None and value != "":
            terms += f" AND {token(field_name, value)}"
    if not query.include_inactive:
        terms += f" NOT {INACTIVE}"
    return terms


def _search_text_only(store: Store, fts: str, query: Query) -> tuple[int, list[dict]]:
    """Text with keyed filters only: answered by the full-text index alone. Up to RANK_LIMIT
    hits are ranked by bm25 (title weighs 5×); beyond, bm25 would have to read every hit, so
    the newest (most recently indexed) come first."""
    total = int(store.scalar("SELECT count(*) FROM search_fts WHERE search_fts MATCH ?",
                             [fts]) or 0)
    order = "bm25(search_fts, 5.0, 1.0), rowid DESC" if total <= RANK_LIMIT else "rowid DESC"
    ids = [r[0] for r in store.execute(
        f"SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY {order} "
        "LIMIT ? OFFSET ?", [fts, query.limit, query.offset]).fetchall()]
    if not ids:
        return total, []
    rows = store.all(f"SELECT s.rowid AS _rowid, {COLUMNS} FROM search_items s "
                     f"WHERE s.rowid IN ({','.join('?' * len(ids))})", ids)
    by_id = {r.pop("_rowid"): r for r in rows}
    return total, [by_id[i] for i in ids if i in by_id]


def search(store: Store, query: Query) -> tuple[int, list[dict]]:
    where, params = ["1 = 1"], []

    def eq(column: str, value: object, indexed: bool = False) -> None:
        if value is not None:  # `+` keeps SQLite off indexes of columns with few values
            where.append(f'{"" if indexed else "+"}s."{column}" = ?')
            params.append(value)

    def has(column: str, value: str | None) -> None:
        if value:
            where.append(f"s.{column} LIKE ?")
            params.append(f"%|{value}|%")

    eq("kind", query.kind)
    eq("opp_kind", query.opp_kind)
    eq("remote", query.remote)
    eq("origin", query.origin, indexed=True)
    eq("region", query.region)
    if query.local is not None:
        eq("local", int(query.local))
    has("cause_areas", query.cause_area)
    has("activity_types", query.activity_type)
    has("themes", query.theme)
    has("sectors", query.sector)
    has("suitable_for", query.suitable_for)
    if query.max_hours_per_week is not None:
        where.append("s.hours_per_week IS NOT NULL AND s.hours_per_week <= ?")
        params.append(query.max_hours_per_week)
    if query.age is not None:
        where.append("(s.min_age IS NULL OR s.min_age <= ?)")
        params.append(query.age)
    if query.date_from is not None:
        where.append('s."end" IS NOT NULL AND s."end" >= ?')
        params.append(iso(query.date_from))
    if query.date_to is not None:
        where.append("s.start IS NOT NULL AND s.start <= ?")
        params.append(iso(query.date_to))
    if not query.include_inactive:
        where.append("(s.kind != 'opportunity' OR s.status NOT IN ('closed', 'paused'))")
    match = match_expression(query.q)
    clause = " AND ".join(where)
    if match:
        fts = f"({match}){token_terms(query)}"
        ranged = any(v is not None for v in (query.max_hours_per_week, query.age,
                                              query.date_from, query.date_to))
        if not ranged:
            total, rows = _search_text_only(store, fts, query)
        else:
            # Range filters need the rows: the full-text match (keyed filters already
            # intersected inside FTS5) stays the outer loop (CROSS JOIN), each hit is ranked
            # once, counted, and only the page's rows are read in full.
            rows = store.all(
                "WITH m AS MATERIALIZED (SELECT s.rowid AS id, s.published AS published, "
                "bm25(search_fts, 5.0, 1.0) AS score FROM search_fts f CROSS JOIN "
                f"search_items s ON s.rowid = f.rowid WHERE {clause} AND search_fts MATCH ?), "
                f"page AS (SELECT * FROM m ORDER BY {RANKED} LIMIT ? OFFSET ?) "
                f"SELECT (SELECT count(*) FROM m) AS total, {COLUMNS} FROM page "
                "JOIN search_items s ON s.rowid = page.id "
                "ORDER BY page.score, page.published DESC, page.id DESC",
                [*params, fts, query.limit, query.offset])
            total = rows[0]["total"] if rows else int(store.scalar(
                "SELECT count(*) FROM search_fts f CROSS JOIN search_items s ON "
                f"s.rowid = f.rowid WHERE {clause} AND search_fts MATCH ?",
                [*params, fts]) or 0)
            for row in rows:
                del row["total"]
    else:
        # Newest first: the filter index is read in `published` order, and counted alone.
        total = int(store.scalar(f"SELECT count(*) FROM search_items s WHERE {clause}",
                                 params) or 0)
        rows = store.all(
            f"SELECT {COLUMNS} FROM search_items s WHERE {clause} "
            "ORDER BY s.published DESC, s.rowid DESC LIMIT ? OFFSET ?",
            [*params, query.limit, query.offset])
    for row in rows:
        row["local"] = bool(row["local"])
    return total, rows
