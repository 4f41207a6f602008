// Live updates. When a change to the coalition a page shows arrives (from another member's
// node, or made here), the page's live regions ([data-live], each with an id) are fetched
// again and replaced in place; a region holding the keyboard focus or a form is left as it
// is, so nothing being typed is disturbed. A polite status message says the page changed.
// Without JavaScript the pages work as they are; this only adds.
(() => {
  const main = document.getElementById('main');
  const shown = main && main.dataset.coalition;
  if (!shown || !window.EventSource || !window.fetch || !window.DOMParser) return;
  let waiting = null;
  let source = null;
  // One stream per visible tab: a hidden tab lets go of its connection (browsers allow few
  // per host), and refreshes once when it is shown again, for what it missed.
  function open() {
    if (source) return;
    source = new EventSource('/events');
    source.addEventListener('changed', (e) => {
      if (shown !== '*' && e.data !== shown) return;
      if (waiting) return;
      // Changes often come in bursts: one refresh for a burst.
      waiting = setTimeout(refresh, 100);
    });
  }
  function close() {
    if (source) source.close();
    source = null;
  }
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) {
      close();
    } else {
      open();
      refresh();
    }
  });
  window.addEventListener('pagehide', close);
  if (!document.hidden) open();
  async function refresh() {
    waiting = null;
    let html;
    try {
      const resp = await fetch(window.location.href, { credentials: 'same-origin' });
      if (!resp.ok) return;
      html = await resp.text();
    } catch (_) {
      return;
    }
    const fresh = new DOMParser().parseFromString(html, 'text/html');
    let changed = false;
    for (const region of document.querySelectorAll('[data-live][id]')) {
      const next = fresh.getElementById(region.id);
      if (!next || region.contains(document.activeElement) || region.querySelector('form')) continue;
      if (next.innerHTML !== region.innerHTML) {
        region.replaceWith(document.importNode(next, true));
        changed = true;
      }
    }
    const note = document.getElementById('live-note');
    if (changed && note) {
      // Emptied first, so that each update is announced, not only the first.
      note.textContent = '';
      setTimeout(() => { note.textContent = note.dataset.text; }, 50);
    }
  }
})();
