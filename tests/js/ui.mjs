// The web UI in a real headless Chromium (Debian's, driven by playwright-core), as the
// `ui::browser` end-to-end test runs it:
//
//   node ui.mjs SIGN_IN_LINK PAGES_JSON SCREENSHOT_DIR WALKS_JSON
//
// PAGES_JSON: [{"name": "home", "path": "/", "status": 200}, ...]; WALKS_JSON: {"en": path of
// an open proposal, "es": another, "pool": path of a pool whose ledger has two pages}. Signs in with the one-time link, then for
// English and Spanish, at 320 and 1280 px wide, opens every page and checks it: axe-core finds
// no WCAG 2.2 A/AA violation; `lang` is the language's; one h1, a main landmark, a skip link;
// no horizontal scrolling; no request leaves the node. A screenshot of each is saved. The same
// for the pages of forms sent empty or unchanged (WALKS_JSON's "errors": the error next to
// each field). Then two
// keyboard-only walkthroughs in English and in Spanish: raise an issue and share it with a
// rank; block a proposal with a reason; pledge to a pool; record a meeting; rank a poll's
// options. Then a change
// made on another node shows on an open page within a second, leaving its form alone. Prints each failure and exits 1 if there was one.

import { mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { checkPage, launch } from './check.mjs';
const [, , signIn, pagesJson, shots, walksJson] = process.argv;
const walks = JSON.parse(walksJson || '{}');
const pages = JSON.parse(pagesJson);
mkdirSync(shots, { recursive: true });
const base = new URL(signIn).origin;
const failures = [];

const browser = await launch();
// The pages allow no script but the node's own (their Content-Security-Policy): axe is put in by the
// test's browser, past that policy.
const context = await browser.newContext({ bypassCSP: true });
const page = await context.newPage();
page.on('request', (r) => {
  if (!r.url().startsWith(base) && !r.url().startsWith('data:')) {
    failures.push(`${page.url()}: asked ${r.url()}, outside the node`);
  }
});
page.on('console', (m) => {
  // A page answered with an error status is logged as such; the pages' own status is checked.
  if (m.type() === 'error' && !/responded with a status of (400|403|404|409|422)/.test(m.text())) {
    failures.push(`${page.url()}: console error: ${m.text()}`);
  }
});

// The link's page has a button that spends the link (a previewer following it spends
// nothing): pressed with the keyboard.
const signed = await page.goto(signIn);
if (!signed.ok()) throw new Error(`the sign-in link answered ${signed.status()}`);
await page.focus('form[action="/sign-in"] button');
await Promise.all([page.waitForURL(`${base}/`), page.keyboard.press('Enter')]);

let checked = 0;

/** Checks the page shown now (see `check.mjs`). */
async function checkHere(where, lang, shot) {
  await checkPage(page, { where, lang, shots, shot, failures });
  checked += 1;
}

for (const lang of ['en', 'es']) {
  await page.goto(`${base}/lang/${lang}?back=/`);
  for (const width of [320, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    for (const p of pages) {
      const where = `${p.name} (${lang}, ${width}px)`;
      const resp = await page.goto(base + p.path);
      if (resp.status() !== (p.status || 200)) failures.push(`${where}: answered ${resp.status()}`);
      await checkHere(where, lang, `${p.name}-${lang}-${width}`);
    }
    // Forms sent empty (or unchanged): the page that says what is wrong, next to each field,
    // passes the same checks.
    for (const e of walks.errors || []) {
      const where = `${e.name} refused (${lang}, ${width}px)`;
      await page.goto(base + e.path);
      const [resp] = await Promise.all([
        page.waitForNavigation({ waitUntil: 'load' }),
        page.$eval(e.form, (f) => f.requestSubmit()),
      ]);
      if (!resp || resp.status() < 400 || resp.status() >= 500) failures.push(`${where}: answered ${resp && resp.status()}`);
      const invalid = await page.evaluate(() => document.querySelectorAll('.error').length);
      if (!invalid) failures.push(`${where}: no error is shown`);
      await checkHere(where, lang, `${e.name}-error-${lang}-${width}`);
    }
  }
}

/** Presses Tab until the focused element satisfies `pred` (at most 80 times). */
async function tabTo(what, pred) {
  for (let i = 0; i < 80; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(pred)) return;
  }
  throw new Error(`could not reach ${what} with the keyboard on ${page.url()}`);
}

/** Raise an issue and share it with a rank, with the keyboard alone. */
async function raiseAndShare(lang, issuesPath, title, raiseLabel, shareLabel, rankText) {
  await page.goto(`${base}/lang/${lang}?back=${encodeURIComponent(issuesPath)}`);
  await tabTo('the title field', () => document.activeElement.id === 'title');
  await page.keyboard.type(title);
  await tabTo('the description field', () => document.activeElement.id === 'description');
  await page.keyboard.type('Ramps are missing at most stops.');
  await tabTo('the tags field', () => document.activeElement.id === 'tags');
  await page.keyboard.type('disability, transit');
  await tabTo('the raise button', new Function(
    `return document.activeElement.tagName === 'BUTTON' && document.activeElement.textContent.trim() === ${JSON.stringify(raiseLabel)};`));
  await Promise.all([page.waitForURL(/done=issue-raised/), page.keyboard.press('Enter')]);
  const h1 = await page.textContent('h1');
  if (h1.trim() !== title) failures.push(`${lang} walkthrough: the issue page's h1 is "${h1}"`);
  await tabTo('the rank field', () => document.activeElement.id === 'rank');
  await page.keyboard.type('3');
  await tabTo('the share button', new Function(
    `return document.activeElement.tagName === 'BUTTON' && document.activeElement.textContent.trim() === ${JSON.stringify(shareLabel)};`));
  await Promise.all([page.waitForURL(/done=issue-shared/), page.keyboard.press('Enter')]);
  const text = await page.textContent('main');
  if (!text.includes(rankText)) failures.push(`${lang} walkthrough: the share is not shown ("${rankText}")`);
}

/** Block a proposal with a reason, with the keyboard alone. */
async function block(lang, path, submitLabel, reason, shown) {
  await page.goto(`${base}/lang/${lang}?back=${encodeURIComponent(path)}`);
  await tabTo('the positions', () => document.activeElement.name === 'stance');
  // Arrow keys move the choice within the group: agree, stand aside, disagree, block.
  for (let i = 0; i < 3; i += 1) await page.keyboard.press('ArrowDown');
  const chosen = await page.evaluate(() => document.activeElement.value);
  if (chosen !== 'block') throw new Error(`the arrow keys chose "${chosen}"`);
  await tabTo('the reason field', () => document.activeElement.id === 'reason');
  await page.keyboard.type(reason);
  await tabTo('the submit button', new Function(
    `return document.activeElement.tagName === 'BUTTON' && document.activeElement.textContent.trim() === ${JSON.stringify(submitLabel)};`));
  await Promise.all([page.waitForURL(/done=vote-recorded/), page.keyboard.press('Enter')]);
  const text = await page.textContent('main');
  for (const s of [shown, reason]) {
    if (!text.includes(s)) failures.push(`${lang} block walkthrough: "${s}" is not shown`);
  }
}

/** Pledge to a pool, with the keyboard alone. */
async function pledge(lang, path, typed, submitLabel, shown) {
  await page.goto(`${base}/lang/${lang}?back=${encodeURIComponent(path)}`);
  // The group's checked choice (a pledge) takes the focus (past the ledger's filter, whose
  // select is named kind too).
  await tabTo('the kind of entry', () => document.activeElement.name === 'kind'
    && document.activeElement.type === 'radio');
  const kind = await page.evaluate(() => document.activeElement.value);
  if (kind !== 'pledge') throw new Error(`the focused kind is "${kind}"`);
  await tabTo('the amount field', () => document.activeElement.id === 'amount');
  await page.keyboard.type(typed);
  await tabTo('the note field', () => document.activeElement.id === 'note');
  await page.keyboard.type('From the keyboard');
  await tabTo('the submit button', new Function(
    `return document.activeElement.tagName === 'BUTTON' && document.activeElement.textContent.trim() === ${JSON.stringify(submitLabel)};`));
  await Promise.all([page.waitForURL(/done=give-recorded/), page.keyboard.press('Enter')]);
  // The newest entry is on the ledger's last page.
  await page.goto(`${base}${path}?offset=50`);
  const text = await page.textContent('main');
  if (!text.includes(shown)) failures.push(`${lang} pledge walkthrough: "${shown}" is not in the ledger`);
}

if (walks.pool) {
  for (const [lang, typed, label, shown] of [
    ['en', '1250.75', 'Record it in the ledger', '1,250.75'],
    ['es', '980,25', 'Registrarlo en el libro de cuentas', '980,25'],
  ]) {
    try {
      await pledge(lang, walks.pool, typed, label, shown);
    } catch (e) {
      failures.push(`${lang} pledge walkthrough: ${e.message.split('\n')[0]} at ${page.url()}`);
      await page.screenshot({ path: `${shots}/pledge-${lang}-failed.png`, fullPage: true });
    }
  }
}

/** Record a meeting, with the keyboard alone: the day as given, one member present, an
 * agenda and minutes. */
async function recordMeeting(lang, path, item, submitLabel) {
  await page.goto(`${base}/lang/${lang}?back=${encodeURIComponent(path)}`);
  await tabTo('a member present', () => document.activeElement.name === 'present');
  await page.keyboard.press('Space');
  await tabTo('the agenda', () => document.activeElement.id === 'agenda');
  await page.keyboard.type(`${item}\nBudget`);
  await tabTo('the minutes', () => document.activeElement.id === 'minutes');
  await page.keyboard.type('Agreed.');
  await tabTo('the submit button', new Function(
    `return document.activeElement.tagName === 'BUTTON' && document.activeElement.textContent.trim() === ${JSON.stringify(submitLabel)};`));
  await Promise.all([page.waitForURL(/done=meeting-recorded/), page.keyboard.press('Enter')]);
  const text = await page.textContent('main');
  if (!text.includes(item)) failures.push(`${lang} meeting walkthrough: the agenda is not shown`);
}

if (walks.meeting) {
  for (const [lang, item, label] of [
    ['en', 'Night buses', 'Record the meeting'],
    ['es', 'Autobuses nocturnos', 'Registrar la reunión'],
  ]) {
    try {
      await recordMeeting(lang, walks.meeting, item, label);
    } catch (e) {
      failures.push(`${lang} meeting walkthrough: ${e.message.split('\n')[0]} at ${page.url()}`);
      await page.screenshot({ path: `${shots}/meeting-${lang}-failed.png`, fullPage: true });
    }
  }
}

/** A change made on another node shows on an open page within a second; what is being
 * typed in the page's form stays, with the focus. Run in a browser context that keeps the
 * pages' Content-Security-Policy (the others set it aside to put axe in): live.js and its
 * event stream must work under it, with no violation logged. */
async function live({ path, command, expect }) {
  const strict = await browser.newContext();
  await strict.addCookies(await context.cookies());
  const page = await strict.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') failures.push(`live update: console error: ${m.text()}`);
  });
  await page.goto(`${base}/lang/en?back=${encodeURIComponent(path)}`);
  await page.focus('#title');
  await page.keyboard.type('Half typed');
  const [bin, ...args] = command;
  execFileSync(bin, args, { stdio: 'ignore', env: { ...process.env, COALESCE_LOG: 'error' } });
  const start = Date.now();
  await page.waitForFunction(
    (text) => document.getElementById('live-issues').textContent.includes(text),
    expect,
    { timeout: 5000 },
  );
  const took = Date.now() - start;
  if (took > 1000) failures.push(`live update: the change showed after ${took} ms`);
  const kept = await page.evaluate(() => [document.getElementById('title').value, document.activeElement.id]);
  if (kept[0] !== 'Half typed' || kept[1] !== 'title') {
    failures.push(`live update: the form was disturbed (${JSON.stringify(kept)})`);
  }
  await page.waitForFunction(() => document.getElementById('live-note').textContent !== '', null, { timeout: 2000 });
  const note = await page.textContent('#live-note');
  if (!note.includes('updated')) failures.push(`live update: no status message ("${note}")`);
  await strict.close();
}

