"""/api/v1/territory and /api/v1/layers: units as GeoJSON, layer metadata and values."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel

from recoque.api.deps import EngineDep
from recoque.core import layers as layer_store
from recoque.core.layers import layer_spec
from recoque.territory import service

router = APIRouter(prefix="/api/v1", tags=["territory"])


class Level(StrEnum):
    arrondissement = "arrondissement"
    quartier = "quartier"
    iris = "iris"


class PluralLevel(StrEnum):
    arrondissements = "arrondissements"
    quartiers = "quartiers"
    iris = "iris"


SINGULAR = {PluralLevel.arrondissements: "arrondissement", PluralLevel.quartiers: "quartier",
            PluralLevel.iris: "iris"}


class Overlay(StrEnum):
    cool_places = "cool_places"
    fountains = "fountains"
    context = "context"


class LayerOut(BaseModel):
    id: str
    label: str
    label_en: str
    unit: str
    aggregation: str
    source: str
    note: str
    levels: list[Level]


class LayerValuesOut(LayerOut):
    level: Level
    breaks: list[float]
    values: dict[str, float | None]


class UnitOut(BaseModel):
    code: str
    name: str
    arrondissement: str
    parent_code: str | None
    area_m2: float


def _layer_out(layer_id: str) -> LayerOut:
    spec = layer_spec(layer_id)
    return LayerOut(id=spec.id, label=spec.label_fr, label_en=spec.label_en, unit=spec.unit,
                    aggregation=spec.aggregation, source=spec.source, note=spec.note_fr,
                    levels=[Level(v) for v in spec.levels])


@router.get("/territory/summary", summary="When and from what the territory was built")
def territory_summary(engine: EngineDep) -> dict:
    return service.summary(engine)


@router.get(
    "/territory/{level}",
    summary="Arrondissements, quartiers or IRIS as GeoJSON (WGS84) with every layer's value",
    response_class=FileResponse,
    responses={200: {"content": {"application/geo+json": {}}}},
)
def territory_geojson(level: PluralLevel, engine: EngineDep) -> FileResponse:
    return FileResponse(service.artifact_path(engine, f"{SINGULAR[level]}.geojson"),
                        media_type="application/geo+json")


@router.get("/territory/{level}/units", summary="The units of one level, without geometry")
def territory_units(level: PluralLevel, engine: EngineDep) -> list[UnitOut]:
    return [UnitOut(code=u.code, name=u.name, arrondissement=u.arrondissement,
                    parent_code=u.parent_code, area_m2=u.area_m2) for u in service.units(engine, SINGULAR[level])]


@router.get(
    "/overlays/{name}",
    summary="Point overlays (cool places, drinking fountains) and the surrounding communes, GeoJSON",
    response_class=FileResponse,
    responses={200: {"content": {"application/geo+json": {}}}},
)
def overlay(name: Overlay, engine: EngineDep) -> FileResponse:
    return FileResponse(service.artifact_path(engine, f"{name.value}.geojson"), media_type="application/geo+json")


@router.get("/layers", summary="Layers offered on the map (those built so far)")
def layers(engine: EngineDep) -> list[LayerOut]:
    return [_layer_out(layer_id) for layer_id in layer_store.available_layers(engine)]


@router.get("/layers/{layer_id}", summary="One layer's values at one level, with legend class breaks")
def layer(
    layer_id: str,
    engine: EngineDep,
    level: Annotated[Level, Query(description="territorial level")] = Level.iris,
) -> LayerValuesOut:
    values = layer_store.layer_values(engine, layer_id, level.value)
    meta = _layer_out(layer_id)
    return LayerValuesOut(**meta.model_dump(), level=level,
                          breaks=layer_store.class_breaks(list(values.values())), values=values)
