// The README's scenario carried through in the web UI of two real nodes, in a real headless
// Chromium (Debian's, driven by playwright-core), as the `ui::scenario` end-to-end test runs it:
//
//   node scenario.mjs CONFIG_JSON SCREENSHOT_DIR
//
// CONFIG_JSON: {"a": sign-in link of the founding node, "b": sign-in link of the invited
// node, "bName": the invited organization's name}. The founder's browser speaks English, the
// invited organization's Spanish. The founder founds a coalition and makes an invite code;
// the other pastes it and watches the coalition arrive; it raises an issue, which the founder
// shares with a rank; the founder proposes a charter amendment, both agree, and the charter in
// force changes on both nodes; the founder opens a general proposal, the other blocks it with
// its reason, and the founder sees why (and that it cannot pass); the other edits its issue and puts the title back from
// the record's history; finally the founder proposes removing the other and the removal
// passes. The pages of each new state are checked (see `check.mjs`). Prints the records' ids
// (`coalition C`, `issue I`, …) and "N page views checked, M failures"; exits 1 on a failure.

import { mkdirSync } from 'node:fs';
import { checkPage, launch } from './check.mjs';

const [, , configJson, shots] = process.argv;
const config = JSON.parse(configJson);
mkdirSync(shots, { recursive: true });
const failures = [];
let checked = 0;

const browser = await launch();

/** A browser of one organization, signed in with its node's one-time link. The pages allow no
 * script but the node's own: the context sets that policy aside only to put axe in. */
async function organizer(link, locale) {
  const context = await browser.newContext({ bypassCSP: true, locale });
  const page = await context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  const base = new URL(link).origin;
  page.on('request', (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith('data:')) {
      failures.push(`${page.url()}: asked ${r.url()}, outside the node`);
    }
  });
  const signed = await page.goto(link);
  if (!signed.ok()) throw new Error(`the sign-in link answered ${signed.status()}`);
  await Promise.all([page.waitForURL(`${base}/`), page.click('form[action="/sign-in"] button')]);
  return { page, base, lang: locale.slice(0, 2) };
}

/** Opens `path` on `who`'s node. */
async function open(who, path) {
  const resp = await who.page.goto(who.base + path);
  if (!resp.ok()) throw new Error(`${path} answered ${resp.status()} on ${who.base}`);
}

/** Submits the form `form` (a selector) of the page shown, after filling `fields` (selector →
 * value; a select is chosen, a radio or checkbox checked when its value is true). Waits for
 * the page the node answers with. */
async function submit(who, form, fields = {}) {
  const { page } = who;
  for (const [sel, value] of Object.entries(fields)) {
    const tag = await page.$eval(sel, (e) => `${e.tagName}:${e.type}`);
    if (tag.startsWith('SELECT')) await page.selectOption(sel, value);
    else if (/:(radio|checkbox)$/.test(tag)) await page.check(sel);
    else await page.fill(sel, value);
  }
  const [resp] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.click(`${form} button[type="submit"]`),
  ]);
  if (!resp || !resp.ok()) {
    const errors = await page.$$eval('.error', (es) => es.map((e) => e.textContent.trim()));
    throw new Error(`${form} on ${page.url()} answered ${resp && resp.status()}: ${errors.join(' | ')}`);
  }
}

/** Reloads `path` on `who`'s node until its main text contains `text` (what another node
 * wrote arrives in milliseconds; 20 s at most). */
async function until(who, path, text) {
  for (let i = 0; i < 80; i += 1) {
    const resp = await who.page.goto(who.base + path);
    if (resp.ok() && (await who.page.innerText('main')).includes(text)) return;
    await who.page.waitForTimeout(250);
  }
  throw new Error(`${path} on ${who.base} never showed "${text}"`);
}

