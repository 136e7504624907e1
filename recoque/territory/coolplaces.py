"""Cool places and drinking fountains: the bundled real lists, their opening hours, and the
nearest open one for each person by walking distance (straight line × detour factor, stated in
coolplaces.yaml; scipy's cKDTree on Lambert-93 coordinates)."""

from __future__ import annotations

import json
import re
from datetime import date, time
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer
from scipy.spatial import cKDTree

from recoque.core.parameters import ParameterFile
from recoque.core.settings import get_settings
from recoque.core.typography import place_name

FOLDER = "green_cool"
PLACES = "ilots_fraicheur_equipements_activites_paris.json"
FOUNTAINS = "fontaines_a_boire_paris.json"
DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_INTERVAL = re.compile(r"(\d{1,2})\s*[h:H]\s*(\d{2})?\s*-\s*(\d{1,2})\s*[h:H]\s*(\d{2})?")
_PERIOD = re.compile(r"du (\d{2})/(\d{2})/\d{2} au (\d{2})/(\d{2})/\d{2}")


PARAMETERS = ParameterFile(__file__, "coolplaces.yaml")


def parse_hours(text: str | None) -> list[tuple[int, int]] | None:
    """Opening intervals in minutes of the day; [] when closed; None when not published."""
    if text is None or not str(text).strip():
        return None
    text = str(text).strip()
    if text in ("-", "Fermé", "fermé"):
        return []
    found = [(int(a) * 60 + int(b or 0), int(c) * 60 + int(d or 0)) for a, b, c, d in _INTERVAL.findall(text)]
    return [iv for iv in found if iv[0] < iv[1]] or None


def _in_period(period: str | None, day: date) -> bool:
    m = _PERIOD.search(period or "")
    if not m:
        return True
    d1, m1, d2, m2 = map(int, m.groups())
    md, start, end = (day.month, day.day), (m1, d1), (m2, d2)
    return start <= md <= end if start <= end else (md >= start or md <= end)   # seasonal, may wrap the year


@lru_cache(maxsize=1)
def _to_lambert() -> Transformer:
    return Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)


def _data_dir(data_dir: Path | None) -> Path:
    return Path(data_dir) if data_dir is not None else get_settings().data_dir


def places(data_dir: Path | None = None) -> pd.DataFrame:
    """Cool places to offer: name, kind, address, arrondissement, x/y (Lambert-93), hours per day
    (from ``data_dir``, default the settings' data folder)."""
    return _places(_data_dir(data_dir))


@lru_cache(maxsize=4)
def _places(data_dir: Path) -> pd.DataFrame:
    p = PARAMETERS
    raw = json.loads((data_dir / FOLDER / PLACES).read_text(encoding="utf-8"))
    rows = []
    for r in raw:
        kind = r.get("type") or ("Brumisateur" if "brumisateur" in (r.get("nom") or "").lower() else None)
        spec = p["kinds"].get(kind)
        point = r.get("geo_point_2d") or {}
        if spec is None or not spec["offer"] or "lon" not in point or r.get("statut_ouverture") == "Eteint":
            continue
        period = r.get("horaires_periode") or ""
        hours = {}
        for day in DAYS:
            parsed = parse_hours(r.get(f"horaires_{day}"))
            if parsed is None:
                if period in p["period_free_access"]:
                    parsed = [(0, 24 * 60)]
                elif period in p["period_park_hours"]:
                    parsed = parse_hours(p["park_hours"]["value"])
                elif spec.get("default_hours"):
                    parsed = parse_hours(spec["default_hours"])
            hours[day] = parsed
        rows.append({"id": r["identifiant"], "name": place_name(r["nom"]), "kind": spec["label_fr"],
                     "address": (r.get("adresse") or "").strip(), "arrondissement": r.get("arrondissement"),
                     "lon": point["lon"], "lat": point["lat"], "period": period, "paying": r.get("payant") == "Oui",
                     **{f"h_{d}": h for d, h in hours.items()}})
    frame = pd.DataFrame(rows)
    frame["x"], frame["y"] = _to_lambert().transform(frame["lon"].to_numpy(), frame["lat"].to_numpy())
    return frame


