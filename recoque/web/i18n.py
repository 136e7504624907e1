"""Interface strings, French first (residents and agents), English available (RECOQUE_LANGUAGE=en)."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "fr": {
        "site_title": "Recoque — IA de service public de la Ville de Paris",
        "nav_home": "Accueil",
        "nav_map": "Carte",
        "nav_population": "Population",
        "nav_rights": "Droits",
        "nav_heat": "Canicule",
        "nav_twin": "Jumeau",
        "nav_simulator": "Mes aides",
        "nav_transparency": "Transparence",
        "nav_data": "Données",
        "nav_api": "API",
        "home_title": "Le jumeau numérique de Paris, au service du public",
        "home_lead": "Recoque réunit la géographie réelle de Paris, ses couches ouvertes et les services "
                     "qui s'appuient dessus pour aller vers les habitants qui ont besoin d'aide, avant qu'ils ne la demandent.",
        "home_map": "Ouvrir la carte",
        "home_built": "Territoire construit le",
        "home_not_built": "Le territoire n'est pas encore construit : lancez « recoque up ».",
        "map_title": "Carte de Paris",
        "map_layer": "Couche",
        "map_level": "Échelle",
        "level_arrondissement": "Arrondissements",
        "level_quartier": "Quartiers",
        "level_iris": "IRIS",
        "map_overlays": "Points",
        "overlay_cool_places": "Lieux frais",
        "overlay_fountains": "Fontaines à boire",
        "map_source": "Source",
        "map_unknown": "non renseigné",
        "map_hint": "Cliquez sur une zone pour voir sa valeur.",
        "map_loading": "Chargement…",
        "data_title": "Données et sources",
        "data_lead": "Toutes les données de Recoque sont des données ouvertes, livrées avec la plateforme "
                     "et servies sans connexion à Internet. Chaque couche indique sa source et ses limites.",
        "data_layer": "Couche",
        "data_unit": "Unité",
        "data_source": "Source",
        "data_note": "Limites",
        "data_licences": "Licences : données de la Ville de Paris sous ODbL (« Ville de Paris ») ; INSEE et IGN sous "
                         "Licence Ouverte / Etalab 2.0. Le détail fichier par fichier figure dans data/SOURCES.md.",
        "footer": "Recoque est un logiciel libre (AGPL-3.0 ou ultérieure). Aucune ressource externe n'est chargée.",
    },
    "en": {
        "site_title": "Recoque — public-service AI of the City of Paris",
        "nav_home": "Home",
        "nav_map": "Map",
        "nav_population": "Population",
        "nav_rights": "Rights",
        "nav_heat": "Heat wave",
        "nav_twin": "Twin",
        "nav_simulator": "My benefits",
        "nav_data": "Data",
        "nav_transparency": "Transparency",
        "nav_api": "API",
        "home_title": "The digital twin of Paris, serving the public",
        "home_lead": "Recoque brings together the real geography of Paris, its open layers and the services "
                     "that use them to reach residents who need help before they ask.",
        "home_map": "Open the map",
        "home_built": "Territory built on",
        "home_not_built": "The territory is not built yet: run `recoque up`.",
        "map_title": "Map of Paris",
        "map_layer": "Layer",
        "map_level": "Scale",
        "level_arrondissement": "Arrondissements",
        "level_quartier": "Quartiers",
        "level_iris": "IRIS",
        "map_overlays": "Points",
        "overlay_cool_places": "Cool places",
        "overlay_fountains": "Drinking fountains",
        "map_source": "Source",
        "map_unknown": "unknown",
        "map_hint": "Click an area to see its value.",
        "map_loading": "Loading…",
        "data_title": "Data and sources",
        "data_lead": "All of Recoque's data is open data, shipped with the platform and served offline. "
                     "Each layer states its source and its limits.",
        "data_layer": "Layer",
        "data_unit": "Unit",
        "data_source": "Source",
        "data_note": "Limits",
        "data_licences": "Licences: City of Paris data under ODbL (\"Ville de Paris\"); INSEE and IGN under "
                         "Licence Ouverte / Etalab 2.0. File-by-file details are in data/SOURCES.md.",
        "footer": "Recoque is free software (AGPL-3.0-or-later). No external resource is loaded.",
    },
}


def strings(language: str) -> dict[str, str]:
    return STRINGS.get(language, STRINGS["fr"])
