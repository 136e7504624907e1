"""Residents per IRIS: the level of the 2022 census, the structure of the 2016 one.

The bundled RP2016 IRIS tables (ages, socio-professional categories, household types, housing)
cover the 861 « habitat » IRIS of Paris only; the 131 others (business quarters, stations,
parks, hospitals) hold about 45,000 people aged 15+, most of them in the 8e, 9e, 2e and 1er.
The RP2022 table bundled for the elderly (``paris_iris_elderly_alone_rp2022.csv``) gives the
population aged 15+ of all 992 IRIS. So, per IRIS:

- **level**: residents = RP2022 population 15+ × the ratio « all ages / 15+ » of RP2016, the
  IRIS's own where RP2016 counts at least ``OWN_STRUCTURE_MIN_15P`` people aged 15+ there,
  else its arrondissement's (habitat IRIS summed);
- **structure** (the shares of ages, categories, household types, households per person,
  social housing, people living outside households): the IRIS's own RP2016 shares on the same
  condition, else its arrondissement's.

The level is therefore that of 2022 and the structure that of 2016 — a stated mix of vintages;
the validation report compares the totals per arrondissement with the census counts.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from recoque.core.errors import DataFileError
from recoque.territory.sources import read_source

#: an IRIS keeps its own RP2016 structure when RP2016 counts at least this many people aged 15+
OWN_STRUCTURE_MIN_15P = 50.0
AGE_BANDS_2016 = ["P16_POP0014", "P16_POP1529", "P16_POP3044", "P16_POP4559", "P16_POP6074", "P16_POP75P"]


def paris_rows(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """The Paris IRIS of a census table, indexed by IRIS code (each once)."""
    frame = frame[frame["IRIS"].astype(str).str.startswith("751")].copy()
    frame["IRIS"] = frame["IRIS"].astype(str)
    if frame["IRIS"].duplicated().any():
        raise DataFileError(name, f"IRIS {frame.loc[frame['IRIS'].duplicated(), 'IRIS'].iloc[0]} appears twice")
    return frame.set_index("IRIS")


def iris_residents(data_dir: Path) -> pd.DataFrame:
    """Per Paris IRIS (index): ``residents`` (all ages), ``residents_15_plus`` (RP2022),
    ``structure`` (``"iris"`` or ``"arrondissement"``: whose RP2016 shares it takes) and
    ``arrondissement``."""
    rp16 = paris_rows(read_source(data_dir, "population_rp2016"), "population_rp2016")
    rp22 = paris_rows(read_source(data_dir, "elderly_alone_rp2022"), "elderly_alone_rp2022")
    lost = rp16.index.difference(rp22.index)
    if len(lost):
        raise DataFileError(Path(data_dir) / "population", f"IRIS {lost[0]} of RP2016 is missing from RP2022 "
                                                           f"({len(lost)} in all): the IRIS codes do not match")
    ages = rp16[AGE_BANDS_2016].astype(float)
    total16 = ages.sum(axis=1)
    adults16 = total16 - ages["P16_POP0014"]
    adults22 = pd.to_numeric(rp22["total_population"], errors="coerce")
    if adults22.isna().any() or (adults22 < 0).any():
        raise DataFileError(Path(data_dir) / "population", f"IRIS {adults22.index[adults22.isna() | (adults22 < 0)][0]}: "
                                                           f"population aged 15+ missing or negative")
    arrondissement = pd.Series(rp22.index.str[:5], index=rp22.index)
    arr_ratio = total16.groupby(total16.index.str[:5]).sum() / adults16.groupby(adults16.index.str[:5]).sum()
    own = adults16.reindex(rp22.index).fillna(0.0) >= OWN_STRUCTURE_MIN_15P
    ratio = (total16 / adults16.where(adults16 > 0)).reindex(rp22.index)
    ratio = ratio.where(own, arrondissement.map(arr_ratio))
    return pd.DataFrame({
        "residents": adults22 * ratio,
        "residents_15_plus": adults22,
        "structure": own.map({True: "iris", False: "arrondissement"}),
        "arrondissement": arrondissement,
    })
