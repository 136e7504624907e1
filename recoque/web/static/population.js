// Validation map: each IRIS coloured by the synthetic population's error on the chosen table.
(function () {
  "use strict";
  const el = document.getElementById("validation-map");
  const select = document.getElementById("table");
  const legend = document.getElementById("validation-legend");
  const STEPS = [[0.01, "#1a9850"], [0.025, "#91cf60"], [0.05, "#fee08b"], [0.1, "#fc8d59"], [Infinity, "#d73027"]];
  const map = L.map(el, { attributionControl: false }).setView([48.8566, 2.3522], 11);
  const table = document.getElementById("validation-table");
  let geo = null, report = null, layer = null, outlines = null;

  function shown(v) {
    return v === undefined || v === null ? "non comparé" : (100 * v).toFixed(1).replace(".", ",") + " %";
  }

  // the same errors as a table, IRIS by IRIS: readable by keyboard and screen reader
  function fillTable(values) {
    table.querySelector("caption").textContent = select.options[select.selectedIndex].text;
    const body = table.querySelector("tbody");
    body.replaceChildren();
    const units = geo.features.map((f) => f.properties).filter((p) => p.kind !== "water")
      .sort((a, b) => String(a.code).localeCompare(String(b.code)));
    for (const p of units) {
      const tr = document.createElement("tr");
      const name = document.createElement("th");
      name.scope = "row";
      name.textContent = p.name;
      const arr = document.createElement("td");
      arr.textContent = window.RecoqueBase.arrondissementName(p.arrondissement);
      const value = document.createElement("td");
      value.className = "num";
      value.textContent = shown(values[p.code]);
      tr.append(name, arr, value);
      body.append(tr);
    }
  }

  function colour(v) {
    if (v === null || v === undefined) return "#d9d9d9";
    const a = Math.abs(v);
    for (const [limit, c] of STEPS) if (a <= limit) return c;
    return "#d73027";
  }

  function errors(key) {
    if (key === "income") {
      const out = {};
      for (const [code, row] of Object.entries(report.income.iris)) out[code] = row.error;
      return out;
    }
    return report.tables[key].iris_error;
  }

  function draw() {
    const values = errors(select.value);
    if (layer) map.removeLayer(layer);
    layer = L.geoJSON(geo, {
      style: (f) => ({ fillColor: colour(values[f.properties.code]), fillOpacity: 0.85, color: "#666", weight: 0.3 }),
      onEachFeature: (f, l) => l.bindTooltip(f.properties.name + " : " + shown(values[f.properties.code])),
    }).addTo(map);
    if (outlines) outlines.bringToFront();
    map.fitBounds(layer.getBounds());
    fillTable(values);
    legend.textContent = "Écart absolu : vert ≤ 1 %, vert clair ≤ 2,5 %, jaune ≤ 5 %, orange ≤ 10 %, rouge au-delà ; gris : non comparé.";
    el.dataset.status = "ready";
    el.dataset.table = select.value;
  }

  Promise.all([fetch("/api/v1/territory/iris").then((r) => r.json()),
               fetch("/api/v1/population/validation").then((r) => r.json())])
    .then(async ([g, r]) => {
      geo = g; report = r;
      outlines = await window.RecoqueBase.arrondissements(map);
      select.addEventListener("change", draw);
      draw();
    })
    .catch((err) => { el.dataset.status = "error"; legend.textContent = err.message; });
})();
