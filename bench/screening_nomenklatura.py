"""Runs nomenklatura's name matchers on the labelled pairs of bench/screening_bench.py.

Executed by that bench with the interpreter of var/bench-nomenklatura (nomenklatura 4.17.4 needs
SQLAlchemy >= 2.1, the services pin 2.0): reads the pairs as JSON on stdin, prints the scores.
"""

import json
import sys
import time
from importlib.metadata import version

from followthemoney import model
from nomenklatura.matching import LogicV2, NameMatcher, OFACMatcher
from nomenklatura.matching.types import ScoringConfig


def entity(name: str, kind: str, key: str):
    proxy = model.make_entity("Person" if kind == "person" else "Organization")
    proxy.id = key
    proxy.add("name", name)
    return proxy


def main() -> None:
    pairs = json.load(sys.stdin)
    queries = [entity(p["query"], p["kind"], f"q{i}") for i, p in enumerate(pairs)]
    listed = [entity(p["listed"], p["kind"], f"l{i}") for i, p in enumerate(pairs)]
    results = []
    for algorithm in (NameMatcher, OFACMatcher, LogicV2):
        config = ScoringConfig.defaults()
        for key, var in algorithm.CONFIG.items():  # the algorithm's documented defaults
            config.config[key] = var.default
        algorithm.compare(queries[0], listed[0], config)  # warm up caches and lazy imports
        started = time.perf_counter()
        scores = [algorithm.compare(q, r, config).score for q, r in zip(queries, listed, strict=True)]
        results.append({"matcher": algorithm.NAME, "scores": scores, "seconds": time.perf_counter() - started})
    json.dump({"version": version("nomenklatura"), "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
