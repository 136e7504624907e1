"""The data files the territory reads, and their readers.

Each file is declared once (``SOURCES``) with the columns and CRS it must have. Readers refuse a
missing, truncated or malformed file with a ``DataFileError`` that names the file and the problem.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import geopandas as gpd
import pandas as pd
import pyogrio
from pyproj import CRS

from recoque.core.errors import CRSMismatchError, DataFileError

WGS84 = CRS.from_epsg(4326)
LAMBERT93 = CRS.from_epsg(2154)


@dataclass(frozen=True)
class SourceFile:
    """One bundled data file: where it lies, what it must hold.

    ``min_rows`` catches truncation; the boundary layers use 1 and leave their exact counts to
    the published-count checks, whose message says more.
    """

    key: str
    path: str
    kind: Literal["vector", "records", "csv", "excel"]
    columns: tuple[str, ...]
    min_rows: int
    crs: int | None = None
    csv_sep: str = ","
    zipped: bool = False
    used_by: Literal["territory", "population"] = "territory"


SOURCES: dict[str, SourceFile] = {
    s.key: s
    for s in (
        SourceFile("arrondissements", "boundaries/paris_arrondissements.geojson", "vector",
                   ("c_arinsee", "l_ar", "l_aroff"), 1, crs=4326),
        SourceFile("quartiers", "boundaries/paris_quartiers_administratifs_80.geojson", "vector",
                   ("c_quinsee", "l_qu", "c_ar"), 1, crs=4326),
        SourceFile("iris", "boundaries/paris_iris_2154_heat_lcz.geojson", "vector",
                   ("code_iris", "nom_iris", "heat_score"), 1, crs=2154),
        SourceFile("communes_idf", "boundaries/idf_communes_adminexpress2018.geojson", "vector",
                   ("code", "nom"), 1000, crs=4326),
        SourceFile("population_rp2016", "population/insee_rp2016_iris_population_age_cs_IR_Hab.csv.gz",
                   "csv", ("IRIS", "P16_POP0014", "P16_POP1529", "P16_POP3044", "P16_POP4559",
                           "P16_POP6074", "P16_POP75P"), 800),
        SourceFile("households_rp2016", "population/insee_rp2016_iris_households_IR_Hab.csv.gz", "csv",
                   ("IRIS", "C16_PMEN_MENHSEUL", "C16_PMEN_MENFSEUL", "C16_PMEN_MENSFAM",
                    "C16_PMEN_MENCOUPSENF", "C16_PMEN_MENCOUPAENF", "C16_PMEN_MENFAMMONO"), 800,
                   used_by="population"),
        SourceFile("housing_rp2016", "population/insee_rp2016_iris_housing_hlm_IR_Hab.csv.gz", "csv",
                   ("IRIS", "P16_RPMAISON", "P16_RPAPPART", "P16_RP_LOCHLMV"), 800, used_by="population"),
        SourceFile("filosofi_2018", "income/filosofi_2018_iris_disp_france.csv", "csv",
                   ("IRIS", "DISP_MED18", "DISP_D118", "DISP_D918", "DISP_PACT18", "DISP_PPEN18",
                    "DISP_PCHO18", "DISP_PPAT18"), 800, csv_sep=";", used_by="population"),
        SourceFile("elderly_alone_rp2022", "population/paris_iris_elderly_alone_rp2022.csv", "csv",
                   ("IRIS", "total_population", "elderly_55_plus", "elderly_55_plus_alone",
                    "elderly_80_plus_alone"), 900),
        SourceFile("green_spaces", "green_cool/espaces_verts_paris_attributes.xlsx", "excel",
                   ("Nom de l'espace vert", "Code postal", "Surface calculée"), 1000),
        SourceFile("trees_planted", "green_cool/les_arbres_plantes_paris.csv", "csv",
                   ("Emplacement - Identifiant unique", "Arbre - Hauteur en m", "geo_point_2d"),
                   1000, csv_sep=";"),
        SourceFile("trees", "green_cool/les_arbres_sample_3542.geojson", "vector",
                   ("idbase", "hauteurenm"), 1000, crs=4326),
        SourceFile("cool_places", "green_cool/ilots_fraicheur_equipements_activites_paris.json",
                   "records", ("identifiant", "nom", "type", "geo_point_2d"), 100),
        SourceFile("fountains", "green_cool/fontaines_a_boire_paris.json", "records",
                   ("gid", "type_objet", "dispo", "geo_point_2d"), 100),
        SourceFile("heat_vulnerability_postcodes", "green_cool/idf_codes_postaux_icu_heat_vulnerability.csv",
                   "csv", ("code_postal", "vulnj_note", "vulnn_note", "aleaj_note", "alean_note", "hauteurmoy"), 500),
        SourceFile("flood_share_postcodes", "flood/idf_codes_postaux_flood_risk_share.csv", "csv",
                   ("code_postal", "prop_at_flood_risk"), 500),
        SourceFile("ppri", "flood/paris_plu_secteurs_risques_ppri_shp.zip", "vector",
                   ("zonage",), 100, crs=4326, zipped=True),
    )
}


def source_path(data_dir: Path, key: str) -> Path:
    return Path(data_dir) / SOURCES[key].path


def digest_sources(data_dir: Path) -> str:
    """SHA-256 over every declared file's bytes, in key order: the identity of a territory build."""
    h = hashlib.sha256()
    for key in sorted(SOURCES):
        path = source_path(data_dir, key)
        h.update(key.encode())
        h.update(path.read_bytes() if path.is_file() else b"<missing>")
    return h.hexdigest()


