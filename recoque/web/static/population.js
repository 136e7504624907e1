// Validation map: each IRIS coloured by the synthetic population's error on the chosen table.
(function () {
  "use strict";
  const el = document.getElementById("validation-map");
  const select = document.getElementById("table");
  const legend = document.getElementById("validation-legend");
  const STEPS = [[0.01, "#1a9850"], [0.025, "#91cf60"], [0.05, "#fee08b"], [0.1, "#fc8d59"], [Infinity, "#d73027"]];
  const map = L.map(el, { attributionControl: false }).setView([48.8566, 2.3522], 11);
  let geo = null, report = null, layer = null;

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
      onEachFeature: (f, l) => l.bindTooltip(f.properties.name + " : " +
        (values[f.properties.code] === undefined || values[f.properties.code] === null ? "non comparé"
          : (100 * values[f.properties.code]).toFixed(1).replace(".", ",") + " %")),
    }).addTo(map);
    map.fitBounds(layer.getBounds());
    legend.textContent = "Écart absolu : vert ≤ 1 %, vert clair ≤ 2,5 %, jaune ≤ 5 %, orange ≤ 10 %, rouge au-delà ; gris : non comparé.";
    el.dataset.status = "ready";
    el.dataset.table = select.value;
  }

  Promise.all([fetch("/api/v1/territory/iris").then((r) => r.json()),
               fetch("/api/v1/population/validation").then((r) => r.json())])
    .then(([g, r]) => { geo = g; report = r; select.addEventListener("change", draw); draw(); })
    .catch((err) => { el.dataset.status = "error"; legend.textContent = err.message; });
})();
