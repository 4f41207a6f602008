// What every page of the web UI is checked for, shared by `ui.mjs`, `people.mjs` and
// `scenario.mjs` (and how they start the browser): its
// `lang` is the language's; one h1, a main landmark, a skip link; no horizontal scrolling;
// axe-core finds no WCAG 2.2 A/AA violation (nor best-practice one). A full-page screenshot
// is saved.

import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Debian's headless Chromium (or `$CHROMIUM`), with nothing that reaches outside. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Checks the page `page` shows now, as `where`, in `lang`; each failure is pushed on
 * `failures`; the screenshot goes to `${shots}/${shot}.png`. */
export async function checkPage(page, { where, lang, shots, shot, failures }) {
  const facts = await page.evaluate(() => ({
    lang: document.documentElement.lang,
    h1: document.querySelectorAll('h1').length,
    skip: !!document.querySelector('a[href="#main"]'),
    main: document.querySelectorAll('main').length,
    wide: document.documentElement.scrollWidth > window.innerWidth,
  }));
  if (facts.lang !== lang) failures.push(`${where}: lang is "${facts.lang}"`);
  if (facts.h1 !== 1) failures.push(`${where}: ${facts.h1} h1 elements`);
  if (!facts.skip) failures.push(`${where}: no skip link`);
  if (facts.main !== 1) failures.push(`${where}: ${facts.main} main landmarks`);
  if (facts.wide) failures.push(`${where}: scrolls sideways`);
  // The pages allow no script but the node's own: the browser context that runs this sets
  // their Content-Security-Policy aside (`bypassCSP`) to put axe in.
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    }));
  for (const v of result.violations) {
    const nodes = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ');
    failures.push(`${where}: ${v.id} (${v.impact}): ${v.help}: ${nodes}`);
  }
  await page.screenshot({ path: `${shots}/${shot}.png`, fullPage: true });
}
