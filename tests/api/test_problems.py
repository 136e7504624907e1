"""Errors are RFC 9457 problem-details bodies for programs and French pages for people."""


def test_api_errors_are_problem_details(client):
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json() == {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "Not Found"}
    r = client.post("/api/v1/rights/simulate", json={"age": 7, "rent": -1})
    body = r.json()
    assert r.status_code == 422 and body["status"] == 422 and isinstance(body["detail"], str)
    assert {e["field"] for e in body["errors"]} >= {"body.age", "body.rent"}
    r = client.get("/api/v1/territory/layers/nope")
    assert r.status_code == 404 and isinstance(r.json()["detail"], str) and r.json()["title"] == "Not Found"


def test_every_operation_documents_its_problems(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code in ("401", "404", "422", "429"):
                content = operation["responses"][code]["content"]
                assert content["application/problem+json"]["schema"]["$ref"] == "#/components/schemas/Problem", \
                    (method, path, code)


def test_a_person_gets_a_french_page(client):
    r = client.get("/une-page-qui-n-existe-pas", headers={"accept": "text/html"})
    assert r.status_code == 404 and "Page introuvable" in r.text and "<html" in r.text
