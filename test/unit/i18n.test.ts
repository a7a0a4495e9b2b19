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

test('a translator fills parameters and says system lines from their kind', () => {
  const { t, tm, system, ago } = translator('ko');
  expect(t('client.typingOne', { a: '민지' })).toBe('민지님이 입력 중…');
  expect(t('no.such')).toBe('no.such');
  expect(tm('the room is full')).toBe('방이 가득 찼어요');
  expect(tm('__proto__')).toBe('__proto__');
  expect(tm('anything else')).toBe('anything else');
  expect(system('#a1b2c3 joined')).toBe('#a1b2c3님이 들어왔습니다');
  expect(system({ kind: 'removed', name: '민지', chat: '민지 was removed' })).toBe(
    '민지님이 내보내졌습니다',
  );
  expect(system({ chat: '#a1b2c3 was removed' })).toBe('#a1b2c3님이 내보내졌습니다');
  expect(system({ kind: 'exploded', name: 'x', chat: 'x exploded' })).toBe('x exploded');
  expect(ago(new Date(Date.now() - 5 * 60_000).toISOString())).toBe('5분 전');
});
