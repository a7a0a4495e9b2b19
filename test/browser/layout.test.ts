/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { startHarness, type Harness, type Visitor } from '../support/harness';
import { launch, open, overflowsHorizontally, type WatchedPage } from './support/browser';
import { enter, say, unexpected } from './support/chat';
import { bouncingBall } from './support/gif';

let harness: Harness;
let browser: Browser;
let owner: Visitor;
let room: string;
let secret: string;

const LONG = 'W'.repeat(60);

beforeAll(async () => {
  [harness, browser] = await Promise.all([startHarness(), launch()]);
  owner = await harness.visitor();
  room = await owner.createRoom({ title: LONG, max: 100 });
  secret = await owner.createRoom({ title: `${LONG.slice(0, 40)} secret`, password: 'pw' });
  await owner.agent
    .post(`/room/${room}/chat`)
    .set('x-csrf-token', owner.csrf)
    .send({ chat: 'x'.repeat(1000) })
    .expect(201);
  await owner.agent
    .post(`/room/${room}/gif`)
    .set('x-csrf-token', owner.csrf)
    .attach('gif', bouncingBall({ width: 480, height: 120 }), {
      filename: 'wide.gif',
      contentType: 'image/gif',
    })
    .expect(201);
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

describe('a 375 px wide phone never scrolls sideways', () => {
  let phone: WatchedPage;
  beforeAll(async () => {
    phone = await open(browser, {
      viewport: { width: 375, height: 740 },
      isMobile: true,
      hasTouch: true,
    });
  });
  afterAll(() => phone.context.close());

  const check = async (page: Page) => expect(await overflowsHorizontally(page)).toBe(false);

  test('lobby, forms, error pages', async () => {
    await phone.page.goto(harness.url);
    await phone.page.locator(`.room-card[data-id="${room}"]`).waitFor();
    await check(phone.page);
    await phone.page.goto(`${harness.url}/room`);
    await check(phone.page);
    await phone.page.goto(`${harness.url}/room/${secret}`);
    expect(await phone.page.isVisible('#password')).toBe(true);
    await check(phone.page);
    await phone.page.goto(`${harness.url}/no/such/page`);
    await check(phone.page);
    expect(unexpected(phone.problems, [/status of 404/])).toEqual([]);
  });

  test('a chat with long words, GIFs and the people drawer', async () => {
    phone.problems.length = 0;
    await enter(phone.page, harness.url, room);
    await say(
      phone.page,
      `${'y'.repeat(300)} and a very long https://example.com/${'z'.repeat(200)}`,
    );
    await phone.page.locator('.gif-box').first().waitFor();
    await check(phone.page);
    // The composer stays at the bottom of the screen.
    const composer = await phone.page.locator('#composer').boundingBox();
    expect(composer && composer.y + composer.height).toBeGreaterThan(740 - 40);
    expect(composer && composer.y + composer.height).toBeLessThanOrEqual(740);
    // The GIF box fits the screen.
    const gif = await phone.page.locator('.gif-box').first().boundingBox();
    expect(gif && gif.x + gif.width).toBeLessThanOrEqual(375);

    expect(await phone.page.isHidden('#sidebar')).toBe(true);
    await phone.page.click('#people-toggle');
    expect(await phone.page.getAttribute('#people-toggle', 'aria-expanded')).toBe('true');
    await phone.page.locator('#sidebar').waitFor({ state: 'visible' });
    await check(phone.page);
    expect(await phone.page.evaluate(() => document.activeElement?.id)).toBe('sidebar-close');
    await phone.page.keyboard.press('Escape');
    await phone.page.locator('#sidebar').waitFor({ state: 'hidden' });
    expect(await phone.page.evaluate(() => document.activeElement?.id)).toBe('people-toggle');
    expect(unexpected(phone.problems)).toEqual([]);
  });
});

describe('keyboard and contrast', () => {
  test('the first Tab reaches a skip link, and every control in the chat has a name', async () => {
    const { page, problems, context } = await open(browser);
    await enter(page, harness.url, room);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip-link');
    const unnamed = await page.evaluate(() =>
      Array.from(document.querySelectorAll('button, a[href], input:not([type=hidden]), textarea'))
        .filter((el) => (el as HTMLElement).offsetParent !== null)
        .filter((el) => {
          const labelled =
            el.getAttribute('aria-label') ||
            el.getAttribute('aria-labelledby') ||
            el.textContent?.trim();
          const id = el.id;
          return !labelled && !(id && document.querySelector(`label[for="${id}"]`));
        })
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(unnamed).toEqual([]);
    // Sending works from the keyboard alone.
    await page.focus('#text');
    await page.keyboard.type('typed with keys');
    await page.keyboard.press('Enter');
    await page.locator('.msg.mine .msg-text', { hasText: 'typed with keys' }).waitFor();
    expect(unexpected(problems)).toEqual([]);
    await context.close();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    test(`text meets WCAG AA contrast (${colorScheme})`, async () => {
      const { page, context } = await open(browser, { colorScheme });
      await enter(page, harness.url, room);
      await say(page, 'contrast check');
      const pairs = async () =>
        page.evaluate(() => {
          const parse = (c: string) => {
            const n = (c.match(/[\d.]+/g) ?? []).map(Number);
            // color-mix() computes to color(srgb r g b / a) with channels from 0 to 1.
            return c.startsWith('color(srgb')
              ? [...n.slice(0, 3).map((v) => v * 255), ...n.slice(3)]
              : n;
          };
          const background = (el: Element | null): number[] => {
            // Blend translucent backgrounds over their ancestors' until opaque.
            const layers: number[][] = [];
            for (let node = el; node; node = node.parentElement) {
              const [r = 0, g = 0, b = 0, a = 1] = parse(getComputedStyle(node).backgroundColor);
              if (getComputedStyle(node).backgroundColor === 'rgba(0, 0, 0, 0)') continue;
              layers.push([r, g, b, a]);
              if (a >= 1) break;
            }
            let out = [255, 255, 255];
            if (matchMedia('(prefers-color-scheme: dark)').matches && layers.at(-1)?.[3] !== 1)
              out = [0, 0, 0];
            for (const [r = 0, g = 0, b = 0, a = 1] of layers.reverse())
              out = [
                r * a + out[0]! * (1 - a),
                g * a + out[1]! * (1 - a),
                b * a + out[2]! * (1 - a),
              ];
            return out;
          };
          const lum = ([r = 0, g = 0, b = 0]: number[]) => {
            const f = (v: number) =>
              (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
            return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
          };
          const selectors = [
            'body',
            '.room-name',
            '.room-sub',
            '.msg-text',
            '.msg.mine .msg-text',
            '.msg-head time',
            '.msg.system',
            '.chip-name',
            '.you-tag',
            '.owner-badge',
            '.hint',
            '.segmented label',
            '.segmented input:checked + label',
            '.languages a',
            '.languages a[aria-current]',
            '.gif-button',
            '.button.danger',
            '.sidebar h2',
            '.setting-label',
            '.intro',
            '.room-link',
            '.badge-secret',
            '.badge-public',
            '.room-people',
            '.ago',
            '.button.primary',
            '.brand',
          ];
          return selectors.flatMap((selector) =>
            Array.from(document.querySelectorAll(selector))
              .slice(0, 3)
              .map((el) => {
                const [a, b] = [lum(parse(getComputedStyle(el).color)), lum(background(el))];
                const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
                return { selector, ratio: Math.round(ratio * 100) / 100 };
              }),
          );
        });
      const measured = await pairs();
      await page.goto(harness.url);
      measured.push(...(await pairs()));
      expect(measured.length).toBeGreaterThan(30);
      expect(measured.some((m) => m.selector === '.badge-secret')).toBe(true);
      expect(measured.filter((m) => m.ratio < 4.5)).toEqual([]);
      await context.close();
    });
  }
});
