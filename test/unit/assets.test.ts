import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { clientConfig, contentHash } from '../../src/http/assets';
import { testConfig } from '../../src/config';
import { LIMITS } from '../../src/limits';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gifchat-assets-'));
  await mkdir(path.join(dir, 'js'));
  await writeFile(path.join(dir, 'js', 'a.js'), 'export const a = 1;\n');
  await writeFile(path.join(dir, 'app.css'), 'body {}\n');
});

afterEach(() => rm(dir, { recursive: true, force: true }));

test('the asset version changes with any file, and only then', async () => {
  const first = contentHash(dir);
  expect(first).toMatch(/^[0-9a-f]{16}$/);
  expect(contentHash(dir)).toBe(first);
  await writeFile(path.join(dir, 'js', 'a.js'), 'export const a = 2;\n');
  const edited = contentHash(dir);
  expect(edited).not.toBe(first);
  await writeFile(path.join(dir, 'js', 'b.js'), '');
  expect(contentHash(dir)).not.toBe(edited);
});

test('pages are told the limits the server enforces', () => {
  const config = testConfig({ MAX_GIF_BYTES: 1234, TYPING_TIMEOUT_MS: 4000 });
  expect(clientConfig(config)).toEqual({ ...LIMITS, maxGifBytes: 1234, typingTimeoutMs: 4000 });
});
