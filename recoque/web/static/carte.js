// Map page: Paris drawn from the City's own layers (no tiles), coloured by the chosen layer.
(function () {
  "use strict";
  const T = JSON.parse(document.getElementById("recoque-strings").textContent);
  const PALETTE = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"];
  const UNKNOWN = "#d9d9d9";
  const mapEl = document.getElementById("map");
  const layerSelect = document.getElementById("layer");
  const levelSelect = document.getElementById("level");
  const legendEl = document.getElementById("legend");
  const infoEl = document.getElementById("info");
  const tableEl = document.getElementById("values-table");

  const map = L.map("map", { zoomSnap: 0.25, attributionControl: true });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Ville de Paris (ODbL), IGN, INSEE");
  map.setView([48.8566, 2.3522], 12);

  const geometryCache = {};
  let unitsLayer = null;
  let outlineLayer = null;
  let current = null; // {layer, level, values, breaks, unit}
  const overlays = {};

  async function getJSON(url) {
    const response = await fetch(url);
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(body.detail || response.statusText);
    }
    return response.json();
  }

  function geometry(level) {
    if (!geometryCache[level]) {
      const plural = { arrondissement: "arrondissements", quartier: "quartiers", iris: "iris" }[level];
      geometryCache[level] = getJSON("/api/v1/territory/" + plural);
    }
    return geometryCache[level];
  }

  function classOf(value, breaks) {
    if (value === null || value === undefined) return -1;
    for (let i = 1; i < breaks.length; i++) if (value <= breaks[i]) return Math.min(i - 1, PALETTE.length - 1);
    return PALETTE.length - 1;
  }

  function format(value) {
    if (value === null || value === undefined) return T.map_unknown;
    return value.toLocaleString("fr-FR", { maximumFractionDigits: value < 10 ? 2 : 0 });
  }

  function style(feature) {
    const p = feature.properties;
    if (p.kind === "water") return { fillColor: "#a6cee3", fillOpacity: 0.9, color: "#6a9fc0", weight: 0.5 };
    const k = classOf(current.values[p.code], current.breaks);
    return { fillColor: k < 0 ? UNKNOWN : PALETTE[k], fillOpacity: 0.85, color: "#666", weight: 0.4 };
  }

  const arrondissementName = window.RecoqueBase.arrondissementName;

  // the same values as the map, as a table: readable by keyboard and screen reader, sortable by eye
  function renderTable(geo) {
    const rows = geo.features.filter((f) => f.properties.kind !== "water").map((f) => f.properties)
      .sort((a, b) => String(a.code).localeCompare(String(b.code)));
    tableEl.querySelector("caption").textContent = current.label + " (" + current.unit + ")";
    tableEl.classList.toggle("arrondissements", current.level === "arrondissement");
    const body = tableEl.querySelector("tbody");
    body.replaceChildren();
    for (const p of rows) {
      const tr = document.createElement("tr");
      const name = document.createElement("th");
      name.scope = "row";
      const arr = document.createElement("td");
      if (current.level === "arrondissement") {
        name.textContent = arrondissementName(p.code);   // its own column then says nothing more
      } else {
        name.textContent = p.name;
        arr.textContent = arrondissementName(p.arrondissement);
      }
      const value = document.createElement("td");
      value.className = "num";
      value.textContent = format(current.values[p.code]);
      tr.append(name, arr, value);
      body.append(tr);
    }
  }

  function renderLegend() {
    const b = current.breaks;
    let html = "<h2>" + current.label + "</h2><ul>";
    for (let i = 0; i + 1 < b.length; i++) {
      html += '<li><span class="swatch" style="background:' + PALETTE[Math.min(i, PALETTE.length - 1)] +
        '"></span>' + format(b[i]) + " – " + format(b[i + 1]) + " " + current.unit + "</li>";
    }
    html += '<li><span class="swatch" style="background:' + UNKNOWN + '"></span>' + T.map_unknown + "</li></ul>";
    legendEl.innerHTML = html;
    document.getElementById("note").textContent = current.note;
    document.getElementById("source").textContent = T.map_source + " : " + current.source;
  }

  const layerLevels = {};

  function offerLevels() {
    // some layers are published per arrondissement only: offer only the levels they have
    const allowed = layerLevels[layerSelect.value] || [];
    for (const option of levelSelect.options) option.disabled = !allowed.includes(option.value);
    if (!allowed.includes(levelSelect.value)) levelSelect.value = allowed[0];
  }

  let drawing = 0; // the latest request wins: an older, slower answer must not repaint the map

  async function draw() {
    offerLevels();
    const layer = layerSelect.value, level = levelSelect.value;
    const ticket = ++drawing;
    mapEl.dataset.status = "loading";
    try {
      const [geo, data] = await Promise.all([
        geometry(level), getJSON("/api/v1/layers/" + encodeURIComponent(layer) + "?level=" + level)]);
      if (ticket !== drawing) return;
      current = { layer, level, values: data.values, breaks: data.breaks, unit: data.unit,
                  label: data.label, note: data.note, source: data.source };
      if (unitsLayer) map.removeLayer(unitsLayer);
      unitsLayer = L.geoJSON(geo, {
        style,
        onEachFeature: (feature, lyr) => lyr.on("click", () => {
          const p = feature.properties;
          infoEl.innerHTML = "<strong>" + p.name + "</strong> (" + p.code + ")<br>" + current.label +
            " : " + format(current.values[p.code]) + " " + current.unit;
        }),
      }).addTo(map);
      if (outlineLayer) outlineLayer.bringToFront();
      renderLegend();
      renderTable(geo);
      mapEl.dataset.layer = layer;
      mapEl.dataset.level = level;
      mapEl.dataset.status = "ready";
    } catch (err) {
      if (ticket !== drawing) return;
      mapEl.dataset.status = "error";
      infoEl.textContent = err.message;
    }
  }

  async function toggleOverlay(name, on) {
    if (!on) { if (overlays[name]) map.removeLayer(overlays[name]); return; }
    if (!overlays[name]) {
      const geo = await getJSON("/api/v1/overlays/" + name);
      const colour = name === "fountains" ? "#1f78b4" : "#33a02c";
      overlays[name] = L.geoJSON(geo, {
        pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 3, color: colour, weight: 1, fillOpacity: 0.8 }),
        onEachFeature: (f, lyr) => lyr.bindTooltip(f.properties.nom || f.properties.voie || ""),
      });
    }
    overlays[name].addTo(map);
  }

  async function start() {
    const [layers, context, arrondissements] = await Promise.all([
      getJSON("/api/v1/layers"), getJSON("/api/v1/overlays/context"), geometry("arrondissement")]);
    for (const l of layers) { layerSelect.add(new Option(l.label, l.id)); layerLevels[l.id] = l.levels; }
    L.geoJSON(context, { style: { fillColor: "#eeeeee", fillOpacity: 1, color: "#bbbbbb", weight: 0.5 },
                         interactive: false }).addTo(map);
    outlineLayer = await window.RecoqueBase.arrondissements(map, arrondissements);
    map.fitBounds(outlineLayer.getBounds(), { padding: [10, 10] });
    layerSelect.addEventListener("change", draw);
    levelSelect.addEventListener("change", draw);
    for (const name of ["cool_places", "fountains"]) {
      document.getElementById("overlay-" + name)
        .addEventListener("change", (e) => toggleOverlay(name, e.target.checked));
    }
    // a link may name the layer and level to open (e.g. /carte?layer=droits_montant_non_recouru&level=iris)
    const asked = new URLSearchParams(window.location.search);
    if (asked.get("layer") && layerLevels[asked.get("layer")]) layerSelect.value = asked.get("layer");
    if (asked.get("level")) levelSelect.value = asked.get("level");
    await draw();
  }

  start().catch((err) => { mapEl.dataset.status = "error"; infoEl.textContent = err.message; });
})();