/** Reloads `path` on `who`'s node until its heading is `title` (20 s at most). */
async function untilTitle(who, path, title) {
  for (let i = 0; i < 80; i += 1) {
    const resp = await who.page.goto(who.base + path);
    if (resp.ok() && (await who.page.innerText('h1')) === title) return;
    await who.page.waitForTimeout(250);
  }
  failures.push(`${path} on ${who.base}: the heading never read "${title}"`);
}

/** Fails unless the main text of the page shown contains every one of `texts`. */
async function shows(who, ...texts) {
  const main = await who.page.innerText('main');
  for (const t of texts) {
    if (!main.includes(t)) failures.push(`${who.page.url()}: does not show "${t}"`);
  }
}

/** Checks the page shown (axe and the rest) and saves its screenshot. */
async function check(who, name) {
  await checkPage(who.page, {
    where: `${name} (${who.lang})`, lang: who.lang, shots, shot: `scenario-${name}-${who.lang}`, failures,
  });
  checked += 1;
}

/** The id in the page's address after `/kind/`. */
function idIn(url, kind) {
  const m = new URL(url).pathname.match(new RegExp(`/${kind}/([0-9a-f]+)`));
  if (!m) throw new Error(`no ${kind} id in ${url}`);
  return m[1];
}

try {
  const a = await organizer(config.a, 'en-US');
  const b = await organizer(config.b, 'es-ES');

  // The founder founds the coalition and makes an invite code to copy.
  await open(a, '/coalitions/new');
  await submit(a, 'main form[method="post"]', {
    '#name': 'Transit Justice',
    '#frame': 'Fare-free, accessible buses for every neighborhood',
  });
  const c = idIn(a.page.url(), 'c');
  console.log(`coalition ${c}`);
  await open(a, `/c/${c}/invite`);
  await submit(a, 'main form[method="post"]', { '#expires': '7d' });
  const code = (await a.page.inputValue('#code')).trim();
  if (code.length < 20) throw new Error(`no invite code shown: "${code}"`);
  await check(a, 'invite-made');

  // The invited organization pastes it, in Spanish, and watches the coalition arrive.
  await open(b, '/join');
  await submit(b, 'main form[method="post"]', { '#code': code });
  await until(b, `/join/${c}`, 'Unido: la coalición está aquí.');
  await check(b, 'joined');

  // It raises an issue; the founder sees it arrive and shares it with a rank.
  await open(b, `/c/${c}/issues`);
  await submit(b, `form[action="/c/${c}/issues"][method="post"]`, {
    '#title': 'Bus fare equity',
    '#description': 'Fares take a larger share of low-wage riders\' income.',
    '#tags': 'race, income',
  });
  const issue = idIn(b.page.url(), 'issues');
  console.log(`issue ${issue}`);
  await until(a, `/c/${c}/issues/${issue}`, 'Bus fare equity');
  await submit(a, 'form[action$="/share"]', { '#rank': '1' });
  await shows(a, 'Your organization shares this issue now.');

  // The founder proposes an amendment; both agree; the charter in force changes on both.
  await open(a, `/c/${c}/charter/amend`);
  await submit(a, 'main form[method="post"]', {
    '#title': 'Add language justice to our values',
    '#text': 'Members work in English and Spanish; interpretation is part of every meeting.',
    '#values': 'language justice',
  });
  const amendment = idIn(a.page.url(), 'proposals');
  console.log(`amendment ${amendment}`);
  await submit(a, 'form[action$="/position"]', { '#stance-agree': true });
  await until(b, `/c/${c}/proposals/${amendment}`, 'Add language justice');
  await submit(b, 'form[action$="/position"]', { '#stance-agree': true });
  await shows(b, 'La posición de su organización está registrada.', 'Aprobada');
  await until(a, `/c/${c}/charter`, 'language justice');
  await shows(a, 'Version 2, in force.');
  await until(b, `/c/${c}/charter`, 'Versión 2, vigente.');
  await check(b, 'charter-v2');

  // A general proposal, opened from the list; the other organization blocks it with its
  // reason (under the majority rule a block counts as a no); the founder reads why.
  await open(a, `/c/${c}/proposals`);
  await submit(a, `form[action="/c/${c}/proposals"][method="post"]`, {
    '#open-kind': 'general',
    '#title': 'Endorse a mayoral candidate',
    '#text': 'The candidate promised fare-free buses.',
  });
  const general = idIn(a.page.url(), 'proposals');
  console.log(`general ${general}`);
  await shows(a, 'The proposal is open.');
  await until(b, `/c/${c}/proposals/${general}`, 'Endorse a mayoral candidate');
  await submit(b, 'form[action$="/position"]', {
    '#stance-block': true,
    '#reason': 'We are nonpartisan',
  });
  // Of two members, one against: the proposal cannot pass any more, and says so at once.
  await until(a, `/c/${c}/proposals/${general}`, 'We are nonpartisan');
  await shows(a, 'Not passed', 'We are nonpartisan', 'Decided: the positions taken settle it');
  await check(a, 'blocked');

  // The other organization edits its issue's title, then puts it back from the history.
  await open(b, `/c/${c}/issues/${issue}/edit`);
  await submit(b, 'main form[method="post"]', { '#title': 'Fares' });
  if ((await b.page.innerText('h1')) !== 'Fares') failures.push(`the title was not edited: ${await b.page.innerText('h1')}`);
  await untilTitle(a, `/c/${c}/issues/${issue}`, 'Fares');
  await open(b, `/c/${c}/history?record=${issue}`);
  await check(b, 'history');
  // The first change (the oldest, at the bottom) raised the issue with its title.
  const restore = b.page.locator('form[action$="/history/restore"]:has(input[name="field"][value="title"])').last();
  await Promise.all([b.page.waitForNavigation({ waitUntil: 'load' }), restore.locator('button').click()]);
  await shows(b, 'El campo vuelve a estar como estaba.');
  await untilTitle(a, `/c/${c}/issues/${issue}`, 'Bus fare equity');

  // Each node found by now that the other dialed it back on loopback, an address of no use
  // elsewhere: an invite made now says the code works on its own network only, above the code
  // and tied to it.
  for (const who of [a, b]) {
    let shown = false;
    for (let i = 0; i < 60 && !shown; i += 1) {
      await open(who, `/c/${c}/invite`);
      await submit(who, 'main form[method="post"]', { '#expires': '1d' });
      shown = (await who.page.$('#local-only')) !== null;
      if (!shown) await who.page.waitForTimeout(1000);
    }
    if (!shown) {
      failures.push(`${who.base}: no invite said the node is reachable on its own network only`);
    } else {
      const described = await who.page.getAttribute('#code', 'aria-describedby');
      if (!described.split(' ').includes('local-only')) failures.push(`${who.base}: the code is not tied to the warning`);
      await check(who, 'invite-local-only');
    }
  }

  // The founder proposes removing the other organization; it passes under the membership
  // rule (consensus of the other members: the founder alone).
  await open(a, `/c/${c}/members`);
  const member = await a.page.$eval('#member', (s, name) => [...s.options].find((o) => o.text.includes(name)).value, config.bName);
  await submit(a, `form[action="/c/${c}/removals"]`, { '#member': member, '#reason': 'Left the campaign' });
  const removal = idIn(a.page.url(), 'proposals');
  console.log(`removal ${removal}`);
  await submit(a, 'form[action$="/position"]', { '#stance-agree': true });
  await shows(a, 'Passed');
  await open(a, `/c/${c}/members`);
  await shows(a, 'Former members', config.bName, 'Removed');
  await check(a, 'members-after');
  await open(a, `/c/${c}/reports`);
  await check(a, 'reports');
} catch (e) {
  failures.push(`the scenario stopped: ${e.stack || e}`);
}

await browser.close();
for (const f of failures) console.log(`FAIL ${f}`);
console.log(`${checked} page views checked, ${failures.length} failures`);
process.exit(failures.length ? 1 : 0);
