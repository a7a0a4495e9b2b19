import type { Request, RequestHandler } from 'express';
import { keptBy } from '../lib/memo';
import { SYSTEM_TEXT } from '../models/message.model';
import { en, type Dictionary } from './en';
import { fill, type Params } from './fill';
import { ko } from './ko';

export const LANGS = ['en', 'ko'] as const;
export type Lang = (typeof LANGS)[number];
export const LANG_COOKIE = 'lang';

const DICTIONARIES: Record<Lang, Dictionary> = { en, ko };
const NAMES: Record<Lang, string> = { en: 'English', ko: '한국어' };
const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

export const isLang = (value: unknown): value is Lang => LANGS.includes(value as Lang);

/** What templates get in res.locals besides `lang`. */
export interface Translator {
  /** `t('chat.send')`, `t('password.body', { title })`: falls back to English, then to the key. */
  t: (key: string, params?: Params) => string;
  /** A refusal (`{ code, params }`, as errors and flashes carry it) in this language. */
  tm: (error: unknown) => string;
  /** A system message in this language, from its `kind` and `name`. */
  system: (message: unknown) => string;
  /** "5 minutes ago" for an ISO date: relative, so it needs no time zone. */
  ago: (iso: unknown, now?: number) => string;
}

function lookup(dict: Dictionary, key: string): string | undefined {
  const dot = key.indexOf('.');
  const sections = dict as unknown as Record<string, Record<string, unknown>>;
  const [name, entry] = [key.slice(0, dot), key.slice(dot + 1)];
  if (dot < 0 || !Object.hasOwn(sections, name) || !Object.hasOwn(sections[name] ?? {}, entry))
    return undefined;
  const value = sections[name]?.[entry];
  return typeof value === 'string' ? value : undefined;
}

const fieldsOf = (value: unknown) =>
  (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;

export function translator(lang: Lang): Translator {
  const dict = DICTIONARIES[lang];
  const relative = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
  const t = (key: string, params?: Params) =>
    fill(lookup(dict, key) ?? lookup(en, key) ?? key, params);
  return {
    t,
    tm: (error) => {
      const { code, params } = fieldsOf(error);
      if (typeof code !== 'string' || !Object.hasOwn(en.errors, code)) return t('errors.internal');
      return t(`errors.${code}`, fieldsOf(params) as Params);
    },
    system: (message) => {
      const { kind, name, chat } = fieldsOf(message);
      if (typeof kind !== 'string' || !Object.hasOwn(SYSTEM_TEXT, kind))
        return typeof chat === 'string' ? chat : '';
      return t(`client.${kind}`, { name: typeof name === 'string' ? name : '' });
    },
    ago: (iso, now = Date.now()) => {
      const then = new Date(String(iso)).getTime();
      if (Number.isNaN(then)) return '';
      const seconds = Math.round((then - now) / 1000);
      if (Math.abs(seconds) < 45) return t('client.justNow');
      const minutes = Math.round(seconds / 60);
      if (Math.abs(minutes) < 60) return relative.format(minutes, 'minute');
      const hours = Math.round(minutes / 60);
      if (Math.abs(hours) < 24) return relative.format(hours, 'hour');
      return relative.format(Math.round(hours / 24), 'day');
    },
  };
}

/** The strings the browser scripts need, as the JSON the layout puts in a meta tag. */
const CLIENT_JSON: Record<Lang, string> = Object.fromEntries(
  LANGS.map((lang) => [
    lang,
    JSON.stringify({ lang, strings: DICTIONARIES[lang].client, errors: DICTIONARIES[lang].errors }),
  ]),
) as Record<Lang, string>;

/** The language switcher's entries, as each language shows them. */
const SWITCHERS = Object.fromEntries(
  LANGS.map((lang) => [
    lang,
    LANGS.map((code) => ({ code, name: NAMES[code], current: code === lang })),
  ]),
) as Record<Lang, { code: Lang; name: string; current: boolean }[]>;

const TRANSLATORS: Record<Lang, Translator> = Object.fromEntries(
  LANGS.map((lang) => [lang, translator(lang)]),
) as Record<Lang, Translator>;

/**
 * The language each Accept-Language header asked for, by the header's text: a browser sends the
 * same one on every request, and negotiating it parses and sorts its entries each time.
 */
const negotiated = keptBy<Lang>(256);

/** The language of a request: the remembered choice, else the browser's Accept-Language, else English. */
export function languageOf(req: Request): Lang {
  // cookie-parser runs first (see app.ts).
  const chosen = (req.cookies as Record<string, unknown> | undefined)?.[LANG_COOKIE];
  if (isLang(chosen)) return chosen;
  const header = req.headers['accept-language'];
  if (!header) return 'en';
  return negotiated(header, () => {
    const accepted = req.acceptsLanguages(...LANGS);
    return isLang(accepted) ? accepted : 'en';
  });
}

/**
 * Sets `res.locals.lang`, `t`, `tm`, `system`, `ago`, `languages` and `i18nJson` for templates, and
 * handles the switcher: `GET ...?lang=ko` remembers the choice in a cookie and redirects to the
 * same address without it. Mount it before anything that can render a page (error pages included).
 */
export function i18n(): RequestHandler {
  return (req, res, next) => {
    const wanted = typeof req.query.lang === 'string' ? req.query.lang : undefined;
    if (wanted !== undefined && (req.method === 'GET' || req.method === 'HEAD')) {
      const url = new URL(req.originalUrl, 'http://local');
      url.searchParams.delete('lang');
      if (isLang(wanted)) {
        res.cookie(LANG_COOKIE, wanted, {
          maxAge: YEAR_MS,
          sameSite: 'lax',
          httpOnly: true,
          secure: req.secure,
          path: '/',
        });
      }
      // Collapse leading slashes so "//evil.example/?lang=ko" cannot become an off-site redirect.
      return res.redirect(303, `/${url.pathname.replace(/^\/+/, '')}${url.search}`);
    }
    const lang = languageOf(req);
    const translate = TRANSLATORS[lang];
    Object.assign(res.locals, {
      lang,
      t: translate.t,
      tm: translate.tm,
      system: translate.system,
      ago: translate.ago,
      languages: SWITCHERS[lang],
      i18nJson: CLIENT_JSON[lang],
    });
    next();
  };
}
