// Builds the Playground's GAN Lab component: one self-contained HTML file, committed, so that neither set-up
// command needs node. Run `npm run build` (or `node build.mjs [out.html]`) after editing anything in src/.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] || resolve(here, "../aeot_viz/apps/ui/components/gan_lab/index.html"));
const read = (name) => readFileSync(resolve(here, "src", name), "utf8");
const inline = (code) => "<script>\n" + code.replace(/<\/script/gi, "<\\/script") + "</script>";
const html = read("index.html")
  .replace("<!--ENGINE-->", () => inline(read("gan_engine.js")))
  .replace("<!--MAIN-->", () => inline(read("main.js")));
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, "<!-- Built by frontend/build.mjs from frontend/src: edit those, then rebuild. -->\n" + html);
console.log(`wrote ${out} (${html.length} characters)`);
