"""Print how long similar records take for every record of a log of 1k and 10k records,
next to two baselines measured in the same run: loading the records (the check that
`nearmiss similar` runs first, cold, no cache) and computing every `stats` figure of the
same records.

Two kinds of text, because similarity depends on the words more than any other feature:
- templated: benchmarks/generate.py's records, where every word is in every record or
  in one record only, so few words can tell records apart and queries are short;
- realistic: the same records with their text made of the sample log's sentences,
  recombined, with one word in six swapped for a word of a Zipf-distributed vocabulary
  (the sample's words and made-up ones), so word frequencies spread out as in a real log;
  every tenth record retells the one before it (half its story's sentences, words swapped
  again, and a little of its own), and "found" is the share of those retellings whose top
  5 has the record they retell: recall@5 at scale.

"all" is `similar_all` (the site's one pass): building the index, each record's query
and summing every query's postings; "index" is the first part alone; "cpu" is the CPU
seconds of "all" (the machine's other work adds to wall seconds, hardly to these). Each
time is the best of --repeat runs. Run: python benchmarks/bench_similar.py [N ...] [--repeat R]
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import sys
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402
from timing import best, best_cpu  # noqa: E402

from nearmiss.log import similar  # noqa: E402
from nearmiss.log.checker import check_tree  # noqa: E402
from nearmiss.log.figures import compute  # noqa: E402
from nearmiss.record.model import Record  # noqa: E402

SAMPLE = Path(__file__).resolve().parent.parent / "incidents"






class Realistic:
    """Record text recombined from the sample log's sentences, with words swapped."""

    def __init__(self, seed: int = 1) -> None:
        sample = check_tree(SAMPLE, date.today()).records
        self.rng = random.Random(seed)
        texts = [t for r in sample for t in (r.what_happened, r.caught_by,
                                             r.customer_impact, r.lessons, *r.whys) if t]
        self.sentences = [s.strip() for t in texts for s in re.split(r"(?<=[.!?])\s+", t)
                          if len(s.split()) > 3]
        self.titles = [r.title for r in sample]
        words = sorted({w.lower() for s in self.sentences for w in re.findall(r"[a-z]+", s,
                                                                               re.I)})
        made_up = ["".join(self.rng.choice("bcdfghklmnprstvz") + self.rng.choice("aeiou")
                           for _ in range(self.rng.randint(2, 4))) for _ in range(20_000)]
        self.vocabulary = words + made_up
        self.rng.shuffle(self.vocabulary)
        # Zipf: the k-th word is drawn in proportion to 1/k
        self.weights = list(itertools.accumulate(1 / k for k in
                                                 range(1, len(self.vocabulary) + 1)))

    def swapped(self, text: str) -> str:
        words = text.split()
        for k in range(len(words)):
            if self.rng.random() < 1 / 6:
                words[k] = self.rng.choices(self.vocabulary, cum_weights=self.weights)[0]
        return " ".join(words)

    def text(self, sentences: int) -> str:
        return self.swapped(" ".join(self.rng.sample(self.sentences, sentences)))

    def records(self, base: list[Record]) -> list[Record]:
        """``base`` with realistic text, every tenth retelling the record before it."""
        out = [self.record(r) for r in base]
        for i in range(1, len(out), 10):
            told = re.split(r"(?<=[.!?])\s+", out[i - 1].what_happened)
            kept = self.rng.sample(told, max(1, len(told) // 2))
            out[i] = replace(out[i], title=self.swapped(out[i - 1].title)[:120],
                             what_happened=self.swapped(" ".join(kept)) + " " + self.text(2))
        return out

    def record(self, r: Record) -> Record:
        return replace(r, title=self.swapped(self.rng.choice(self.titles))[:120],
                       what_happened=self.text(self.rng.randint(3, 6)),
                       caught_by=self.text(2) if r.caught_by else None,
                       customer_impact=self.text(2) if r.customer_impact else None,
                       lessons=self.text(2) if r.lessons else None,
                       whys=tuple(self.text(1) for _ in r.whys))


def measure(n: int, repeat: int, tmp: Path, realistic: Realistic) -> list[str]:
    folder = generate(n, tmp)
    records: list[Record] = []

    def load() -> None:
        records[:] = check_tree(folder, date.today()).records

    loading = best(load, repeat)
    stats = best(lambda: compute(records, check_tree(folder, date.today(),
                                                     records=False).taxonomy,
                                 date.today()), 1)
    lines = []
    for kind, texts in (("templated", records), ("realistic", realistic.records(records))):
        found: dict[str, tuple[similar.Match, ...]] = {}

        def every(t: list[Record] = texts,
                  into: dict[str, tuple[similar.Match, ...]] = found) -> None:
            into.update(similar.similar_all(t))

        index = best(lambda t=texts: similar.Index(t).close(), repeat)  # type: ignore[misc]
        seconds, cpu = best_cpu(every, repeat)
        retold = [(texts[i].id, texts[i - 1].id) for i in range(1, n, 10)]
        recall = sum(b in {m.id for m in found[a]} for a, b in retold) / len(retold)
        lines.append(f"{n:>6}  {kind:<9}  {loading:7.2f}  {stats:6.2f}  {index:6.2f}  "
                     f"{seconds:6.2f}  {cpu:6.2f}  {seconds / n * 1000:7.2f}  "
                     + (f"{recall:5.2f}" if kind == "realistic" else "    -"))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
          f"{similar.TERMS} words a query; seconds, best of {args.repeat}")
    print(f"{'records':>6}  {'text':<9}  {'load':>7}  {'stats':>6}  {'index':>6}  "
          f"{'all':>6}  {'cpu':>6}  {'ms/rec':>7}  found")
    realistic = Realistic()
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            for line in measure(n, args.repeat, Path(tmp), realistic):
                print(line, flush=True)


if __name__ == "__main__":
    main()
