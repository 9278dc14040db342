// Builds the front-end assets into static/ so that WhiteNoise serves them (never a CDN).
// Sass compiles GOV.UK Frontend with Arial (this is not a GOV.UK service: no GDS Transport);
// vendor JavaScript is copied from node_modules as published.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const nm = (...p) => join(root, "node_modules", ...p);
const out = (...p) => join(root, "static", ...p);

const copies = [
  [nm("govuk-frontend/dist/govuk/govuk-frontend.min.js"), out("vendor/govuk-frontend.min.js")],
  // Source maps the minified files name: the manifest static storage refuses to start without them.
  [nm("govuk-frontend/dist/govuk/govuk-frontend.min.js.map"), out("vendor/govuk-frontend.min.js.map")],
  [nm("govuk-frontend/dist/govuk/assets/images/favicon.ico"), out("vendor/images/favicon.ico")],
  // GOV.UK Frontend's CSS names this image (the footer's copyright logo, which we never show), so the
  // manifest static storage refuses to start without it.
  [nm("govuk-frontend/dist/govuk/assets/images/govuk-crest.svg"), out("vendor/images/govuk-crest.svg")],
  [nm("htmx.org/dist/htmx.min.js"), out("vendor/htmx.min.js")],
  [nm("chart.js/dist/chart.umd.min.js"), out("vendor/chart.umd.min.js")],
  [nm("chart.js/dist/chart.umd.min.js.map"), out("vendor/chart.umd.min.js.map")],
];
for (const [from, to] of copies) {
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to);
}

const css = sass.compile(join(root, "assets/scss/app.scss"), {
  loadPaths: [nm()],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
mkdirSync(out("vendor/css"), { recursive: true });
writeFileSync(out("vendor/css/app.css"), css.css);
console.log("assets built into static/vendor/");