if (walks.live) {
  try {
    await live(walks.live);
  } catch (e) {
    failures.push(`live update: ${e.message.split('\n')[0]} at ${page.url()}`);
    await page.screenshot({ path: `${shots}/live-failed.png`, fullPage: true });
  }
}

/** Rank a poll's options with the keyboard alone: each option's menu of preferences is
 * reached with Tab and set with the arrow keys (`moves`: option number → presses, negative
 * for up), then the ballot is sent with Enter. */
async function rankPoll(lang, path, moves, submitLabel, shown) {
  await page.goto(`${base}/lang/${lang}?back=${encodeURIComponent(path)}`);
  for (const [n, presses] of moves) {
    await tabTo(`the preference of option ${n}`, new Function(
      `return document.activeElement.id === ${JSON.stringify(`o${n}`)};`));
    for (let i = 0; i < Math.abs(presses); i += 1) {
      await page.keyboard.press(presses > 0 ? 'ArrowDown' : 'ArrowUp');
    }
  }
  await tabTo('the ballot button', new Function(
    `return document.activeElement.tagName === 'BUTTON' && document.activeElement.textContent.trim() === ${JSON.stringify(submitLabel)};`));
  await Promise.all([page.waitForURL(/done=ballot-cast/), page.keyboard.press('Enter')]);
  const row = await page.textContent('tr:has(th:text-is("' + shown[0] + '"))');
  if (!row || !row.includes(shown[1])) {
    failures.push(`${lang} ballot walkthrough: the row of "${shown[0]}" reads "${row}"`);
  }
}

