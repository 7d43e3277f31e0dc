// Open a ReplayWeb.page embed in Debian's Chromium and wait for archived text to appear.
// Usage: node rwp_render.cjs PAGE_URL EXPECTED_TEXT TIMEOUT_SECONDS
// Environment: PLAYWRIGHT_CORE (path of the playwright-core package), CHROMIUM (executable).
// Prints "rendered" and exits 0 once a frame of the replay shows EXPECTED_TEXT; otherwise
// prints what the frames showed and exits 1. Bounded by TIMEOUT_SECONDS.
"use strict";
const { chromium } = require(process.env.PLAYWRIGHT_CORE);
const [pageUrl, expected, timeoutSeconds] = process.argv.slice(2);
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

async function frameTexts(page) {
  const texts = [];
  for (const frame of page.frames()) {
    try {
      texts.push(await frame.evaluate(() => (document.body ? document.body.innerText : "")));
    } catch (error) {
      texts.push("");
    }
  }
  return texts;
}

(async () => {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM, args: FLAGS,
    headless: true });
  let status = 1;
  try {
    const page = await (await browser.newContext()).newPage();
    page.on("console", (message) => console.error(`console: ${message.text()}`));
    await page.goto(pageUrl);
    const deadline = Date.now() + Number(timeoutSeconds) * 1000;
    let texts = [];
    while (Date.now() < deadline) {
      texts = await frameTexts(page);
      if (texts.some((text) => text.includes(expected))) {
        console.log("rendered");
        status = 0;
        break;
      }
      await page.waitForTimeout(500);
    }
    if (status !== 0) {
      console.log(JSON.stringify(texts.map((text) => text.slice(0, 300))));
    }
  } finally {
    await browser.close();
  }
  process.exit(status);
})().catch((error) => {
  console.error(error);
  process.exit(2);
});
