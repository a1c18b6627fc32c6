// Lighthouse on several pages in one node process (node's start-up and Lighthouse's
// set-up cost seconds per run), against a chromium that is already running.
// Called by tests/e2e/test_public_site.py:
//
//   node tests/e2e/lighthouse.mjs PRESET PORT OUTPUT_DIR NAME URL [NAME URL ...]
//
// PRESET is "desktop" (Lighthouse's --preset=desktop) or "mobile" (its default); it
// writes OUTPUT_DIR/lighthouse-NAME.report.json and .report.html for each page.
import { writeFileSync } from "node:fs";
import { join } from "node:path";

import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";

const [preset, port, outputDir, ...pages] = process.argv.slice(2);
const config = { desktop: desktopConfig, mobile: undefined }[preset];
if (config === undefined && preset !== "mobile") throw new Error(`unknown preset ${preset}`);
const flags = {
  port: Number(port),
  output: ["json", "html"],
  logLevel: "error",
  onlyCategories: ["performance", "accessibility", "best-practices", "seo"],
  // The back/forward cache check navigates away and back again: seconds, for an
  // audit that no category scores.
  skipAudits: ["bf-cache"],
  disableFullPageScreenshot: true,
};

// A run Lighthouse itself could not record (its runtimeError, e.g. NO_NAVSTART: "Something
// went wrong with recording the trace over your page load. Please run Lighthouse
// again.") has no score; it is run again, at most ATTEMPTS times, and said on stderr.
const ATTEMPTS = 3;

for (let i = 0; i < pages.length; i += 2) {
  const [name, url] = [pages[i], pages[i + 1]];
  let result;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    result = await lighthouse(url, flags, config);
    if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
    const error = result.lhr.runtimeError;
    if (!error) break;
    console.error(`lighthouse ${name}: attempt ${attempt} of ${ATTEMPTS}: ${error.code}`);
  }
  const [json, html] = result.report;
  writeFileSync(join(outputDir, `lighthouse-${name}.report.json`), json);
  writeFileSync(join(outputDir, `lighthouse-${name}.report.html`), html);
}
