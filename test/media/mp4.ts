import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { FFMPEG } from './fixtures';

/** Top-level ISO-BMFF box types in file order (`ftyp`, `moov`, `mdat`, …). */
export async function mp4Boxes(file: string): Promise<string[]> {
  const bytes = await readFile(file);
  const types: string[] = [];
  for (let at = 0; at + 8 <= bytes.length;) {
    let size = bytes.readUInt32BE(at);
    if (size === 1) size = Number(bytes.readBigUInt64BE(at + 8));
    if (size === 0) size = bytes.length - at;
    types.push(bytes.toString('latin1', at + 4, at + 8));
    if (size < 8) break;
    at += size;
  }
  return types;
}

/** What ffmpeg says about a file's streams (ffprobe is not shipped; `ffmpeg -i` prints the same). */
export function ffmpegInfo(file: string): Promise<string> {
  return new Promise((resolve) => {
    // Without an output ffmpeg exits 1 after describing the input on stderr.
    execFile(FFMPEG, ['-hide_banner', '-i', file], (_err, _stdout, stderr) => resolve(stderr));
  });
}
