// @ts-check
// What the server told this page, in its <meta> tags: the CSRF token, its limits, its strings.

/** @param {string} name */
function meta(name) {
  const content = document.querySelector(`meta[name="${name}"]`)?.getAttribute('content');
  // Every page's layout writes these: without one the page is broken, and should say so at once.
  if (content == null) throw new Error(`the page has no <meta name="${name}">`);
  return content;
}

export const csrfToken = meta('csrf-token');

/**
 * The server's limits (src/limits.ts): the one source of these numbers, never copied here.
 * @type {import('../types').ClientConfig}
 */
export const limits = JSON.parse(meta('gifchat-config'));

/** @type {import('../types').PageStrings} */
export const pageStrings = JSON.parse(meta('gifchat-i18n'));
