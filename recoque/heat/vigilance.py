"""Heat vigilance from a forecast: IBM (3-day means), levels 1–4 by the rules of vigilance.yaml,
and alert episodes. One alert model for every hazard (heat is computed; cold, storm and flood are
declared from published vigilance)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recoque.heat.forecast import PARAMETERS, ForecastError

LEVEL_NAMES = {1: "green", 2: "yellow", 3: "orange", 4: "red"}
#: the levels as French readers name them (0: no level computed)
LEVEL_FR = {0: "—", 1: "vert", 2: "jaune", 3: "orange", 4: "rouge"}


@dataclass(frozen=True)
class Alert:
    """One day of vigilance for one hazard in one département."""

    hazard: str           # heat | cold | storm | flood (vigilance.yaml "hazards")
    departement: str
    day: str              # YYYY-MM-DD
    level: int            # 1 green … 4 red
    source: str           # computed | published
    reason: str = ""


def hazards() -> dict:
    return PARAMETERS["hazards"]


def thresholds(departement: str) -> dict:
    try:
        return PARAMETERS["thresholds"][departement]
    except KeyError:
        raise ForecastError(f"département {departement!r} has no IBM thresholds in vigilance.yaml") from None


def ibm(days: pd.DataFrame) -> pd.DataFrame:
    """IBMmin/IBMmax of day J: mean of J, J+1, J+2 (NaN for the last two days of a forecast)."""
    n = PARAMETERS["ibm_window_days"]
    out = days.copy()
    for col, name in (("tmin", "ibm_min"), ("tmax", "ibm_max")):
        out[name] = out[col][::-1].rolling(n, min_periods=n).mean()[::-1]
    return out


def levels(days: pd.DataFrame, departement: str) -> pd.DataFrame:
    """Adds ibm_min, ibm_max, level (1–4; 0 where the IBM cannot be computed) and reason."""
    p = PARAMETERS
    s = thresholds(departement)
    out = ibm(days)
    smin, smax = s["ibm_min"], s["ibm_max"]
    ymar = p["yellow_margin"]["value"]
    rmax, rmin = p["red_margin"]["ibm_max"], p["red_margin"]["ibm_min"]
    imin, imax = out["ibm_min"].to_numpy(), out["ibm_max"].to_numpy()
    known = ~np.isnan(imin) & ~np.isnan(imax)
    orange = known & (imin >= smin) & (imax >= smax)
    red = orange & ((imax >= smax + rmax) | (imin >= smin + rmin))
    peak = (out["tmin"].to_numpy() >= smin) & (out["tmax"].to_numpy() >= smax)
    yellow = known & (((imin >= smin - ymar) & (imax >= smax - ymar)) | peak)
    level = np.where(red, 4, np.where(orange, 3, np.where(yellow, 2, 1)))
    out["level"] = np.where(known, level, 0).astype(int)
    reasons = np.full(len(out), "", dtype=object)
    reasons[known & (level == 1)] = "IBM sous les seuils"
    reasons[yellow & ~orange & peak] = "pic de chaleur"
    reasons[yellow & ~orange & ~peak] = f"IBM à moins de {ymar} °C des seuils"
    reasons[orange & ~red] = f"IBMmin ≥ {smin} °C et IBMmax ≥ {smax} °C"
    reasons[red] = "canicule extrême"
    reasons[~known] = "IBM incalculable (moins de 3 jours de prévision après ce jour)"
    out["reason"] = reasons
    return out


def episodes(frame: pd.DataFrame, *, from_level: int | None = None) -> list[dict]:
    """Consecutive days at or above the alert level: start, end, days, highest level."""
    from_level = from_level or PARAMETERS["alert_level"]
    on = (frame["level"] >= from_level).to_numpy()
    found = []
    start = None
    for i, flag in enumerate(np.r_[on, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            part = frame.iloc[start:i]
            found.append({"start": str(pd.Timestamp(part["date"].iloc[0]).date()),
                          "end": str(pd.Timestamp(part["date"].iloc[-1]).date()),
                          "days": int(i - start), "max_level": int(part["level"].max())})
            start = None
    return found


def episode_of(frame: pd.DataFrame, day: str) -> str | None:
    """The start day of the alert episode containing ``day`` (its id), or None."""
    for e in episodes(frame):
        if e["start"] <= day <= e["end"]:
            return e["start"]
    return None


def alerts(frame: pd.DataFrame, departement: str) -> list[Alert]:
    return [Alert("heat", departement, str(pd.Timestamp(d).date()), int(lv), "computed", r)
            for d, lv, r in zip(frame["date"], frame["level"], frame["reason"]) if lv > 0]


def in_season(day: pd.Timestamp) -> bool:
    s = PARAMETERS["season"]
    md = f"{day.month:02d}-{day.day:02d}"
    return s["start"] <= md <= s["end"]
