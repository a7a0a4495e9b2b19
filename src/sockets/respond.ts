import { toAppError } from '../errors';
import type { Logger } from '../logger';
import type { Ack } from './events';

/** The one place socket errors become acknowledgements; a missing ack is fine, a throw never escapes. */
export function responder(logger: Logger) {
  return async <T>(ack: unknown, work: () => Promise<T>): Promise<void> => {
    const reply = typeof ack === 'function' ? (ack as Ack<T>) : undefined;
    try {
      const data = await work();
      reply?.({ ok: true, data });
    } catch (err) {
      const error = toAppError(err);
      if (error.status >= 500)
        logger.error('socket handler failed', {
          err: err instanceof Error ? err.stack : String(err),
        });
      reply?.({ ok: false, error: error.toBody() });
    }
  };
}
