import cookieParser from 'cookie-parser';
import express from 'express';
import { Types } from 'mongoose';
import request from 'supertest';
import { toChatMessage } from '../../src/services/chat.service';
import { i18n, translator } from '../../src/i18n';
import { en } from '../../src/i18n/en';
import { ko } from '../../src/i18n/ko';

type Table = Record<string, string>;
const params = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort();

test('both dictionaries have the same keys, parameters and no empty strings', () => {
  expect(Object.keys(ko).sort()).toEqual(Object.keys(en).sort());
  for (const section of Object.keys(en) as (keyof typeof en)[]) {
    const enKeys = Object.keys(en[section]).sort();
    expect(Object.keys(ko[section]).sort()).toEqual(enKeys);
    for (const key of enKeys) {
      const a = (en[section] as Table)[key] ?? '';
      const b = (ko[section] as Table)[key] ?? '';
      expect({ key: `${section}.${key}`, empty: b.trim() === '' }).toEqual({
        key: `${section}.${key}`,
        empty: false,
      });
      expect({ key: `${section}.${key}`, params: params(b) }).toEqual({
        key: `${section}.${key}`,
        params: params(a),
      });
    }
  }
});

test('a translator fills parameters, says refusals by code and system lines by kind', () => {
  const { t, tm, system, ago } = translator('ko');
  expect(t('client.typingOne', { a: '민지' })).toBe('민지님이 입력 중…');
  expect(t('no.such')).toBe('no.such');
  // Refusals by code and parameters, never by their English text.
  expect(tm({ code: 'room_full' })).toBe('방이 가득 찼어요');
  expect(tm({ code: 'text_too_long', params: { max: 60 } })).toBe('60자 이하로 입력하세요');
  expect(tm({ code: '__proto__' })).toBe('문제가 생겼어요');
  expect(tm('the room is full')).toBe('문제가 생겼어요');
  expect(system({ kind: 'removed', name: '민지', chat: '민지 was removed' })).toBe(
    '민지님이 내보내졌습니다',
  );
  expect(system({ kind: 'exploded', name: 'x', chat: 'x exploded' })).toBe('x exploded');
  expect(ago(new Date(Date.now() - 5 * 60_000).toISOString())).toBe('5분 전');
});

test('messages stored before system lines carried a kind are read as if they had one', () => {
  const stored = {
    _id: new Types.ObjectId(),
    room: new Types.ObjectId(),
    seq: 3,
    user: 'system',
    chat: 'Mina Park was removed',
    createdAt: new Date(),
  };
  expect(toChatMessage(stored as never)).toMatchObject({ kind: 'removed', name: 'Mina Park' });
  expect(toChatMessage({ ...stored, user: '#abcdef', chat: 'I left' })).not.toHaveProperty('kind');
});

test("each request gets its own Accept-Language's language, however often a header was seen", async () => {
  const app = express();
  app.use(cookieParser());
  app.use(i18n());
  app.get('/', (_req, res) => {
    const current = (res.locals.languages as { code: string; current: boolean }[])
      .filter((l) => l.current)
      .map((l) => l.code);
    res.json({ lang: res.locals.lang as string, current });
  });
  const asked = [
    ['ko-KR,ko;q=0.9,en;q=0.8', 'ko'],
    ['en-US,en;q=0.9', 'en'],
    ['ko-KR,ko;q=0.9,en;q=0.8', 'ko'],
    ['fr-FR, ko;q=0.5', 'ko'],
    ['fr-FR', 'en'],
    ['', 'en'],
    ['en;q=0.1, ko;q=0.2', 'ko'],
    ['en-US,en;q=0.9', 'en'],
  ];
  for (const [header, lang] of asked) {
    const res = await request(app).get('/').set('accept-language', header!);
    expect(res.body).toEqual({ lang, current: [lang] });
  }
  // A choice remembered in the cookie wins over the header.
  const chosen = await request(app)
    .get('/')
    .set('accept-language', 'ko-KR')
    .set('cookie', 'lang=en');
  expect(chosen.body).toEqual({ lang: 'en', current: ['en'] });
});
