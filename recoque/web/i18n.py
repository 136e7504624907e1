"""The interface's strings, in French: the console serves the residents and agents of Paris. (The
API speaks English in its field names and docs, and gives each layer's label in both.)"""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "fr": {
        "site_title": "Recoque — IA de service public de la Ville de Paris",
        "skip_to_content": "Aller au contenu",
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
        "map_hint": "Cliquez sur une zone pour voir sa valeur, ou ouvrez le tableau des valeurs ci-dessous.",
        "map_keys": "flèches pour se déplacer, + et − pour zoomer",
        "map_table": "Tableau des valeurs",
        "map_table_unit": "Zone",
        "map_table_arrondissement": "Arrondissement",
        "map_table_value": "Valeur",
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
}


def strings() -> dict[str, str]:
    """The interface's words (French: the console serves the residents and agents of Paris)."""
    return STRINGS["fr"]