if (walks.poll) {
  // Cast by the API: Half fares 1, Fare-free buses 2, Free transfers not ranked.
  for (const [lang, moves, label, shown] of [
    ['en', [[1, 1], [2, 1], [3, 1]], 'Change the ballot', ['Free transfers', 'Winner']],
    ['es', [[1, -2], [2, 1], [3, 1]], 'Cambiar la papeleta', ['Fare-free buses', 'Ganadora']],
  ]) {
    try {
      await rankPoll(lang, walks.poll, moves, label, shown);
    } catch (e) {
      failures.push(`${lang} ballot walkthrough: ${e.message.split('\n')[0]} at ${page.url()}`);
      await page.screenshot({ path: `${shots}/ballot-${lang}-failed.png`, fullPage: true });
    }
  }
}

const issues = pages.find((p) => p.name === 'issues').path;
for (const [lang, path, label, reason, shown] of [
  ['en', walks.en, 'Record the position', 'The letter names a candidate.', '1 blocked'],
  ['es', walks.es, 'Registrar la posición', 'La carta nombra a un candidato.', '1 bloqueó'],
]) {
  if (!path) continue;
  try {
    await block(lang, path, label, reason, shown);
  } catch (e) {
    failures.push(`${lang} block walkthrough: ${e.message.split('\n')[0]} at ${page.url()}`);
    await page.screenshot({ path: `${shots}/block-${lang}-failed.png`, fullPage: true });
  }
}
for (const args of [
  ['en', issues, 'Curb ramps at bus stops', 'Raise the issue', 'Share with this rank', ': rank 3'],
  ['es', issues, 'Rampas en las paradas', 'Plantear el tema', 'Compartir con esta prioridad', ': prioridad 3'],
]) {
  try {
    await raiseAndShare(...args);
  } catch (e) {
    const text = (await page.textContent('main').catch(() => '')) || '';
    failures.push(`${args[0]} walkthrough: ${e.message.split('\n')[0]} at ${page.url()}: ${text.replace(/\s+/g, ' ').slice(0, 400)}`);
    await page.screenshot({ path: `${shots}/walkthrough-${args[0]}-failed.png`, fullPage: true });
  }
}

