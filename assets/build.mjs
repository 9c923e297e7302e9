// Copies the front-end files the app serves out of node_modules into tenant_app/static/vendor/
// (git-ignored): a small SVG sprite with only the Bootstrap Icons the templates use, and the
// icons' licence. Run by `npm run build` (make install, the Dockerfile's builder stage).
// Templates draw an icon with the `icon(name)` macro (templates/_macros.html), which points an
// <svg><use> at this sprite, so no inline style or script is needed and the CSP stays strict.
import { mkdirSync, readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const icons = join(root, "node_modules", "bootstrap-icons");
const out = join(root, "tenant_app", "static", "vendor");

// Every icon name a template passes to icon(); tests/test_icons.py checks the two agree.
export const ICONS = [
  "bar-chart", "bell", "box-arrow-right", "buildings", "clipboard-check", "diagram-3", "house",
  "journal-text", "list", "person", "person-check", "plus-lg", "search", "sliders", "x-circle",
];

const sprite = readFileSync(join(icons, "bootstrap-icons.svg"), "utf8");
const symbols = ICONS.map((name) => {
  const match = sprite.match(new RegExp(`<symbol[^>]*id="${name}"[^>]*>[\\s\\S]*?</symbol>`));
  if (!match) throw new Error(`bootstrap-icons has no icon named ${name}`);
  return match[0];
});
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, "icons.svg"),
  `<svg xmlns="http://www.w3.org/2000/svg">\n${symbols.join("\n")}\n</svg>\n`,
);
copyFileSync(join(icons, "LICENSE"), join(out, "bootstrap-icons.LICENSE"));
console.log(`tenant_app/static/vendor/icons.svg: ${symbols.length} icons`);
