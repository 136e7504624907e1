"""Real past summers bundled in data/climate/ (SOURCES.md), turned into the documented forecast
shape so that they replay offline through the same checks as any forecast.

- 2006–2010: NOAA GHCN-Daily, Paris-Montsouris, °C;
- 2011–2017: NOAA GHCN-Daily, Paris-Montsouris, °F (declared ``unit F``, converted on load);
- 2003 (no station series bundled): the maximum is read from the ERA-Interim 12:00 UTC 2 m
  temperature (grid point 14 km from Paris) and the minimum estimated as 2 × the Orly daily mean
  − that maximum. Both are stated proxies, not observations;
- 2023–2025: the published Météo-France vigilance record (levels, no temperatures).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from recoque.core.settings import get_settings
from recoque.heat import forecast as fc

FOLDER = "climate"
GHCN_METRIC = "ghcnd_FRM00007156_paris_montsouris_2006_2010_metric.csv"
GHCN_IMPERIAL = "ghcnd_FR000007150_paris_montsouris_2009_2017_imperial.csv"
ERA = "era_interim_t2m_12utc_paris_1979_2017.csv"
ORLY = "ecad_TG_STAID011249_orly_1921_2021.txt"
VIGILANCE = "vigilance_canicule_departements_2023_2025.csv"
PUBLISHED_YEARS = (2023, 2024, 2025)
DEFAULT_REPLAY = 2006


def _climate() -> Path:
    """The bundled climate files, in the settings' data folder (``RECOQUE_DATA_DIR``)."""
    return get_settings().data_dir / FOLDER


def available() -> list[int]:
    return [2003, *range(2006, 2018), *PUBLISHED_YEARS]


def _season(year: int) -> tuple[str, str]:
    s = fc.PARAMETERS["season"]
    return f"{year}-{s['start']}", f"{year}-{s['end']}"


def _ghcn(name: str) -> pd.DataFrame:
    return _read_ghcn(_climate() / name)


@lru_cache(maxsize=4)
def _read_ghcn(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, usecols=["DATE", "TMAX", "TMIN"], dtype={"DATE": str})
    return frame.rename(columns={"DATE": "date", "TMAX": "tmax", "TMIN": "tmin"})


def station_csv(year: int) -> str:
    """The season as a forecast CSV (date,tmin,tmax,unit), as the station published it."""
    name, unit = (GHCN_METRIC, "C") if 2006 <= year <= 2010 else (GHCN_IMPERIAL, "F")
    if not 2006 <= year <= 2017:
        raise fc.ForecastError(f"no station series bundled for {year} (2006–2017)")
    start, end = _season(year)
    frame = _ghcn(name)
    frame = frame[(frame["date"] >= start) & (frame["date"] <= end)].assign(unit=unit)
    return frame[["date", "tmin", "tmax", "unit"]].to_csv(index=False)


def reanalysis_csv(year: int = 2003) -> str:
    """Tmax from ERA-Interim noon temperature, Tmin = 2 × Orly daily mean − Tmax (stated proxies)."""
    era = pd.read_csv(_climate() / ERA, usecols=["Date", "Value at MetPoint"])
    era = pd.Series(era["Value at MetPoint"].to_numpy() - 273.15,
                    index=pd.to_datetime(era["Date"].astype(str), format="%Y%m%d"))
    orly = pd.read_csv(_climate() / ORLY, skiprows=19, skipinitialspace=True)
    orly.columns = [c.strip() for c in orly.columns]
    orly = orly[orly["Q_TG"] == 0]
    tg = pd.Series(orly["TG"].to_numpy() / 10.0, index=pd.to_datetime(orly["DATE"].astype(str), format="%Y%m%d"))
    start, end = _season(year)
    tmax = era[start:end]
    tmin = (2 * tg.reindex(tmax.index) - tmax).clip(upper=tmax)
    frame = pd.DataFrame({"date": tmax.index.strftime("%Y-%m-%d"), "tmin": tmin.round(1).to_numpy(),
                          "tmax": tmax.round(1).to_numpy()})
    return frame.to_csv(index=False)


def season(year: int) -> fc.Forecast:
    """A bundled real season as a checked forecast (with its repairs)."""
    if year == 2003:
        return fc.parse(reanalysis_csv(year), fmt="csv", source="ERA-Interim 12 UTC + ECA&D Orly (2003, proxies)")
    return fc.parse(station_csv(year), fmt="csv", source=f"NOAA GHCN-Daily Paris-Montsouris {year}")


def published(year: int, departement: str = "75") -> pd.DataFrame:
    """The published heat vigilance levels of a département for one summer: date, level."""
    if year not in PUBLISHED_YEARS:
        raise fc.ForecastError(f"the published vigilance record covers {PUBLISHED_YEARS[0]}–{PUBLISHED_YEARS[-1]}")
    frame = pd.read_csv(_climate() / VIGILANCE, dtype={"departement": str, "date": str})
    frame = frame[(frame["departement"] == departement) & frame["date"].str.startswith(str(year))]
    return pd.DataFrame({"date": pd.to_datetime(frame["date"]), "level": frame["niveau"].astype(int).to_numpy(),
                         "reason": "vigilance publiée par Météo-France"}).reset_index(drop=True)
