import gzip

import pandas as pd
import pytest

from recoque.core.errors import DataFileError
from recoque.population.margins import read_margins
from recoque.territory.sources import source_path


def test_margins_cover_every_iris_with_residents(margins):
    """All 992 IRIS, the 131 « non-habitat » ones too (the 8e's business quarters hold ~11,000
    people aged 15+): residents at the RP2022 level, about 2.14 million, 43,000 of them in
    communities, about 1.09 million ordinary households."""
    assert len(margins.iris) == 992
    assert margins.age.to_numpy().sum() == pytest.approx(2.1396e6, rel=0.001)
    assert margins.persons_by_type["community"].sum() == pytest.approx(43_270, rel=0.01)
    assert margins.households.sum() == pytest.approx(1.0894e6, rel=0.001)
    assert margins.age.sum(axis=1).round(6).equals(margins.persons_by_type.sum(axis=1).round(6))
    assert margins.age.sum(axis=1).round(6).equals(margins.residents["residents"].round(6))
    assert margins.income_published.sum() == 870
    # the level is RP2022's 15+ population, everywhere
    adults = margins.age.drop(columns="P16_POP0014").sum(axis=1)
    assert adults.round(6).equals(margins.residents["residents_15_plus"].astype(float).round(6))


def test_iris_missing_from_rp2016_take_their_arrondissements_structure(margins):
    borrowed = margins.residents.index[margins.residents["structure"] == "arrondissement"]
    eighth = [c for c in borrowed if c.startswith("75108")]
    assert len(eighth) >= 20 and margins.age.loc[eighth].to_numpy().sum() > 10_000
    # same shares of ages as the arrondissement's described IRIS
    own = margins.residents.index[(margins.residents["structure"] == "iris") & margins.residents.index.str.startswith("75108")]
    shares = lambda idx: margins.age.loc[idx].sum() / margins.age.loc[idx].to_numpy().sum()  # noqa: E731
    described = margins.age.loc[own].div(margins.age.loc[own].sum(axis=1), axis=0)
    assert (shares(eighth) - described.mean()).abs().max() < 0.05
    assert any("non habitat" in r for r in margins.repairs)


def test_repairs_are_reported(margins):
    assert any("remis à l'échelle proportionnellement" in r for r in margins.repairs)
    assert any("Filosofi" in r for r in margins.repairs)


def test_scaled_margins(margins):
    half = margins.scaled(0.5)
    assert half.households.sum() == pytest.approx(margins.households.sum() / 2)
    assert half.income_deciles.equals(margins.income_deciles)


def _rewrite(path, edit):
    frame = pd.read_csv(path, dtype={"IRIS": str})
    frame = edit(frame)
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        frame.to_csv(handle, index=False)


def test_inconsistent_iris_stops_the_build_naming_it(copied_data):
    path = source_path(copied_data, "population_rp2016")

    def edit(frame):
        frame.loc[frame["IRIS"] == "751010201", "C16_POP15P_CS3"] += 5000
        return frame

    _rewrite(path, edit)
    with pytest.raises(DataFileError, match=r"IRIS 751010201: C16_POP15P_CS1\.\.8 vs persons aged 15\+ differ"):
        read_margins(copied_data)


def test_negative_count_is_refused(copied_data):
    path = source_path(copied_data, "households_rp2016")

    def edit(frame):
        frame.loc[frame["IRIS"] == "751010201", "C16_PMEN_MENHSEUL"] = -3
        return frame

    _rewrite(path, edit)
    with pytest.raises(DataFileError, match="IRIS 751010201 has a negative or missing count"):
        read_margins(copied_data)


def test_missing_iris_in_a_table_is_named(copied_data):
    path = source_path(copied_data, "housing_rp2016")
    _rewrite(path, lambda frame: frame[frame["IRIS"] != "751010201"])
    with pytest.raises(DataFileError, match="IRIS 751010201 of the population table is missing"):
        read_margins(copied_data)
