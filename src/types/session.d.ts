import 'express-session';

declare module 'express-session' {
  interface SessionData {
    /** Public id shown to others; never the session id. */
    pid: string;
    nick?: string;
    /** Secret rooms this session has unlocked with the password. */
    unlocked?: string[];
    /** One-shot notice shown on the next lobby render. */
    flash?: import('../errors').ErrorBody;
    /** People (pids) whose messages this session hides, with a "show" toggle. */
    ignored?: string[];
  }
}
