"""Network search at scale: 240 000 local and remote objects (120 cities × 2 000), typical
queries, p50/p99, RSS and database size per object; and relevance (recall@10, MRR) of the
judged German query set of ``tests/search_judged.py``.

Phase 1 (not measured) fills a fresh SQLite file through ``models.search.index`` with synthetic
``SearchItem``s: German titles and texts (umlauts, ß, compounds), 30 % local and 70 % from
~150 other cities, three quarters opportunities, every filter column populated the way
``item_for_opportunity``/``item_for_practice`` populate it.

Phase 2 runs in a fresh process (so its RSS is that of a server that opened the database, not
of the generator): it opens the store like the app does and times ``models.search.search`` —
the function behind ``GET /api/v1/search`` and ``/suche`` — for each query family, after the
query string has gone through the same ``parse_query`` the route uses. Parameters rotate
through realistic values, so the page cache is warm but no single result is reused.

    .venv/bin/python bench/search.py [-n 240000] [-r 300] [--judged-filler 20000]
                                     [--keep DIR] [--reuse DIR]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mitwirken.models import search  # noqa: E402
from mitwirken.models.search import SearchItem  # noqa: E402
from mitwirken.models.search_analysis import load_synonyms  # noqa: E402
from mitwirken.models.store import Store, iso  # noqa: E402
from mitwirken.models.vocab import (  # noqa: E402
    ActivityType,
    Bundesland,
    CauseArea,
    OpportunityKind,
    PracticeTheme,
    Remote,
    Sector,
    SuitableFor,
)
from mitwirken.server.web.network import parse_query  # noqa: E402
from tests.search_judged import CASES, build, corpus, evaluate  # noqa: E402


def _words(text: str) -> list[str]:
    return text.split()


TARGET_P99_MS = 20.0
TARGET_RSS_MB = 250.0
TARGET_RECALL = 0.95

TASKS = ["Lesepat:in", "Hausaufgabenhilfe", "Müllsammelaktion", "Tafel-Ausgabe", "Fahrdienst",
         "Besuchsdienst", "Sprachcafé", "Repair-Café", "Gartenpflege", "Vorlesestunde",
         "Kleiderkammer", "Stadtteilfest", "Bürgerbus", "Nachbarschaftshilfe", "Übungsleiter:in",
         "Trainer:in", "Übersetzung", "Begleitung", "Spielenachmittag", "Fußballtraining",
         "Baumpflanzaktion", "Flohmarkt", "Mittagstisch", "Wärmestube", "Lernpatenschaft",
         "Computerhilfe", "Kinderbetreuung", "Einkaufshilfe", "Tierheim-Gassigehen",
         "Chorprobe", "Bücherei-Dienst", "Erste-Hilfe-Dienst", "Brandschutzhelfer:in"]
PLACES = ["in der Grundschule Nord", "am Marktplatz", "im Seniorenheim St. Anna",
          "an der Hauptstraße", "im Jugendzentrum", "im Stadtpark", "in der Stadtbibliothek",
          "im Gemeindehaus", "am Rheinufer", "im Mehrgenerationenhaus", "in der Turnhalle",
          "auf dem Schulhof", "im Begegnungszentrum", "an der Bahnhofstraße", "im Quartier"]
PRACTICES = ["Ehrenamtsbörse", "Engagementstrategie", "Freiwilligenagentur", "Anerkennungsabend",
             "Digitale Engagementplattform", "Ehrenamtskarte", "Schülerpatenschaften",
             "Unternehmensengagement-Tag", "Demokratiewerkstatt", "Krisenstab Ehrenamt",
             "Klimaschutz-Netzwerk", "Hochschulkooperation", "Dorfladen", "Bürgerstiftung",
             "Integrationslots:innen", "Qualifizierungsreihe", "Jugendbeteiligung"]
STOPWORDS = _words("und der die das mit für in im am an auf zu von bei ein eine einen wir sie "
                   "du ist sind oder auch nicht es sich uns dich dein unser jede jeden gern "
                   "gerne wenn noch schon sehr mehr als wie was")
WORDS = _words("suchen engagierte menschen gruppe woche stunden kindern jugendlichen senioren "
         "familien nachbarn lesen spielen kochen helfen begleiten übersetzen reparieren "
         "gärtnern fahren beraten unterstützen organisieren gestalten müll straße grünfläche "
         "schule verein stadt dorf quartier kirche sportplatz bücherei fahrrad küche garten "
         "wald bach spielplatz einkauf arzt behörde formular sprache deutsch arabisch "
         "ukrainisch türkisch ehrenamt freiwillig kostenlos versichert fortbildung zeugnis "
         "führungszeugnis aufwandsentschädigung fahrtkosten erstattet anleitung einarbeitung "
         "team gemeinschaft spaß freude verantwortung vertrauen zuverlässig geduldig offen "
         "herzlich pünktlich barrierefrei rollstuhlgerecht wöchentlich monatlich samstags "
         "abends vormittags ferien sommer winter weihnachten ostern herbst frühjahr maßnahme "
         "größe fußgängerzone außenbereich hausaufgaben fußball sprachcafé computer handy "
         "tablet internet bewerbung wohnung möbel kleidung lebensmittel spenden sortieren "
         "ausgeben aufbauen abbauen plakate flyer kuchen kaffee musik chor theater malen "
         "basteln nähen stricken wandern schwimmen laufen tanzen singen vorlesen zuhören "
         "trösten pflegen füttern gassi tierheim feuerwehr rettung sanitäter katastrophe "
         "hochwasser geflüchtete ankommen behördengänge dolmetschen alltag einsamkeit "
         "demenz hospiz trauer nachhilfe mathematik englisch ausbildung praktikum beruf "
         "verwaltung bürgermeister kreistag sparkasse hochschule unternehmen netzwerk "
         "koordinierungsstelle förderung budget landesprogramm evaluation wirkung "
         "ausgangslage ansatz umsetzung ergebnisse stolpersteine übertragbarkeit")
_HEADS = _words("Kinder Jugend Senioren Familien Nachbarschafts Stadt Dorf Schul Sport Kultur "
          "Umwelt Garten Lese Sprach Bürger Ehrenamts Vereins Bildungs Pflege Rad Wald Wasser Müll "
          "Straßen Spiel Koch Musik Kunst Tier Hilfs Begegnungs Integrations Demokratie Klima "
          "Repair Computer Fußball Theater Hospiz Tafel")
_TAILS = _words("gruppe treff arbeit hilfe projekt fest kreis zentrum verein dienst patenschaft "
          "werkstatt aktion börse netz raum garten café abend kurs tag woche beirat stiftung "
          "initiative büro platz haus laden team")
COMPOUNDS = [(h + t).lower() for h in _HEADS for t in _TAILS]


QUERY_WORDS = ["kinder", "lesen", "garten", "senioren", "sprachcafé", "hausaufgaben", "müll",
               "fußball", "wald", "bücherei", "nachhilfe", "demenz", "tafel", "fahrdienst",
               "repair", "übersetzen", "bürgerstiftung", "klima", "straße"]


def zipf_vocabulary(rng: random.Random, size: int = 30_000) -> tuple[list[str], list[float]]:
    """A Zipf-distributed vocabulary (weight ∝ 1/rank) of `size` words: the domain words and
    compounds above at random ranks between 10 and 3 000, the rest pronounceable made-up words.
    A word at rank 15 ends up in roughly half of the opportunities, rank 3 000 in well under
    1 % — the spread of real ads, from "Kinder" to "Demenz"."""
    syllables = _words("ba be bi bo bu da de di do ka ke ki ko la le li lo ma me mi mo na ne ni no "
                 "ra re ri ro sa se si so ta te ti to wa we wi ber der ger len ner ter ung "
                 "schaft heit keit lich isch")
    filler: list[str] = []
    seen: set[str] = set()
    while len(filler) < size:
        word = "".join(rng.choices(syllables, k=rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            filler.append(word)
    words = filler[:size]
    domain = list(dict.fromkeys(WORDS + rng.sample(COMPOUNDS, 300)))
    ranks = rng.sample(range(10, 3000), len(domain))
    for word, rank in zip(domain, ranks, strict=True):
        words[rank] = word
    for word, rank in zip(QUERY_WORDS, (15, 60, 120, 40, 900, 300, 400, 250, 200, 700, 500,
                                        800, 350, 1500, 2000, 600, 2500, 1000, 90),
                          strict=True):
        if word in words:
            words[words.index(word)] = words[rank]
        words[rank] = word
    return words, [1 / (rank + 1) for rank in range(len(words))]


def text(rng: random.Random, vocab: tuple[list[str], list[float]], n: int) -> str:
    content = rng.choices(vocab[0], weights=vocab[1], k=n)
    return " ".join(rng.choice(STOPWORDS) if rng.random() < 0.35 else w for w in content)


REGIONS = [b.value for b in Bundesland]
STATUSES = ["open"] * 17 + ["paused", "closed", "filled"]
PRACTICE_STATUS = ["idea", "pilot", "running", "running", "completed", "discontinued"]
START = datetime(2025, 1, 1, tzinfo=UTC)


def _bar(values) -> str:
    return "|" + "".join(f"{v}|" for v in values)


def make_item(i: int, rng: random.Random, origins: list[str], vocab) -> SearchItem:
    local = rng.random() < 0.3
    origin = "musterstadt.example" if local else rng.choice(origins)
    city = origin.split(".")[0].capitalize()
    published = START + timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
    region = rng.choice(REGIONS)
    if rng.random() < 0.75:
        title = f"{rng.choice(TASKS)} {rng.choice(PLACES)}"
        body_text = text(rng, vocab, rng.randint(40, 250))
        kind = rng.choice(list(OpportunityKind)).value
        hours = rng.choice([None, 0.5, 1, 1.5, 2, 3, 4, 6, 8, 10])
        dated = kind in ("one-off", "shifts") or rng.random() < 0.3
        start = START + timedelta(days=rng.randrange(0, 900), hours=rng.randrange(8, 19))
        end = start + timedelta(hours=rng.randint(2, 6) if kind == "one-off"
                                else 24 * rng.randint(7, 200))
        columns = {
            "opp_kind": kind,
            "cause_areas": _bar(rng.sample([c.value for c in CauseArea], rng.randint(1, 3))),
            "activity_types": _bar(rng.sample([a.value for a in ActivityType],
                                              rng.randint(1, 2))),
            "suitable_for": _bar(rng.sample([s.value for s in SuitableFor], rng.randint(0, 3))),
            "remote": rng.choice([Remote.NO.value] * 6 + [Remote.POSSIBLE.value,
                                                          Remote.FULL.value]),
            "hours_per_week": hours,
            "start": iso(start) if dated else None, "end": iso(end) if dated else None,
            "min_age": rng.choice([None, None, 14, 16, 16, 18, 18, 21]),
            "region": region, "status": rng.choice(STATUSES), "published": iso(published)}
        item_kind = "opportunity"
        summary, body = body_text[:300], f"{body_text} {city} {rng.choice(PLACES)}"
    else:
        title = f"{rng.choice(PRACTICES)} {city}"
        summary = text(rng, vocab, 70)[:500]
        body = f"{summary} {text(rng, vocab, rng.randint(150, 1500))}"
        columns = {
            "themes": _bar(rng.sample([t.value for t in PracticeTheme], rng.randint(1, 4))),
            "sectors": _bar(rng.sample([s.value for s in Sector], rng.randint(1, 4))),
            "region": region, "status": rng.choice(PRACTICE_STATUS),
            "published": iso(published)}
        item_kind = "practice"
    path = "angebote" if item_kind == "opportunity" else "praxis"
    ap_id = f"https://{origin}/{path}/{i:08x}"
    return SearchItem(ap_id=ap_id, kind=item_kind, local=local, origin=origin,
                      origin_name=f"Engagierte Stadt {city}",
                      actor=f"https://{origin}/actors/verein{i % 40}", url=ap_id, title=title,
                      summary=summary, body=body, columns=columns)


def generate(path: Path, n: int, seed: int = 7) -> float:
    rng = random.Random(seed)
    origins = [f"stadt{k:03d}.example" for k in range(119)]  # and the local city: 120
    vocab = zipf_vocabulary(rng)
    store = Store.open(path)
    started = time.perf_counter()
    batch = 5000
    for first in range(0, n, batch):
        with store.tx():
            for i in range(first, min(first + batch, n)):
                search.index(store, make_item(i, rng, origins, vocab))
    store.execute("PRAGMA optimize")
    store.execute("INSERT INTO search_text(search_text) VALUES ('optimize')")
    store.close()
    return time.perf_counter() - started


def families(rng: random.Random) -> dict[str, callable]:
    """Query strings as a client would send them, one generator per family."""
    words = ["lesen", "Müll", "Muell", "garten", "Straße", "senioren", "fahrdienst", "kinder",
             "Repair", "übersetz", "fußball", "sprachcafé", "hausaufgaben", "wald", "bücherei",
             "Nachhilfe", "demenz", "tafel", "Bürgerstiftung", "klima", "Kinder Garten",
             "lese paten", "senior"]
    causes = [c.value for c in CauseArea]
    themes = [t.value for t in PracticeTheme]

    def pick(values):
        return rng.choice(values)

    judged = [q.partition("@")[0] for _, queries in CASES for q in queries]

    return {
        "text only": lambda: {"q": pick(words)},
        "judged German (forms, compounds, typos, synonyms)": lambda: {"q": pick(judged)},
        "three-letter prefix": lambda: {"q": pick(["kin", "gar", "sch", "sta", "ver", "lei",
                                                   "hil", "mül", "spr", "ein"])},
        "text + kind + region": lambda: {"q": pick(words), "kind": "opportunity",
                                         "region": pick(REGIONS)},
        "text + cause + hours": lambda: {"q": pick(words), "cause_area": pick(causes),
                                         "max_hours_per_week": pick(["1", "2", "4"])},
        "two words + origin": lambda: {"q": f"{pick(words)} {pick(words)}",
                                       "origin": f"stadt{rng.randrange(119):03d}.example"},
        "filters: kind + cause + region": lambda: {"kind": "opportunity",
                                                   "cause_area": pick(causes),
                                                   "region": pick(REGIONS)},
        "filters: opp_kind + hours + age": lambda: {"opp_kind": pick(["regular", "flexible"]),
                                                    "max_hours_per_week": "2",
                                                    "age": pick(["14", "16", "18"])},
        "filters: date range + suitable": lambda: {
            "date_from": f"2026-{rng.randint(1, 12):02d}-01T00:00:00Z",
            "date_to": f"2026-{rng.randint(1, 12):02d}-28T23:59:59Z",
            "suitable_for": pick([s.value for s in SuitableFor])},
        "filters: practice theme + sector": lambda: {"kind": "practice", "theme": pick(themes),
                                                     "sector": pick([s.value for s in Sector])},
        "filters: remote full": lambda: {"remote": "full", "include_inactive": "true"},
        "all, newest first": lambda: {},
        "paging: offset 20–200": lambda: {"kind": "opportunity",
                                          "offset": str(20 * rng.randint(1, 10))},
        "paging: text, offset 40–400": lambda: {"q": pick(words),
                                                "offset": str(40 * rng.randint(1, 10))},
        "paging: deep, offset 2000": lambda: {"offset": "2000", "limit": "20"},
    }


def rss_mb() -> tuple[float, float]:
    """(current VmRSS, peak VmHWM) of this process in MiB."""
    values = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(("VmRSS:", "VmHWM:")):
                values[line.split(":")[0]] = int(line.split()[1]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def measure(path: str, rounds: int, seed: int, out: mp.Queue) -> None:
    rng = random.Random(seed)
    store = Store.open(path)
    synonyms = load_synonyms()
    results: dict[str, list[float]] = {}
    totals: dict[str, list[int]] = {}
    gens = families(rng)
    # one warm-up pass over every family (opens the FTS segments, fills SQLite's page cache)
    for gen in gens.values():
        search.search(store, parse_query(gen()), synonyms)
    for _ in range(rounds):
        for name, gen in gens.items():
            params = gen()
            t0 = time.perf_counter()
            total, _rows = search.search(store, parse_query(params), synonyms)
            results.setdefault(name, []).append((time.perf_counter() - t0) * 1000)
            totals.setdefault(name, []).append(total)
    # Hostile input, reported apart (not a typical query): many short and broad words.
    hostile = {}
    for q in ("a b c d e f g h i j k l", "sch ver ein be ge an ab zu",
              "scha schaf stadt keit lich heit isch", "e " * 99):
        t0 = time.perf_counter()
        search.search(store, parse_query({"q": q}), synonyms)
        hostile[q.strip()[:40]] = (time.perf_counter() - t0) * 1000
    current, peak = rss_mb()
    out.put({"results": results, "totals": totals, "rss": current, "peak": peak,
             "hostile": hostile,
             "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=240_000, help="objects to index")
    parser.add_argument("--judged-filler", type=int, default=20_000,
                        help="filler objects around the judged set (relevance phase)")
    parser.add_argument("-r", type=int, default=300, help="rounds over all query families")
    parser.add_argument("--keep", help="write the database into this folder and keep it")
    parser.add_argument("--reuse", help="measure an existing bench database (skip phase 1)")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    if args.reuse:
        path = Path(args.reuse) / "search-bench.sqlite3"
        gen_s = None
    else:
        folder = Path(args.keep) if args.keep else Path(tmp.name)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "search-bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        gen_s = generate(path, args.n)
    conn = sqlite3.connect(path)
    counts = dict(conn.execute("SELECT kind, count(*) FROM search_items GROUP BY kind").fetchall())
    local = conn.execute("SELECT count(*) FROM search_items WHERE local = 1").fetchone()[0]
    origins = conn.execute("SELECT count(DISTINCT origin) FROM search_items").fetchone()[0]
    conn.close()
    size_mb = sum(os.path.getsize(f"{path}{s}") for s in ("", "-wal")
                  if os.path.exists(f"{path}{s}")) / 2**20

    judged = corpus(args.judged_filler)
    judged_store = Store.memory()
    build(judged_store, judged)
    recall, mrr, missed = evaluate(judged_store, judged, load_synonyms())
    judged_store.close()
    n_objects = sum(counts.values())

    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=measure, args=(str(path), args.r, 11, out))
    proc.start()
    report = out.get()
    proc.join()

    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, {platform.platform()}")
    print(f"indexed: {sum(counts.values())} objects ({counts.get('opportunity', 0)} "
          f"opportunities, {counts.get('practice', 0)} practices; {local} local, "
          f"{sum(counts.values()) - local} remote from {origins - 1} other domains); "
          f"database {size_mb:.0f} MiB, {size_mb * 2**20 / max(n_objects, 1):.0f} bytes per "
          f"object" + (f"; generated in {gen_s:.0f} s" if gen_s else ""))
    print(f"relevance: {len(judged.relevant)} judged queries over {len(judged.items)} objects: "
          f"recall@10 {recall:.3f}, MRR {mrr:.3f}; below full recall: {missed}")
    print(f"\n{'query family':50} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'hits p50':>9}")
    every: list[float] = []
    for name, values in report["results"].items():
        every += values
        print(f"{name:50} {pct(values, 50):7.2f} {pct(values, 99):7.2f} {max(values):7.2f} "
              f"{int(statistics.median(report['totals'][name])):9d}")
    p50, p99 = pct(every, 50), pct(every, 99)
    print(f"{'all ' + str(len(every)) + ' queries':50} {p50:7.2f} {p99:7.2f} {max(every):7.2f}")
    print(f"(hits: `total` as the search returns it — counted up to "
          f"{search.COUNT_BOUND}, or to the page asked for; one more means more than that)")
    print("\nhostile queries (once each, not in the figures above):")
    for q, ms in report["hostile"].items():
        print(f"  q={q!r:44} {ms:7.2f} ms")
    print(f"\nRSS of the measuring process: {report['rss']:.0f} MiB now, peak "
          f"{report['peak']:.0f} MiB (getrusage ru_maxrss {report['maxrss']:.0f} MiB)")
    ok_latency = p99 <= TARGET_P99_MS
    ok_rss = report["peak"] <= TARGET_RSS_MB
    ok_recall = recall >= TARGET_RECALL
    print(f"targets: p99 ≤ {TARGET_P99_MS:.0f} ms: {'met' if ok_latency else 'MISSED'}; "
          f"RSS ≤ {TARGET_RSS_MB:.0f} MB: {'met' if ok_rss else 'MISSED'}; "
          f"recall@10 ≥ {TARGET_RECALL}: {'met' if ok_recall else 'MISSED'}")
    tmp.cleanup()
    return 0 if ok_latency and ok_rss and ok_recall else 1


if __name__ == "__main__":
    sys.exit(main())
