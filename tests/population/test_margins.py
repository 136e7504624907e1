import gzip

import pandas as pd
import pytest

from recoque.core.errors import DataFileError
from recoque.population.margins import read_margins
from recoque.territory.sources import source_path


def test_margins_cover_the_habitat_iris(margins):
    assert len(margins.iris) == 861
    # household population of Paris, RP2016: about 2.10 million in about 1.09 million households
    assert margins.age.to_numpy().sum() == pytest.approx(2.104e6, rel=0.005)
    assert margins.households.sum() == pytest.approx(1.0935e6, rel=0.001)
    assert margins.age.sum(axis=1).round(6).equals(margins.persons_by_type.sum(axis=1).round(6))
    assert margins.income_published.sum() == 855


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
