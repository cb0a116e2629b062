// Swagger UI from the packaged swagger-ui-bundle (no CDN), reading our spec.
window.ui = SwaggerUIBundle({ url: "openapi.json", dom_id: "#swagger-ui", deepLinking: true });
