import { Types } from 'mongoose';
import { toChatMessage } from '../../src/services/chat.service';
import { translator } from '../../src/i18n';
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
