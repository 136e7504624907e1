// What every map of the console draws over its colours: the arrondissement outlines and their
// names (« 13e »), from the platform's own layer (no tiles). Shared by the map and population pages.
window.RecoqueBase = (function () {
  "use strict";

  function arrondissementName(code) {
    const n = parseInt(String(code).slice(3), 10);
    return n === 1 ? "1er" : n + "e";
  }

  // outlines and names on `map`; resolves to the outline layer (for fitBounds and bringToFront)
  async function arrondissements(map, geo) {
    if (!geo) {
      const response = await fetch("/api/v1/territory/arrondissements");
      if (!response.ok) throw new Error(response.statusText);
      geo = await response.json();
    }
    const outlines = L.geoJSON(geo, { style: { fill: false, color: "#222", weight: 1.5 }, interactive: false })
      .addTo(map);
    outlines.eachLayer((l) => L.tooltip({ permanent: true, direction: "center", className: "arr-label",
                                          interactive: false })
      .setContent(arrondissementName(l.feature.properties.code)).setLatLng(l.getCenter()).addTo(map));
    return outlines;
  }

  return { arrondissementName, arrondissements };
})();
