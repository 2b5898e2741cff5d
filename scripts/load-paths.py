#!/usr/bin/env python3
"""The request mix of the load scripts (scripts/load.sh, scripts/bench-replicas.sh): 4,000
request paths over a generated corpus (its queries.jsonl and case files), one per line on
standard output. Usage: scripts/load-paths.py CORPUS > paths.txt"""
import json, os, random, sys, urllib.parse
corpus = sys.argv[1]
rng = random.Random(7)
queries = [json.loads(line) for line in open(os.path.join(corpus, "queries.jsonl"))]
ids = sorted(name[:-3] for _, _, names in os.walk(os.path.join(corpus, "cases")) for name in names if name.endswith(".md"))
def query_string(request):
    pairs = []
    for key, value in request.items():
        for v in (value if isinstance(value, list) else [value]):
            pairs.append((key, str(v)))
    return urllib.parse.urlencode(pairs)
for n in range(4000):
    roll = rng.random()
    request = rng.choice(queries)
    if roll < 0.55:
        print("/api/search?" + query_string(request))
    elif roll < 0.70:
        print("/search?" + query_string(request))
    elif roll < 0.80:
        words = (request.get("q") or "innovazione").split()
        word = words[0] if words else "innovazione"
        print("/api/suggest?" + urllib.parse.urlencode({"q": word[: rng.randint(2, max(2, len(word)))]}))
    elif roll < 0.92:
        print("/cases/" + rng.choice(ids))
    elif roll < 0.96:
        print("/api/cases/" + rng.choice(ids) + "/similar")
    elif roll < 0.98:
        print("/")
    else:
        print("/api/facets")
