// The API reference, drawn by the locally served Swagger UI from the platform's OpenAPI schema
// (a file, not an inline script, so the Content-Security-Policy allows no inline script at all).
(function () {
  "use strict";
  const holder = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: holder.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: false,  // its anchors sit inside the summary buttons (nested interactive controls)
    presets: [SwaggerUIBundle.presets.apis],
  });
})();
