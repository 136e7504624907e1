"""Rules Recoque needs that OpenFisca-Paris lacks, written as an OpenFisca reform in OpenFisca's
own shape: dated parameters with their legal reference, formulas over whole populations.

- ``paris_annees_residence``: years of domicile and effective residence in Paris of the famille's
  claimant (an input: the records' ``years_in_paris``);
- ``parisien`` (declared without a formula by OpenFisca-Paris, which leaves the condition to its
  users): at least ``paris.residence.duree_minimale`` years (règlement municipal du CASVP, titre
  I, A, article 2: 3 years in the 5 before the request, « sauf dispositions particulières »);
- ``paris_solidarite_pa`` and ``paris_solidarite_ph``: OpenFisca-Paris tests the residence
  condition only in the combined ``paris_solidarite``; the reform applies it to each.
"""

from __future__ import annotations

from pathlib import Path

from openfisca_core.reforms import Reform
from openfisca_france.model.base import MONTH, Famille, Variable

PARAMETERS = Path(__file__).parent / "parameters"


class paris_annees_residence(Variable):
    value_type = float
    entity = Famille
    definition_period = MONTH
    label = "Années de domicile et de résidence effective à Paris du demandeur (dans les 5 dernières années, au plus 5)"
    reference = "Règlement municipal des prestations d'aide sociale facultative (CASVP), titre I, A, article 2"


class parisien(Variable):
    value_type = bool
    entity = Famille
    definition_period = MONTH
    label = "Résident à Paris au moins 3 ans dans les 5 dernières années"
    reference = "Règlement municipal des prestations d'aide sociale facultative (CASVP), titre I, A, article 2"

    def formula(famille, period, parameters):
        duree = parameters(period).paris.residence.duree_minimale
        return famille("paris_annees_residence", period) >= duree


class paris_solidarite_pa(Variable):
    value_type = float
    entity = Famille
    definition_period = MONTH
    label = "Paris Solidarité pour les personnes âgées"
    reference = ["Règlement municipal du CASVP, titre II, 1.1 (Paris Solidarité)",
                 "Règlement municipal du CASVP, titre I, A, article 2 (résidence)"]

    def formula(famille, period):
        return (famille("parisien", period) * famille("paris_solidarite_pa_eligibilite", period)
                * famille("paris_solidarite_pa_montant", period))


class paris_solidarite_ph(Variable):
    value_type = float
    entity = Famille
    definition_period = MONTH
    label = "Paris Solidarité pour les personnes handicapées"
    reference = ["Règlement municipal du CASVP, titre III, 1.1 (Paris Solidarité)",
                 "Règlement municipal du CASVP, titre I, A, article 2 (résidence)"]

    def formula(famille, period):
        return (famille("parisien", period) * famille("paris_solidarite_ph_eligibilite", period)
                * famille("paris_solidarite_ph_montant", period))


class ResidenceParis(Reform):
    name = "Recoque : condition de résidence à Paris des aides facultatives"

    def apply(self):
        from openfisca_core.parameters import load_parameter_file

        node = load_parameter_file(str(PARAMETERS / "paris" / "residence" / "duree_minimale.yaml"),
                                   name="duree_minimale")

        def modify(parameters):
            from openfisca_core.parameters import ParameterNode

            residence = ParameterNode("residence", data={})
            residence.add_child("duree_minimale", node)
            parameters.paris.add_child("residence", residence)
            return parameters

        self.modify_parameters(modifier_function=modify)
        self.add_variable(paris_annees_residence)
        for variable in (parisien, paris_solidarite_pa, paris_solidarite_ph):
            self.update_variable(variable)
