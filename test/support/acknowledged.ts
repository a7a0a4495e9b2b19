import type mongoose from 'mongoose';

/** A command the app sent without asking for an acknowledgement. */
export interface Unacknowledged {
  name: string;
  collection: unknown;
}

/**
 * Watches every command on a connection (driver command monitoring, so the client must have been
 * opened with `monitorCommands: true`) and records those sent with `w: 0`. FerretDB answers them
 * anyway and the driver hands that answer to the next command, so none may ever be sent.
 */
export function watchUnacknowledged(connection: mongoose.Connection): Unacknowledged[] {
  const seen: Unacknowledged[] = [];
  connection.getClient().on('commandStarted', (event) => {
    const command = event.command as { writeConcern?: { w?: unknown } };
    // The driver's own farewell: closing a client sends `endSessions` with w: 0 and destroys its
    // connections right after, so no later command can read the stray reply. Nothing else may.
    if (event.commandName === 'endSessions') return;
    if (command.writeConcern?.w === 0)
      seen.push({ name: event.commandName, collection: event.command[event.commandName] });
  });
  return seen;
}

export function assertAllAcknowledged(seen: Unacknowledged[]): void {
  if (seen.length)
    throw new Error(`unacknowledged writes (w: 0) were sent: ${JSON.stringify(seen)}`);
}
