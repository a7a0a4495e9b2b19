import mongoose from 'mongoose';
import request from 'supertest';
import { createApp } from '../../src/app';
import { createLogger } from '../../src/logger';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

test('a restart keeps identities, tokens and unlocked rooms (sessions live in the database)', async () => {
  const owner = await h.visitor();
  const id = await owner.createRoom({ title: 'survives restarts', password: 'correct horse' });
  const guest = await h.visitor();
  await guest.agent
    .post(`/room/${id}/password`)
    .set('x-csrf-token', guest.csrf)
    .type('form')
    .send({ password: 'correct horse' })
    .expect(303);
  await guest.agent.get(`/room/${id}`).expect(200);

  const restarted = createApp({
    config: h.config,
    logger: createLogger('silent'),
    connection: mongoose.connection,
  });
  try {
    await restarted.start();
    const page = await request(restarted.app).get(`/room/${id}`).set('cookie', guest.cookie);
    expect(page.status).toBe(200);
    expect(page.text).not.toMatch(/<input[^>]+name="password"/);
    expect(page.text).toContain(`content="${guest.csrf}"`);
    // The same token still authorises a post on the new process.
    const sent = await request(restarted.app)
      .post(`/room/${id}/chat`)
      .set('cookie', guest.cookie)
      .set('x-csrf-token', guest.csrf)
      .send({ chat: 'still me' });
    expect(sent.status).toBe(201);
    expect(restarted.rooms.list().find((r) => r._id === id)).toMatchObject({
      size: 2,
      secret: true,
    });
  } finally {
    await restarted.close();
  }
});
