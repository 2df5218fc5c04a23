"""Import time and cost per sentence of reading an event day: PyPI's dateparser against
sitegen's table of words (site_builder/sources/eventinference.py).

    python benchmarks/event_inference.py      # needs `pip install dateparser`, which sitegen does not
"""

from __future__ import annotations

import datetime
import subprocess
import sys
import time

SENTENCE = ("BEIJING (Sputnik) - Chinese President Xi Jinping, in a New Year telegram to Russian "
            "President Vladimir Putin, expressed the willingness to maintain close contacts with "
            "him in the new year, Chinese television reported on Saturday.")
PUBLISHED = datetime.datetime(2022, 12, 31)   # a Saturday


def import_ms(module: str, runs: int = 3) -> float:
    """Return the fastest of runs fresh imports of module, in milliseconds."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    return 1000 * min(float(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                           text=True, check=True).stdout) for _ in range(runs))


def per_call_ms(call, runs: int) -> float:
    """Return the mean time of a call after a first one, in milliseconds."""
    call()
    start = time.perf_counter()
    for _ in range(runs):
        call()
    return 1000 * (time.perf_counter() - start) / runs


def main() -> None:
    """Print both tools' import time, cost per sentence and reading of the seed's sentence."""
    from dateparser.search import search_dates
    from site_builder.sources.eventinference import infer_from_sentence
    settings = {"RELATIVE_BASE": PUBLISHED, "PREFER_DATES_FROM": "past"}
    print(f"dateparser: import {import_ms('dateparser.search'):.0f} ms, "
          f"{per_call_ms(lambda: search_dates(SENTENCE, languages=['en', 'ru'], settings=settings), 200):.2f} ms"
          f" per sentence, reads {search_dates(SENTENCE, languages=['en', 'ru'], settings=settings)}")
    print(f"table: import {import_ms('site_builder.sources.eventinference'):.0f} ms (sitegen's own "
          f"modules included), {per_call_ms(lambda: infer_from_sentence(SENTENCE, PUBLISHED.date()), 2000):.3f} ms"
          f" per sentence, reads {infer_from_sentence(SENTENCE, PUBLISHED.date())}")


if __name__ == "__main__":
    main()
