"""Forecast files: the documented shapes, and every kind of bad input refused with its line or
repaired by the stated rule (and reported)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from recoque.heat.forecast import ForecastError, parse


def csv(*rows: str, header: str = "date,tmin,tmax") -> str:
    return "\n".join([header, *rows]) + "\n"


def test_csv_and_json_shapes_read_the_same():
    a = parse(csv("2026-07-01,18,30", "2026-07-02,19,31.5"), fmt="csv")
    b = parse(json.dumps({"departement": "75", "unit": "C", "days": [
        {"date": "2026-07-01", "tmin": 18, "tmax": 30}, {"date": "2026-07-02", "tmin": 19, "tmax": 31.5}]}), fmt="json")
    assert a.days[["tmin", "tmax"]].values.tolist() == b.days[["tmin", "tmax"]].values.tolist() == [[18, 30], [19, 31.5]]
    assert a.repairs == [] and a.departement == "75"


def test_fahrenheit_declared_is_converted_and_reported():
    f = parse(csv("2026-07-01,68,95,F", "2026-07-02,20,35,C", header="date,tmin,tmax,unit"), fmt="csv")
    assert f.days["tmin"].round(2).tolist() == [20.0, 20.0]
    assert f.days["tmax"].round(2).tolist() == [35.0, 35.0]
    assert f.repairs == ["1 day(s) converted from °F to °C"]


def test_fahrenheit_undeclared_is_refused_with_the_line():
    with pytest.raises(ForecastError, match=r"line 3: tmax 95 °C is outside .* declare unit F"):
        parse(csv("2026-07-01,18,30", "2026-07-02,20,95"), fmt="csv")


def test_identical_duplicates_dropped_conflicting_refused():
    f = parse(csv("2026-07-01,18,30", "2026-07-02,19,31", "2026-07-02,19,31"), fmt="csv")
    assert len(f.days) == 2 and any("duplicate line(s) line 4 dropped" in r for r in f.repairs)
    with pytest.raises(ForecastError, match=r"line 4: 2026-07-02 is given twice with different values \(first at line 3\)"):
        parse(csv("2026-07-01,18,30", "2026-07-02,19,31", "2026-07-02,22,31"), fmt="csv")


def test_out_of_order_days_are_sorted_and_reported():
    f = parse(csv("2026-07-02,19,31", "2026-07-01,18,30", "2026-07-03,20,32"), fmt="csv")
    assert [str(d.date()) for d in f.days["date"]] == ["2026-07-01", "2026-07-02", "2026-07-03"]
    assert "days were out of order: sorted by date" in f.repairs


def test_short_gaps_interpolated_long_gaps_refused():
    f = parse(csv("2026-07-01,18,30", "2026-07-04,21,33"), fmt="csv")   # 2 missing days
    assert f.days["tmax"].tolist() == [30, 31, 32, 33]
    assert f.days["repaired"].tolist() == [False, True, True, False]
    assert "interpolated (linear, between neighbouring days): 2026-07-02, 2026-07-03" in f.repairs
    f = parse(csv("2026-07-01,18,30", "2026-07-02,,31", "2026-07-03,20,32"), fmt="csv")   # a missing value
    assert f.days["tmin"].tolist() == [18, 19, 20]
    with pytest.raises(ForecastError, match=r"2026-07-02 → 2026-07-04: 3 day\(s\) without a complete forecast"):
        parse(csv("2026-07-01,18,30", "2026-07-05,21,33"), fmt="csv")


@pytest.mark.parametrize("text, message", [
    (csv("2026-07-01,18,30", "2026-07-02,25,20"), r"line 3: tmin 25.0 is above tmax 20.0"),
    (csv("2026-07-01,18,30", "01/07/2026,18,30"), r"line 3: date '01/07/2026' is not YYYY-MM-DD"),
    (csv("2026-07-01,18,chaud"), r"line 2: tmax 'chaud' is not a number"),
    ("date,min,max\n2026-07-01,18,30\n", r"line 1: missing column\(s\) tmax, tmin"),
    (csv("2026-07-01,18,30,K", header="date,tmin,tmax,unit"), r"line 2: unit 'K' is not C or F"),
    ("date,tmin,tmax\n", r"no day"),
])
def test_bad_forecasts_name_the_line(text, message):
    with pytest.raises(ForecastError, match=message):
        parse(text, fmt="csv")


def test_bad_json_and_unknown_departement():
    with pytest.raises(ForecastError, match=r"line 1: not valid JSON"):
        parse('{"days": [', fmt="json")
    with pytest.raises(ForecastError, match=r"days\[1\]: expected an object"):
        parse('{"days": [{"date": "2026-07-01", "tmin": 1, "tmax": 2}, 3]}', fmt="json")
    with pytest.raises(ForecastError, match=r"département '2A' has no IBM thresholds"):
        parse(csv("2026-07-01,18,30"), fmt="csv", departement="2A")


def test_http_feed_adapter_reads_the_same_shapes(tmp_path):
    import http.server
    import threading

    from recoque.heat.forecast import fetch

    body = json.dumps({"departement": "75", "days": [{"date": "2026-07-01", "tmin": 18, "tmax": 30},
                                                     {"date": "2026-07-02", "tmin": 19, "tmax": 31}]}).encode()

    class Feed(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            if self.path != "/prevision.json":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):   # keep the test output clean
            return None

    server = http.server.HTTPServer(("127.0.0.1", 0), Feed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        f = fetch(f"{url}/prevision.json")
        assert f.days["tmax"].tolist() == [30, 31] and f.source.endswith("/prevision.json")
        with pytest.raises(ForecastError, match="404"):
            fetch(f"{url}/absent.json")
    finally:
        server.shutdown()


def test_implausible_series_are_refused_in_french():
    from recoque.heat.forecast import ForecastError, parse

    july = "date,tmin,tmax\n" + "".join(f"2026-07-{d:02d},{30 + d % 3},{44 + d % 5}\n" for d in range(1, 8))
    with pytest.raises(ForecastError, match="records de Paris.*déclarez l'unité F"):
        parse(july, fmt="csv")
    long = "date,tmin,tmax\n" + "".join(f"{day.date()},15,25\n" for day in pd.date_range("2026-01-01", periods=250))
    with pytest.raises(ForecastError, match="au plus 200 jours"):
        parse(long, fmt="csv")
    with pytest.raises(ForecastError, match="aucune prévision avant 1900"):
        parse("date,tmin,tmax\n1899-07-01,15,25\n1899-07-02,15,26\n", fmt="csv")


def test_a_huge_upload_is_refused_before_it_is_parsed():
    from recoque.heat.forecast import ForecastError, parse

    text = "date,tmin,tmax\n" + "2026-07-01,18,30\n" * 400_000   # duplicates a parse would report line by line
    with pytest.raises(ForecastError, match="trop volumineux"):
        parse(text, fmt="csv")