def fountains(data_dir: Path | None = None) -> pd.DataFrame:
    """Working drinking fountains: id, street, x/y (Lambert-93) (from ``data_dir``, default the
    settings' data folder)."""
    return _fountains(_data_dir(data_dir))


@lru_cache(maxsize=4)
def _fountains(data_dir: Path) -> pd.DataFrame:
    raw = json.loads((data_dir / FOLDER / FOUNTAINS).read_text(encoding="utf-8"))
    rows = [{"id": r["gid"], "street": " ".join(x for x in (r.get("no_voirie_pair") or r.get("no_voirie_impair"),
                                                            r.get("voie")) if x),
             "lon": r["geo_point_2d"]["lon"], "lat": r["geo_point_2d"]["lat"]}
            for r in raw if r.get("dispo") == "OUI" and r.get("geo_point_2d")]
    frame = pd.DataFrame(rows)
    frame["x"], frame["y"] = _to_lambert().transform(frame["lon"].to_numpy(), frame["lat"].to_numpy())
    return frame


def open_mask(frame: pd.DataFrame, day: date, at: time | None = None) -> np.ndarray:
    """Places open on ``day`` at ``at`` (default: the visit time of coolplaces.yaml)."""
    if at is None:
        at = time.fromisoformat(PARAMETERS["visit_time"]["value"])
    minute = at.hour * 60 + at.minute
    col = f"h_{DAYS[day.weekday()]}"
    return np.array([bool(h) and _in_period(period, day) and any(a <= minute < b for a, b in h)
                     for h, period in zip(frame[col], frame["period"])], dtype=bool)


def hours_text(hours: list[tuple[int, int]] | None) -> str:
    if hours is None:
        return "horaires non publiés"
    if not hours:
        return "fermé"
    return " / ".join(f"{a // 60}h{a % 60:02d}–{b // 60}h{b % 60:02d}" for a, b in hours)


def nearest(x: np.ndarray, y: np.ndarray, targets: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Index into ``targets`` of the nearest point and the walking distance in metres."""
    w = PARAMETERS["walking"]
    tree = cKDTree(np.column_stack([targets["x"].to_numpy(), targets["y"].to_numpy()]))
    dist, idx = tree.query(np.column_stack([x, y]), k=1, workers=-1)
    return idx.astype(np.int32), (dist * w["detour_factor"]["value"]).astype(np.float32)


def nearest_open(x: np.ndarray, y: np.ndarray, day: date) -> pd.DataFrame:
    """For each point: nearest open cool place and nearest working fountain, with walking metres
    and minutes."""
    all_places = places()
    open_places = all_places[open_mask(all_places, day)].reset_index(drop=True)
    speed = PARAMETERS["walking"]["speed_km_h"]["value"] * 1000 / 60
    fnt = fountains()
    fi, fd = nearest(x, y, fnt)
    out = pd.DataFrame({"fountain_index": fi, "fountain_m": fd.round(0)})
    if open_places.empty:
        out["place_index"], out["place_m"], out["place_min"] = -1, np.nan, np.nan
    else:
        pi, pdist = nearest(x, y, open_places)
        out["place_index"] = open_places["id"].map(dict(zip(all_places["id"], all_places.index))).to_numpy()[pi]
        out["place_m"] = pdist.round(0)
        out["place_min"] = np.ceil(pdist / speed)
    return out


def describe(place_index: int, fountain_index: int, day: date, metres: float, fountain_m: float) -> dict:
    """What the console and the SMS say about the nearest places."""
    out = {}
    if place_index >= 0:
        pl = places().iloc[int(place_index)]
        speed = PARAMETERS["walking"]["speed_km_h"]["value"] * 1000 / 60
        out["lieu_frais"] = {"nom": pl["name"], "type": pl["kind"], "adresse": pl["address"],
                             "horaires_du_jour": hours_text(pl[f"h_{DAYS[day.weekday()]}"]),
                             "distance_m": int(metres), "minutes_a_pied": int(np.ceil(metres / speed)),
                             "payant": bool(pl["paying"])}
    fo = fountains().iloc[int(fountain_index)]
    out["fontaine"] = {"adresse": fo["street"].title(), "distance_m": int(fountain_m)}
    return out
