"""Network search, CPU time per query: the query families of ``bench/search.py`` on an existing
bench database, each query timed with ``time.process_time`` (the CPU this process spent, user
and system — on a machine shared with other jobs this moves far less than wall-clock time), and
split into the hits pass (`models.search._newest`, counting and the unranked page) and the rest
(plan, ranking, rows).

    .venv/bin/python bench/search_cpu.py --reuse DIR [-r 50] [--seed 11]

DIR is a folder written by ``bench/search.py --keep DIR``. One warm-up pass over every family
runs first, as in ``bench/search.py``.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import search as bench_search  # noqa: E402

from mitwirken.models import search  # noqa: E402
from mitwirken.models.search_analysis import load_synonyms  # noqa: E402
from mitwirken.models.store import Store  # noqa: E402
from mitwirken.server.web.network import parse_query  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reuse", required=True, help="folder of a bench database")
    parser.add_argument("-r", type=int, default=50, help="rounds over all query families")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    store = Store.open(Path(args.reuse) / "search-bench.sqlite3")
    synonyms = load_synonyms()
    gens = bench_search.families(random.Random(args.seed))
    hits_pass: list[float] = []
    newest = getattr(search, "_newest", None)  # older checkouts (A/B runs) have none

    def timed_newest(store_: Store, plan: search.Plan, bound: int) -> list[int]:
        started = time.process_time()
        try:
            return newest(store_, plan, bound)  # type: ignore[misc]
        finally:
            hits_pass.append(time.process_time() - started)

    if newest is not None:
        search._newest = timed_newest  # type: ignore[attr-defined]
    for gen in gens.values():
        search.search(store, parse_query(gen()), synonyms)
    cpu: dict[str, list[float]] = {}
    part: dict[str, list[float]] = {}
    for _ in range(args.r):
        for name, gen in gens.items():
            query = parse_query(gen())
            hits_pass.clear()
            started = time.process_time()
            search.search(store, query, synonyms)
            cpu.setdefault(name, []).append((time.process_time() - started) * 1000)
            part.setdefault(name, []).append(sum(hits_pass) * 1000)
    print(f"{'query family (CPU ms)':50} {'p50':>6} {'p99':>6} {'max':>6} {'hits pass':>9}")
    every: list[float] = []
    for name, values in cpu.items():
        every += values
        mean_part = sum(part[name]) / len(part[name])
        print(f"{name:50} {pct(values, 50):6.2f} {pct(values, 99):6.2f} {max(values):6.2f} "
              f"{mean_part:9.2f}")
    print(f"{'all ' + str(len(every)) + ' queries':50} {pct(every, 50):6.2f} "
          f"{pct(every, 99):6.2f} {max(every):6.2f}")
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
