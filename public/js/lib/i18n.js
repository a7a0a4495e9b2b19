// @ts-check
// This page's language (src/i18n): its strings, and how refusals and system lines are said in it —
// by their code, never by matching English text.
import { pageStrings } from './page-data.js';

/** @typedef {import('../types').StringKey} StringKey */
/** @typedef {Record<string, string | number | undefined>} Params */

export const lang = pageStrings.lang || document.documentElement.lang || 'en';

/**
 * @param {Record<string, string> | undefined} table
 * @param {string} key
 */
const entry = (table, key) => (table && Object.hasOwn(table, key) ? table[key] : undefined);

/**
 * @param {string} text
 * @param {Params} [params]
 */
const fill = (text, params = {}) =>
  text.replace(/\{(\w+)\}/g, (whole, /** @type {string} */ name) =>
    params[name] === undefined ? whole : String(params[name]),
  );

/**
 * `t('typingOne', { a: 'Mina' })`: the string in this page's language, parameters filled in.
 * @param {StringKey} key
 * @param {Params} [params]
 */
export const t = (key, params) => fill(entry(pageStrings.strings, key) ?? key, params);

/**
 * What to tell the person about a refusal: the template for its code in their language, filled with
 * its params; else the server's own words (a code this page does not know).
 * @param {import('../types').ErrorPayload} error
 */
export function errorText(error) {
  const template = entry(pageStrings.errors, error.code);
  return template === undefined ? error.message : fill(template, error.params);
}

/**
 * A system line ("Mina joined") in this language, from what happened and to whom.
 * @param {Pick<import('../types').ChatMessage, 'kind' | 'name' | 'chat'>} message
 */
export const systemText = (message) =>
  message.kind ? t(message.kind, { name: message.name ?? '' }) : (message.chat ?? '');
