const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof LEVELS;
type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
}

/** Levelled logger: JSON lines in production, short readable lines elsewhere. */
export function createLogger(level: LogLevel = 'info', json = false): Logger {
  const min = LEVELS[level];
  const write = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: Fields) => {
    if (LEVELS[lvl] < min) return;
    const stream = lvl === 'error' || lvl === 'warn' ? process.stderr : process.stdout;
    if (json) {
      stream.write(
        JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields }) + '\n',
      );
    } else {
      const extra = fields && Object.keys(fields).length ? ' ' + JSON.stringify(fields) : '';
      stream.write(`${lvl.padEnd(5)} ${msg}${extra}\n`);
    }
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}
