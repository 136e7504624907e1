"""The individual explanation of a right found (CRPA R311-3-1-2), in plain French, with the
person's own figures and the legal references OpenFisca's parameters carry.

For one household and one benefit: the data used and their sources, the rule (benefits.yaml
``rule_fr`` and ``law_fr``), the legislation's values at the month with the text that sets each
(OpenFisca parameter metadata), the intermediate figures OpenFisca computed for this household
(``explain`` variables, with OpenFisca's own labels) and the operations. Pure: no store.
"""

from __future__ import annotations

import pandas as pd

from recoque.core.typography import euros, month_fr, number
from recoque.rights import bridge
from recoque.rights.catalogue import benefit as get_benefit

UNIT_FR = {"year": "an", "currency": "€", "/1": ""}
TENURE_FR = {"social_rent": "locataire d'un logement social", "private_rent": "locataire du parc privé",
             "owner": "propriétaire", "free": "logé gratuitement",
             "community": "hébergé en établissement ou en communauté"}
COMPOSITION_FR = {"alone_man": "homme seul", "alone_woman": "femme seule",
                  "couple_without_children": "couple sans enfant", "couple_with_children": "couple avec enfant(s)",
                  "lone_parent": "famille monoparentale", "no_family": "ménage sans famille",
                  "community": "personne vivant en communauté"}


def _node(path: str, instant: str):
    node = bridge.tax_benefit_system().parameters(instant)
    for key in path.split("."):
        node = getattr(node, key)
    return node


def _metadata(path: str) -> tuple[str, dict]:
    node = bridge.tax_benefit_system().parameters
    for key in path.split("."):
        node = getattr(node, key)
    return node.description or path.split(".")[-1].replace("_", " "), node.metadata or {}


def _reference(metadata: dict, instant: str) -> str:
    """The legal text in force at ``instant`` among a parameter's dated references."""
    refs = metadata.get("reference")
    if isinstance(refs, dict):
        dated = sorted(k for k in refs if str(k) <= instant)
        refs = refs[dated[-1]] if dated else None
    if isinstance(refs, list):
        refs = refs[0] if refs else None
    if isinstance(refs, dict):
        return " — ".join(x for x in (refs.get("title"), refs.get("href")) if x)
    return str(refs) if refs else ""


def legislation(benefit_id: str, month: str) -> list[dict]:
    """The legislation values a benefit's amount rests on, at the month, with their references."""
    instant = f"{month}-01"
    out = []
    for path in get_benefit(benefit_id).legislation:
        description, metadata = _metadata(path)
        value = float(_node(path, instant))
        unit = metadata.get("unit", "")
        if unit == "currency":
            shown = euros(value)
        elif unit == "/1":
            shown = f"{number(100 * value, 1)} %"
        elif unit == "year":
            shown = f"{number(value)} ans"
        else:
            shown = number(value, 2) if value % 1 else number(value)
        reference = _reference(metadata, instant) or \
            f"{get_benefit(benefit_id).law_fr} (OpenFisca ne cite pas l'article de cette valeur)"
        out.append({"name": description, "value": shown, "reference": reference, "parameter": path})
    return out


def figures(benefit_id: str, values: dict[str, float]) -> list[dict]:
    """OpenFisca's intermediate results for the household, with OpenFisca's labels."""
    system = bridge.tax_benefit_system()
    out = []
    for name in get_benefit(benefit_id).explain:
        if name not in values:
            continue
        variable = system.variables[name]
        out.append({"name": variable.label or name, "value": euros(values[name]), "variable": name})
    return out


def household_data(household: pd.Series, persons: pd.DataFrame, received: pd.DataFrame, month: str) -> dict:
    """The data the computation used, in plain French (point 2 of R311-3-1-2)."""
    data = {
        "Mois du calcul": month_fr(month),
        "Arrondissement": f"{int(str(household['arrondissement'])[3:])}e" if str(household["arrondissement"])[3:] != "01"
        else "1er",
        "Composition du foyer": COMPOSITION_FR.get(str(household["household_type"]), str(household["household_type"])),
        "Logement": TENURE_FR.get(str(household["tenure"]), str(household["tenure"])),
        "Loyer mensuel hors charges": euros(float(household["rent_eur_month"])),
    }
    for k, p in enumerate(persons.sort_values("member").itertuples(index=False)):
        who = "Vous" if k == 0 else f"Personne {k + 1}"
        incomes = [f"{label} {euros(float(getattr(p, col)))}" for col, label in
                   (("salary_month", "salaire net"), ("pension_month", "retraite nette"),
                    ("unemployment_month", "allocation chômage"), ("other_income_month", "autres revenus"))
                   if float(getattr(p, col)) > 0]
        data[who] = f"{int(p.age)} ans" + (", handicap reconnu" if bool(p.disability) else "") + \
            (" ; " + ", ".join(incomes) + " par mois" if incomes else " ; aucun revenu déclaré")
    first = persons.sort_values("member").iloc[0]
    data["Années de résidence à Paris"] = f"{int(first['years_in_paris'])} ans"
    if len(received):
        from recoque.rights.catalogue import benefits

        labels = benefits()
        data["Prestations versées selon les registres"] = "; ".join(
            f"{labels[b].label_fr} : {euros(a) if a else 'droit en nature'}"
            for b, a in received.groupby("benefit")["amount_month"].sum().items() if b in labels)
    else:
        data["Prestations versées selon les registres"] = "aucune"
    return data


def explanation(benefit_id: str, month: str, amount: float, values: dict[str, float]) -> dict:
    """Points 3 and 4 of R311-3-1-2 for one right: parameters and their weight, operations."""
    b = get_benefit(benefit_id)
    parameters = [{"name": "Règle appliquée", "value": b.rule_fr, "reference": b.law_fr}]
    parameters += [dict(p, weight="valeur fixée par le texte") for p in legislation(benefit_id, month)]
    parameters += [dict(f, weight="calculé pour votre foyer") for f in figures(benefit_id, values)]
    result = (f"{euros(amount)} par mois" if b.kind == "cash" else "droit ouvert (aide en nature)")
    parameters.append({"name": f"Résultat pour {b.label_fr}", "value": result,
                       "weight": "estimation ; l'organisme qui décide vérifie chaque élément"})
    references = [b.law_fr] + [r for r in bridge.references(benefit_id) if r]
    return {
        "parameters": parameters,
        "references": {benefit_id: references},
        "operations": [
            f"Les données du foyer (point 2) sont traduites en situation OpenFisca : les revenus nets en revenus bruts "
            f"et imposables par les règles de la CSG, de la CRDS et des cotisations (OpenFisca-France "
            f"{bridge.openfisca_versions()['OpenFisca-France']}, OpenFisca-Paris {bridge.openfisca_versions()['OpenFisca-Paris']})",
            f"Les droits du mois de {month_fr(month)} sont calculés avec la législation en vigueur, les mois "
            "précédents tenant compte des prestations déjà versées",
            "Un droit calculé qui n'apparaît pas dans les registres des organismes est signalé comme non demandé",
            "Un responsable du service social a relu et validé cette proposition avant son envoi ; rien n'est "
            "attribué ni retiré automatiquement : l'organisme décide à réception de votre demande",
        ],
    }
