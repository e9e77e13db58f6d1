/* global document, location */
import { Roster } from '@roster/sdk/browser';

const $ = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ (document.getElementById(id));
const log = (/** @type {string} */ line) => ($('log').textContent = `${line}\n${$('log').textContent}`);

// Calls before initialize are kept and replayed once it runs.
Roster.page(location.pathname);
for (const name of /** @type {const} */ (['queued', 'sent', 'dropped', 'paused', 'error'])) {
  Roster.on(name, (e) => log(`${name}: ${JSON.stringify(e)}`));
}

$('init').onclick = () =>
  Roster.initialize({
    siteId: $('site').value,
    apiKey: $('key').value,
    trackingApiUrl: $('url').value,
    logLevel: 'debug',
  });
$('identify').onclick = () => Roster.identify($('who').value, { last_seen_page: location.pathname });
$('logout').onclick = () => Roster.clearIdentify();
$('track').onclick = () => Roster.track('clicked', { at: new Date().toISOString() });
$('flush').onclick = async () => log(`flush: ${JSON.stringify(await Roster.flush())}`);
