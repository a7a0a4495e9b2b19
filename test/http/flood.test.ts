import { Message } from '../../src/models/message.model';
import { startHarness } from '../support/harness';

test('a flood of messages from one person is cut off with 429, others are unaffected', async () => {
  const h3 = await startHarness({ MESSAGES_PER_10S: 5 });
  try {
    const v = await h3.visitor();
    const id = await v.createRoom({ title: 'flood' });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push(
        (
          await v.agent
            .post(`/room/${id}/chat`)
            .set('x-csrf-token', v.csrf)
            .send({ chat: `spam ${i}` })
        ).status,
      );
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429]);
    const other = await h3.visitor();
    await other.agent.get(`/room/${id}`).expect(200);
    expect(
      (
        await other.agent
          .post(`/room/${id}/chat`)
          .set('x-csrf-token', other.csrf)
          .send({ chat: 'calm' })
      ).status,
    ).toBe(201);
    expect(await Message.countDocuments({ room: id, chat: /^spam/ })).toBe(5);
  } finally {
    await h3.close();
  }
});