def _check_exists(path: Path) -> None:
    if not path.is_file():
        raise DataFileError(path, "file is missing")
    if path.stat().st_size == 0:
        raise DataFileError(path, "file is empty")


def _check_table(path: Path, spec: SourceFile, frame: pd.DataFrame) -> None:
    missing = [c for c in spec.columns if c not in frame.columns]
    if missing:
        raise DataFileError(path, f"missing column(s) {', '.join(missing)}")
    if len(frame) < spec.min_rows:
        raise DataFileError(
            path, f"only {len(frame)} rows where at least {spec.min_rows} are expected (truncated?)"
        )


def read_source(data_dir: Path, key: str) -> pd.DataFrame | gpd.GeoDataFrame:
    """Read one declared file, checked. Vector layers come back in their declared CRS."""
    spec = SOURCES[key]
    path = source_path(data_dir, key)
    _check_exists(path)
    readers = {"vector": _read_vector, "records": _read_records, "csv": _read_csv, "excel": _read_excel}
    frame = readers[spec.kind](path, spec)
    if spec.kind != "records":  # records are checked before their point column becomes geometry
        _check_table(path, spec, frame)
    return frame


def _read_vector(path: Path, spec: SourceFile) -> gpd.GeoDataFrame:
    uri = f"zip://{path}" if spec.zipped else str(path)
    try:
        frame = gpd.read_file(uri, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        raise DataFileError(path, f"cannot be read as a vector layer ({exc})") from None
    if frame.crs is None:
        raise DataFileError(path, "has no coordinate reference system")
    if spec.crs is not None and not CRS.from_user_input(frame.crs).equals(CRS.from_epsg(spec.crs)):
        raise CRSMismatchError(
            f"{path}: coordinates are in {frame.crs.to_string()} where EPSG:{spec.crs} is expected "
            "— reproject the file or fix its crs member"
        )
    if frame.geometry.isna().any() or (~frame.geometry.is_valid).sum() > len(frame) // 2:
        raise DataFileError(path, "has missing or mostly invalid geometries")
    return frame


def _read_records(path: Path, spec: SourceFile) -> gpd.GeoDataFrame:
    """A JSON array of opendata.paris.fr records with a ``geo_point_2d`` {lon, lat} member."""
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataFileError(path, f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except UnicodeDecodeError as exc:
        raise DataFileError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if not isinstance(records, list):
        raise DataFileError(path, "expected a JSON array of records")
    frame = pd.DataFrame.from_records(records)
    _check_table(path, spec, frame)
    try:
        lon = frame["geo_point_2d"].map(lambda p: float(p["lon"]))
        lat = frame["geo_point_2d"].map(lambda p: float(p["lat"]))
    except (TypeError, KeyError, ValueError):
        raise DataFileError(path, "a record's geo_point_2d lacks numeric lon/lat") from None
    return gpd.GeoDataFrame(frame.drop(columns=["geo_point_2d", "geo_shape"], errors="ignore"),
                            geometry=gpd.points_from_xy(lon, lat), crs=WGS84)


def _read_csv(path: Path, spec: SourceFile) -> pd.DataFrame:
    if path.suffix == ".csv":
        with path.open("rb") as handle:
            handle.seek(-1, 2)
            if handle.read(1) != b"\n":
                raise DataFileError(path, "does not end with a line break: the file looks truncated")
    try:
        return pd.read_csv(path, sep=spec.csv_sep, dtype={c: "string" for c in ("IRIS",)},
                           encoding="utf-8-sig", low_memory=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, EOFError, OSError) as exc:
        raise DataFileError(path, f"cannot be parsed as CSV ({exc})") from None


def _read_excel(path: Path, spec: SourceFile) -> pd.DataFrame:
    try:
        return pd.read_excel(path)
    except Exception as exc:  # openpyxl raises a zoo of types for corrupt workbooks
        raise DataFileError(path, f"cannot be read as an Excel workbook ({type(exc).__name__}: {exc})") from None


def require_crs(frame: gpd.GeoDataFrame, crs: CRS, what: str) -> None:
    """Raise if ``frame`` is not in ``crs``: layers are never combined across CRSs silently."""
    if frame.crs is None or not CRS.from_user_input(frame.crs).equals(crs):
        raise CRSMismatchError(
            f"{what} is in {frame.crs.to_string() if frame.crs else 'no CRS'} where "
            f"{crs.to_string()} is required — call .to_crs({crs.to_epsg()}) first"
        )
