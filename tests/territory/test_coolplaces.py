"""Cool places: published opening hours read as published, nearest open place by walking distance."""

from __future__ import annotations

from datetime import date, time

import numpy as np
import pytest

from recoque.territory import coolplaces

WEDNESDAY = date(2026, 7, 15)


@pytest.mark.parametrize("text, expected", [
    ("14h - 17h", [(840, 1020)]),
    ("07h00 - 08h30 / 11h30 - 13h30", [(420, 510), (690, 810)]),
    ("09:00 - 18:00", [(540, 1080)]),
    ("06h30 - 07h45 / 11h45 - 13h45 / 16h30 - 19h45 / 20", [(390, 465), (705, 825), (990, 1185)]),
    ("Fermé", []), ("-", []), (None, None), ("Les horaires étant susceptibles d'évoluer", None),
])
def test_published_hours(text, expected):
    assert coolplaces.parse_hours(text) == expected


def test_the_bundled_places_and_their_hours():
    places = coolplaces.places()
    mairies = places[places["kind"] == "salle rafraîchie (mairie)"]
    assert len(mairies) == 19
    assert not (places["kind"] == "brumisateur").any()   # a mister is not a place to stay
    mairie = mairies.index[0]
    assert coolplaces.open_mask(places.loc[[mairie]], WEDNESDAY, time(15))[0]
    assert not coolplaces.open_mask(places.loc[[mairie]], WEDNESDAY, time(10))[0]
    assert len(coolplaces.fountains()) == 1258   # "dispo" OUI only


def test_seasonal_periods():
    assert coolplaces._in_period("du 05/07/25 au 31/08/25", date(2031, 7, 20))
    assert not coolplaces._in_period("du 05/07/25 au 31/08/25", date(2031, 9, 2))
    assert coolplaces._in_period("du 01/09/25 au 05/07/26", date(2026, 1, 10))   # wraps the year
    assert coolplaces._in_period(None, date(2026, 1, 10))


def test_nearest_open_place_by_walking_distance():
    places = coolplaces.places()
    open_now = places[coolplaces.open_mask(places, WEDNESDAY)]
    target = open_now.iloc[0]
    x, y = np.array([target["x"], target["x"] + 100.0]), np.array([target["y"], target["y"]])
    near = coolplaces.nearest_open(x, y, WEDNESDAY)
    assert near["place_index"].iloc[0] == target.name and near["place_m"].iloc[0] == 0
    # 100 m away in a straight line: walking distance is at most 100 × the detour factor
    assert near["place_m"].iloc[1] <= 130
    described = coolplaces.describe(int(near["place_index"].iloc[0]), int(near["fountain_index"].iloc[0]), WEDNESDAY,
                                    float(near["place_m"].iloc[0]), float(near["fountain_m"].iloc[0]))
    assert described["lieu_frais"]["nom"] == target["name"] and described["lieu_frais"]["minutes_a_pied"] == 0
    assert "fontaine" in described


def test_nearest_is_exact_against_brute_force():
    fountains = coolplaces.fountains()
    rng = np.random.default_rng(1)
    x = rng.uniform(645_000, 658_000, 500)
    y = rng.uniform(6_857_000, 6_868_000, 500)
    idx, metres = coolplaces.nearest(x, y, fountains)
    d = np.hypot(x[:, None] - fountains["x"].to_numpy()[None, :], y[:, None] - fountains["y"].to_numpy()[None, :])
    assert (idx == d.argmin(axis=1)).all()
    assert np.allclose(metres, d.min(axis=1) * 1.3, rtol=1e-5)
