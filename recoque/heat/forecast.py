"""Daily temperature forecasts: read (CSV or JSON, documented in docs/heat.md), check, repair.

Pure functions: nothing here touches the store. A forecast is refused with the line and the
problem, or repaired by the stated rules of vigilance.yaml and the repairs are reported:

- units: ``unit`` F (per row in CSV, or for the file in JSON) is converted to °C and reported;
  an undeclared value outside the plausible °C range is refused ("declare unit F");
- duplicates: identical rows for a day are dropped; different values for one day are refused;
- order: days out of order are sorted;
- gaps: up to ``max_gap_days`` missing days or values are interpolated linearly; longer refused.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from recoque.core.errors import RecoqueError
from recoque.core.parameters import ParameterFile

PARAMETERS = ParameterFile(__file__, "vigilance.yaml")


class ForecastError(RecoqueError):
    """A forecast that cannot be used; the message names the line and the problem."""


@dataclass
class Forecast:
    departement: str
    source: str
    days: pd.DataFrame          # date (datetime64), tmin, tmax (°C), repaired (bool)
    repairs: list[str] = field(default_factory=list)


def _number(value, where: str, name: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value).replace(",", "."))
    except ValueError:
        raise ForecastError(f"{where}: {name} {value!r} is not a number") from None
    if math.isnan(number):
        return None
    return number


def _day(value, where: str) -> date:
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ForecastError(f"{where}: date {value!r} is not YYYY-MM-DD") from None


def _rows_from_csv(text: str) -> tuple[list[dict], dict]:
    reader = csv.DictReader(io.StringIO(text))
    columns = {c.strip().lower() for c in (reader.fieldnames or [])}
    missing = {"date", "tmin", "tmax"} - columns
    if missing:
        raise ForecastError(f"line 1: missing column(s) {', '.join(sorted(missing))}; expected date,tmin,tmax[,unit]")
    rows = []
    for n, raw in enumerate(reader, start=2):
        row = {k.strip().lower(): v for k, v in raw.items() if k}
        rows.append({"where": f"line {n}", **row})
    return rows, {}


def _rows_from_json(text: str) -> tuple[list[dict], dict]:
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ForecastError(f"line {exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("days"), list):
        raise ForecastError('the JSON forecast must be an object with a "days" list')
    head = {k: payload[k] for k in ("departement", "unit", "source") if k in payload}
    rows = []
    for i, day in enumerate(payload["days"]):
        if not isinstance(day, dict):
            raise ForecastError(f"days[{i}]: expected an object with date, tmin, tmax")
        rows.append({"where": f"days[{i}]", **{k.lower(): v for k, v in day.items()}})
    return rows, head


def check_size(raw: bytes | str) -> None:
    """Refuse at once a text larger than a season could need (vigilance.yaml max_upload_bytes)."""
    limit = PARAMETERS["max_upload_bytes"]["value"]
    size = len(raw.encode("utf-8") if isinstance(raw, str) else raw)
    if size > limit:
        raise ForecastError(f"fichier trop volumineux ({size:,} octets, au plus {limit:,}) : une prévision tient "
                            "en quelques kilo-octets (une ligne par jour, une saison au plus)".replace(",", "\u202f"))


def parse(text: str, *, fmt: str, departement: str = "75", source: str = "") -> Forecast:
    """A checked, repaired forecast from CSV or JSON text."""
    check_size(text)
    p = PARAMETERS
    rows, head = _rows_from_csv(text) if fmt == "csv" else _rows_from_json(text)
    departement = str(head.get("departement", departement))
    if departement not in p["thresholds"]:
        known = ", ".join(sorted(p["thresholds"]))
        raise ForecastError(f"département {departement!r} has no IBM thresholds in vigilance.yaml (known: {known})")
    if not rows:
        raise ForecastError("the forecast has no day")
    file_unit = str(head.get("unit", "C")).upper()
    repairs: list[str] = []
    lo, hi = p["plausible_celsius"]["min"], p["plausible_celsius"]["max"]
    record = p["record_celsius"]
    clean: list[dict] = []
    converted = 0
    for row in rows:
        where = row["where"]
        day = _day(row.get("date"), where)
        unit = str(row.get("unit") or file_unit).strip().upper().replace("°", "")
        if unit not in ("C", "F"):
            raise ForecastError(f"{where}: unit {unit!r} is not C or F")
        values = {}
        for name in ("tmin", "tmax"):
            v = _number(row.get(name), where, name)
            if v is not None and unit == "F":
                v = (v - 32.0) * 5.0 / 9.0
            if v is not None and not lo <= v <= hi:
                hint = " — if the file is in °F, declare unit F" if unit == "C" and v > hi else ""
                raise ForecastError(f"{where}: {name} {v:g} °C is outside {lo}…{hi} °C{hint}")
            values[name] = v
        if unit == "C" and departement == "75":
            for name in ("tmin", "tmax"):
                v = values[name]
                if v is not None and v > record[name]:
                    raise ForecastError(f"{where}: {name} {v:g} °C est au-dessus des records de Paris (au plus "
                                        f"{record[name]:g} °C) — si le fichier est en °F, déclarez l'unité F "
                                        "(declare unit F)")
        converted += unit == "F"
        if values["tmin"] is not None and values["tmax"] is not None and values["tmin"] > values["tmax"]:
            raise ForecastError(f"{where}: tmin {values['tmin']:.1f} is above tmax {values['tmax']:.1f}")
        clean.append({"where": where, "date": day, **values})
    if converted:
        repairs.append(f"{converted} day(s) converted from °F to °C")
    frame = pd.DataFrame(clean)
    first_day, last_day = min(frame["date"]), max(frame["date"])
    if first_day.year < p["first_year"]:
        raise ForecastError(f"la série commence le {first_day} : aucune prévision avant {p['first_year']}")
    span = (last_day - first_day).days + 1
    if span > p["max_days"]["value"]:
        raise ForecastError(f"la série couvre {span} jours ({first_day} → {last_day}) : une prévision tient en une "
                            f"saison, au plus {p['max_days']['value']} jours")
    # duplicates
    dup = frame[frame.duplicated("date", keep=False)]
    for day, group in dup.groupby("date"):
        first = group.iloc[0]
        for _, other in group.iloc[1:].iterrows():
            same = all((pd.isna(first[c]) and pd.isna(other[c])) or first[c] == other[c] for c in ("tmin", "tmax"))
            if not same:
                raise ForecastError(f"{other['where']}: {day} is given twice with different values "
                                    f"(first at {first['where']})")
        repairs.append(f"{day}: duplicate line(s) {', '.join(group['where'].iloc[1:])} dropped")
    frame = frame.drop_duplicates("date", keep="first")
    if not frame["date"].is_monotonic_increasing:
        repairs.append("days were out of order: sorted by date")
        frame = frame.sort_values("date")
    frame = frame.set_index(pd.DatetimeIndex(pd.to_datetime(frame["date"]), name="date"))[["tmin", "tmax"]]
    full = pd.date_range(frame.index.min(), frame.index.max(), freq="D", name="date")
    frame = frame.reindex(full)
    missing = frame[["tmin", "tmax"]].isna().any(axis=1)
    if missing.any():
        runs = (missing != missing.shift()).cumsum()[missing]
        limit = p["repair"]["max_gap_days"]
        for _, run in runs.groupby(runs):
            first, last = run.index[0], run.index[-1]
            if len(run) > limit or first == frame.index[0] or last == frame.index[-1]:
                raise ForecastError(f"{first.date()} → {last.date()}: {len(run)} day(s) without a complete "
                                    f"forecast; at most {limit} inside the series can be interpolated")
        frame[["tmin", "tmax"]] = frame[["tmin", "tmax"]].interpolate(method="time", limit_area="inside")
        days = ", ".join(str(d.date()) for d in frame.index[missing.to_numpy()])
        repairs.append(f"interpolated (linear, between neighbouring days): {days}")
    frame["repaired"] = missing.to_numpy()
    return Forecast(departement, source or str(head.get("source", "")), frame.reset_index(), repairs)


def read(path: Path, *, departement: str = "75") -> Forecast:
    path = Path(path)
    if not path.exists():
        raise ForecastError(f"{path}: no such file")
    fmt = "json" if path.suffix.lower() == ".json" else "csv"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ForecastError(f"{path}: not UTF-8 text") from None
    return parse(text, fmt=fmt, departement=departement, source=str(path.name))


def fetch(url: str, *, departement: str = "75", timeout_s: float = 20.0) -> Forecast:
    """The optional HTTP feed adapter (same JSON or CSV shapes); the default is a file."""
    import httpx

    try:
        response = httpx.get(url, timeout=timeout_s)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise ForecastError(f"{url}: {exc}") from None
    kind = "json" if "json" in response.headers.get("content-type", "") or url.endswith(".json") else "csv"
    return parse(response.text, fmt=kind, departement=departement, source=url)


def to_csv(frame: pd.DataFrame) -> str:
    """The documented CSV shape of a frame with date, tmin, tmax (°C)."""
    out = frame[["date", "tmin", "tmax"]].copy()
    out["date"] = pd.to_datetime(out["date"]).dt.strftime("%Y-%m-%d")
    return out.to_csv(index=False, float_format="%.1f")
