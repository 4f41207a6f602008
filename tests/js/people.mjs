// The web UI as a node serves it to other machines (over TLS, with its self-signed
// certificate), in a real headless Chromium (Debian's, driven by playwright-core), as the
// `ui::people` end-to-end test runs it:
//
//   node people.mjs CONFIG_JSON SCREENSHOT_DIR
//
// CONFIG_JSON: {"editor": setup link, "viewer": setup link, "issues": path of a coalition's
// issues, "title": an issue to raise, "pages": [{"name", "path"}, ...] to check as a viewer}.
//
// Checks with axe-core (WCAG 2.2 A/AA), in English and Spanish at 320 and 1280 px, the
// sign-in page, the setup page, the setup page refusing two different passwords, and the
// pages a viewer sees. With the keyboard alone: the editor chooses a password on their setup
// link, signs out, signs in again with their name and password, and raises an issue; the
// viewer chooses a password and finds no form on any page. The session cookie is Secure,
// HttpOnly and SameSite=Strict. Prints each failure and exits 1 if there was one.

import { mkdirSync } from 'node:fs';
import { checkPage, launch } from './check.mjs';
const [, , configJson, shots] = process.argv;
const config = JSON.parse(configJson);
mkdirSync(shots, { recursive: true });
const base = new URL(config.editor).origin;
const failures = [];
let checked = 0;

const browser = await launch();

/** A fresh browser profile that accepts the node's self-signed certificate. */
async function person() {
  // The pages allow no script but the node's own: axe is put in past that policy.
  const context = await browser.newContext({ bypassCSP: true, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  page.on('request', (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith('data:')) {
      failures.push(`${page.url()}: asked ${r.url()}, outside the node`);
    }
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && !/responded with a status of (401|403|404|422)/.test(m.text())) {
      failures.push(`${page.url()}: console error: ${m.text()}`);
    }
  });
  return { context, page };
}

/** Checks the page shown now (see `check.mjs`). */
async function check(page, where, lang, shot) {
  await checkPage(page, { where, lang, shots, shot, failures });
  checked += 1;
}

/** Presses Tab until the focused element satisfies `pred` (at most 40 times). */
async function tabTo(page, what, pred) {
  for (let i = 0; i < 40; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(pred)) return;
  }
  throw new Error(`could not reach ${what} with the keyboard on ${page.url()}`);
}

const focusedId = (id) => new Function(`return document.activeElement.id === ${JSON.stringify(id)};`);
const focusedButton = () => document.activeElement.tagName === 'BUTTON'
  && document.activeElement.closest('main') !== null;

/** Chooses a password on a setup link, with the keyboard alone: lands on the home page. */
async function setUp(page, link, password) {
  await page.goto(link);
  await tabTo(page, 'the password field', focusedId('password'));
  await page.keyboard.type(password);
  await tabTo(page, 'the second password field', focusedId('again'));
  await page.keyboard.type(password);
  await tabTo(page, 'the save button', focusedButton);
  await Promise.all([page.waitForURL(`${base}/`), page.keyboard.press('Enter')]);
}

const editor = await person();
const viewer = await person();
try {
  // The pages anyone reaches before signing in, in both languages and widths; the setup page
  // is only looked at (following the link spends nothing), then refuses two passwords that
  // differ, with the error tied to its field.
  for (const lang of ['en', 'es']) {
    const { page } = editor;
    await page.goto(`${base}/lang/${lang}?back=/sign-in`);
    for (const width of [320, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${base}/sign-in`);
      await check(page, `sign-in (${lang}, ${width}px)`, lang, `people-sign-in-${lang}-${width}`);
      await page.goto(config.editor);
      await check(page, `setup (${lang}, ${width}px)`, lang, `people-setup-${lang}-${width}`);
      await page.fill('#password', 'one long password');
      await page.fill('#again', 'another long password');
      await Promise.all([page.waitForLoadState('load'), page.click('main button')]);
      const invalid = await page.getAttribute('#again', 'aria-invalid');
      if (invalid !== 'true') failures.push(`setup (${lang}): differing passwords not tied to the field`);
      await check(page, `setup refused (${lang}, ${width}px)`, lang, `people-setup-error-${lang}-${width}`);
    }
  }
  await editor.page.goto(`${base}/lang/en?back=/sign-in`);

  // The editor: a password by keyboard, signed in; the cookie is what it must be.
  await setUp(editor.page, config.editor, 'correct horse battery staple');
  const cookies = await editor.context.cookies();
  const session = cookies.find((c) => c.name.startsWith('__Host-coalesce_session'));
  if (!session) failures.push(`no __Host- session cookie: ${JSON.stringify(cookies)}`);
  else if (!session.secure || !session.httpOnly || session.sameSite !== 'Strict') {
    failures.push(`the session cookie is not Secure, HttpOnly and SameSite=Strict: ${JSON.stringify(session)}`);
  }
  // Signs out, then in again with name and password, by keyboard.
  await tabTo(editor.page, 'the sign-out button', () => document.activeElement.closest('form[action="/sign-out"]') !== null);
  await Promise.all([editor.page.waitForURL(`${base}/sign-in`), editor.page.keyboard.press('Enter')]);
  await tabTo(editor.page, 'the name field', focusedId('name'));
  await editor.page.keyboard.type(config.editorName);
  await tabTo(editor.page, 'the password field', focusedId('password'));
  await editor.page.keyboard.type('correct horse battery staple');
  await Promise.all([editor.page.waitForURL(`${base}/`), editor.page.keyboard.press('Enter')]);
  const who = await editor.page.textContent('header');
  if (!who.includes(config.editorName)) failures.push(`the header does not say who is signed in: ${who}`);
  // Raises an issue by keyboard.
  await editor.page.goto(base + config.issues);
  await tabTo(editor.page, 'the title field', focusedId('title'));
  await editor.page.keyboard.type(config.title);
  await tabTo(editor.page, 'the raise button', () => document.activeElement.tagName === 'BUTTON'
    && document.activeElement.closest('form[method="post"]')?.getAttribute('action')?.endsWith('/issues'));
  await Promise.all([editor.page.waitForURL(/done=issue-raised/), editor.page.keyboard.press('Enter')]);

  // The viewer: a password, then every page shows no form that changes anything.
  await setUp(viewer.page, config.viewer, 'a viewer password here');
  for (const lang of ['en', 'es']) {
    await viewer.page.goto(`${base}/lang/${lang}?back=/`);
    for (const width of [320, 1280]) {
      await viewer.page.setViewportSize({ width, height: 900 });
      for (const p of config.pages) {
        const where = `${p.name} as a viewer (${lang}, ${width}px)`;
        const resp = await viewer.page.goto(base + p.path);
        if (resp.status() !== 200) failures.push(`${where}: answered ${resp.status()}`);
        const forms = await viewer.page.evaluate(() =>
          [...document.querySelectorAll('form[method="post"]')]
            .map((f) => f.getAttribute('action'))
            .filter((a) => a !== '/sign-out'));
        if (forms.length) failures.push(`${where}: forms a viewer cannot use: ${forms.join(', ')}`);
        await check(viewer.page, where, lang, `people-viewer-${p.name}-${lang}-${width}`);
      }
    }
  }
} catch (e) {
  failures.push(`stopped: ${e.stack || e}`);
} finally {
  await browser.close();
}

for (const f of failures) console.log(`FAIL ${f}`);
console.log(`${checked} page views checked, ${failures.length} failures`);
process.exit(failures.length ? 1 : 0);
