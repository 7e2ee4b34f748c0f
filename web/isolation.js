// Cross-origin isolation where the host does not give it: on a static host that sends no COOP/COEP headers,
// isolation-sw.js adds them, and the page reloads once under it to run on every core. Skipped where it cannot
// work: a page inside another site's frame (its parent is not isolated), a browser without service workers,
// or an insecure (plain http, not localhost) address. There the page runs on one thread and says why.
const RELOADED = 'attnlab-isolation-reload';

// Not isolated yet, and the service worker could make it so: a top-level page, a secure context, service workers.
function mayIsolate() {
  return !globalThis.crossOriginIsolated && window.top === window && window.isSecureContext && 'serviceWorker' in navigator;
}

// Whether isolate() may reload this page: it is not isolated, isolation can work here, and the page did not already
// reload for it (or run under the service worker without becoming isolated: the browser declined, or the worker is
// outdated; one thread then). Once in a tab, so a browser that never isolates never loops.
export function reloadsForIsolation() {
  if (!mayIsolate()) return false;
  try {
    return !navigator.serviceWorker.controller && !sessionStorage.getItem(RELOADED);
  } catch {
    return false;  // no session storage (a sandboxed frame): one thread
  }
}

export async function isolate() {
  if (!mayIsolate()) return;
  try {
    const registration = await navigator.serviceWorker.register(new URL('./isolation-sw.js', import.meta.url));
    if (!reloadsForIsolation()) return;
    sessionStorage.setItem(RELOADED, '1');
    const sw = registration.installing || registration.waiting || registration.active;
    if (sw && sw.state !== 'activated') {
      // until it is active, or failed (redundant), or 5 s have passed: the page never waits on it for longer
      await new Promise((resolve) => {
        sw.addEventListener('statechange', () => { if (sw.state === 'activated' || sw.state === 'redundant') resolve(); });
        setTimeout(resolve, 5000);
      });
    }
    if (!sw || sw.state !== 'activated') return;  // it did not start: one thread
    location.reload();
    await new Promise(() => {});  // nothing else runs before the reload
  } catch {
    // no service worker (private mode, blocked by policy): one thread
  }
}