/** Open a progress report in another language than the page's, with the keyboard alone, from
 * the reports page; then check, in a context that keeps the pages' policies, that the report's
 * own policy lets its stylesheet apply and nothing else. */
async function progressReport(lang, other, linkLabel, openLabel, heading) {
  await page.goto(`${base}/lang/${lang}?back=${encodeURIComponent(walks.reports)}`);
  await tabTo('the progress report link', new Function(
    `return document.activeElement.tagName === 'A' && document.activeElement.textContent.trim() === ${JSON.stringify(linkLabel)};`));
  await Promise.all([page.waitForURL(/\/reports\/progress$/), page.keyboard.press('Enter')]);
  await tabTo('the first day', () => document.activeElement.id === 'from');
  await page.keyboard.type('03012026');
  await tabTo('the language', () => document.activeElement.id === 'lang');
  await page.keyboard.press(other === 'es' ? 'ArrowDown' : 'ArrowUp');
  await tabTo('the open button', new Function(
    `return document.activeElement.tagName === 'BUTTON' && document.activeElement.textContent.trim() === ${JSON.stringify(openLabel)};`));
  await Promise.all([page.waitForURL(/get=view/), page.keyboard.press('Enter')]);
  const url = new URL(page.url());
  if (url.searchParams.get('from') !== '2026-03-01') failures.push(`${lang} report walkthrough: the first day sent is "${url.searchParams.get('from')}"`);
  const [docLang, h1] = await page.evaluate(() => [document.documentElement.lang, document.querySelector('h1').textContent]);
  if (docLang !== other) failures.push(`${lang} report walkthrough: the report's lang is "${docLang}"`);
  if (!h1.includes(heading)) failures.push(`${lang} report walkthrough: the h1 is "${h1}"`);

  const strict = await browser.newContext();
  await strict.addCookies(await context.cookies());
  const shown = await strict.newPage();
  const errors = [];
  shown.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await shown.goto(page.url());
  const styled = await shown.evaluate(() => getComputedStyle(document.querySelector('h2')).borderBottomStyle);
  if (styled !== 'solid') failures.push(`${lang} report walkthrough: the report's own stylesheet did not apply under its policy`);
  // Printed: at the width of an A4 page and of a Letter page (less the margins, at 96 dpi),
  // under the print styles, nothing is wider than the page and the navigation is left out.
  await shown.emulateMedia({ media: 'print' });
  for (const [paper, width] of [['A4', 673], ['Letter', 695]]) {
    await shown.setViewportSize({ width, height: 1000 });
    const printed = await shown.evaluate(() => ({
      wide: document.documentElement.scrollWidth > window.innerWidth,
      nav: getComputedStyle(document.querySelector('nav')).display,
      height: document.documentElement.scrollHeight,
    }));
    if (printed.wide) failures.push(`${lang} report printed on ${paper}: wider than the page`);
    if (printed.nav !== 'none') failures.push(`${lang} report printed on ${paper}: the contents are printed`);
    // And printed for real, to a PDF of that paper (kept beside the screenshots): pages of the
    // paper's size, as many as the report needs and no more than its length calls for.
    const pdf = await shown.pdf({ format: paper, path: `${shots}/report-${lang}-${paper}.pdf` });
    const text = pdf.toString('latin1');
    const pages = (text.match(/\/Type\s*\/Page(?![s\w])/g) || []).length;
    const sizes = [...text.matchAll(/\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/g)]
      .map((m) => [Math.round(Number(m[1])), Math.round(Number(m[2]))]);
    const expected = paper === 'A4' ? [596, 843] : [612, 792];
    if (!text.startsWith('%PDF-')) failures.push(`${lang} report printed on ${paper}: not a PDF`);
    // The page's height less its 16 mm margins, at 96 dpi; keeping tables and figures whole
    // may start a page early, never more than doubling them.
    const least = Math.ceil(printed.height / ((paper === 'A4' ? 265 : 247.4) * 96 / 25.4));
    if (pages < Math.max(1, least - 1) || pages > 2 * least + 1) {
      failures.push(`${lang} report printed on ${paper}: ${pages} pages for ${printed.height} px of report`);
    }
    if (sizes.length === 0 || sizes.some(([w, h]) => Math.abs(w - expected[0]) > 1 || Math.abs(h - expected[1]) > 1)) {
      failures.push(`${lang} report printed on ${paper}: pages of ${JSON.stringify(sizes)} points`);
    }
  }
  for (const e of errors) failures.push(`${lang} report walkthrough: console error under the report's policy: ${e}`);
  await strict.close();
}

if (walks.reports) {
  for (const [lang, other, link, open, heading] of [
    ['en', 'es', 'Make a progress report to hand out', 'Open the report', 'informe de avances'],
    ['es', 'en', 'Hacer un informe de avances para repartir', 'Abrir el informe', 'progress report'],
  ]) {
    try {
      await progressReport(lang, other, link, open, heading);
    } catch (e) {
      failures.push(`${lang} report walkthrough: ${e.message.split('\n')[0]} at ${page.url()}`);
      await page.screenshot({ path: `${shots}/report-${lang}-failed.png`, fullPage: true });
    }
  }
}

await browser.close();
for (const f of failures) console.log(`FAIL ${f}`);
console.log(`${checked} page views checked, ${failures.length} failures`);
process.exit(failures.length ? 1 : 0);
