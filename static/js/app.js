// Starts GOV.UK Frontend's components; pages work without it (progressive enhancement).
import { initAll } from "/static/vendor/govuk-frontend.min.js";

initAll();
document.body.addEventListener("htmx:afterSwap", (event) => initAll({ scope: event.target }));

// The action lists' filters fold behind "Show filters" on a small screen (a <details>, which works
// without JavaScript); on a wide screen, where they sit beside the list, they start open.
if (window.matchMedia("(min-width: 48.0625em)").matches) {
  for (const toggle of document.querySelectorAll('[data-module="app-filter-toggle"]')) toggle.open = true;
}
