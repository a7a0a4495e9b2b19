import request from 'supertest';
import { Room } from '../../src/models/room.model';
import { fieldError, flashOf, startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ PASSWORD_ATTEMPTS_PER_MINUTE: 3 });
});
afterAll(() => h.close());

describe('lobby and creation', () => {
  test('a created room is owned, entered, redirected to with 303 and announced with newRoom', async () => {
    const v = await h.visitor();
    const res = await v.agent
      .post('/room')
      .set('x-csrf-token', v.csrf)
      .type('form')
      .send({ title: 'Cats', max: '5' });
    expect(res.status).toBe(303);
    const id = String(res.headers.location).replace('/room/', '');
    expect(id).toMatch(/^[0-9a-f]{24}$/);
    const announced = h.events.roomCreated?.map(([room]) => room).find((r) => r._id === id);
    expect(announced).toMatchObject({ title: 'Cats', max: 5, secret: false, size: 1 });
    const lobby = await v.agent.get('/').expect(200);
    expect(lobby.text).toContain('Cats');
    expect(lobby.text).toContain(`/room/${id}`);
  });

  test('max defaults to 10', async () => {
    const v = await h.visitor();
    const id = await v.createRoom({ title: 'defaults', max: undefined as unknown as number });
    expect(h.rooms.list().find((r) => r._id === id)?.max).toBe(10);
  });

  test.each([
    [{ title: '', max: 10 }, 'title'],
    [{ title: '   ', max: 10 }, 'title'],
    [{ title: 'x'.repeat(61), max: 10 }, 'title'],
    [{ title: 'ok', max: 1 }, 'max'],
    [{ title: 'ok', max: 101 }, 'max'],
    [{ title: 'ok', max: 'ten' }, 'max'],
    [{ title: 'ok', max: 2.5 }, 'max'],
  ])('refuses %j with 400 next to the %s field and creates nothing', async (body, field) => {
    const v = await h.visitor();
    const before = await Room.countDocuments();
    const res = await v.agent.post('/room').set('x-csrf-token', v.csrf).type('form').send(body);
    expect(res.status).toBe(400);
    expect(fieldError(res.text, field)).toBeTruthy();
    expect(await Room.countDocuments()).toBe(before);
  });

  test('JSON bodies of the wrong types get a 400 JSON error', async () => {
    const v = await h.visitor();
    const res = await v.agent
      .post('/room')
      .set('x-csrf-token', v.csrf)
      .send({ title: ['a'], max: {} });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBeTruthy();
  });

  test('without a CSRF token: 403 and nothing changes', async () => {
    const v = await h.visitor();
    const before = await Room.countDocuments();
    const res = await v.agent.post('/room').type('form').send({ title: 'no token' });
    expect(res.status).toBe(403);
    const forged = await v.agent
      .post('/room')
      .set('x-csrf-token', 'forged')
      .type('form')
      .send({ title: 'bad' });
    expect(forged.status).toBe(403);
    expect(await Room.countDocuments()).toBe(before);
  });

  test('a _csrf form field is accepted too', async () => {
    const v = await h.visitor();
    const res = await v.agent
      .post('/room')
      .type('form')
      .send({ title: 'form token', _csrf: v.csrf });
    expect(res.status).toBe(303);
  });

  test('HTML in a title comes back escaped', async () => {
    const v = await h.visitor();
    const id = await v.createRoom({ title: '<script>alert(1)</script>' });
    for (const path of ['/', `/room/${id}`]) {
      const page = await v.agent.get(path).expect(200);
      expect(page.text).not.toContain('<script>alert(1)</script>');
      expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
  });

  test('the session cookie is HttpOnly and SameSite, and pages carry a CSP without inline script', async () => {
    const v = await h.visitor();
    expect(v.cookie).toMatch(/^gifchat\.sid=/);
    const res = await v.agent.get('/room');
    const page = await request(h.server).get('/room').set('cookie', 'gifchat.hello=1');
    const setCookie = String(page.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.text).not.toMatch(/<script>(?!<\/script>)/);
  });
});

describe('entering', () => {
  test.each([
    'nothing',
    '123',
    'zzzzzzzzzzzzzzzzzzzzzzzz',
    '000000000000000000000000',
    "'%20OR%201=1",
  ])('an unknown or malformed id (%s) goes back to the lobby with "room not found"', async (id) => {
    const v = await h.visitor();
    const res = await v.agent.get(`/room/${id}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    const lobby = await v.agent.get('/').expect(200);
    expect(flashOf(lobby.text)).toContain('room not found');
    const again = await v.agent.get('/').expect(200);
    expect(flashOf(again.text)).toBeNull();
  });

  test('a full room sends the next person back to the lobby', async () => {
    const owner = await h.visitor();
    const id = await owner.createRoom({ title: 'pair', max: 2 });
    const second = await h.visitor();
    await second.agent.get(`/room/${id}`).expect(200);
    const third = await h.visitor();
    const res = await third.agent.get(`/room/${id}`);
    expect(res.status).toBe(303);
    const lobby = await third.agent.get('/');
    expect(flashOf(lobby.text)).toContain('the room is full');
    // The second visitor refreshing keeps their seat: a person is counted once.
    await second.agent.get(`/room/${id}`).expect(200);
    expect(h.rooms.list().find((r) => r._id === id)?.size).toBe(2);
  });

  test('unknown routes get a 404 page, unknown JSON routes a 404 JSON', async () => {
    const page = await request(h.server).get('/nope').expect(404);
    expect(page.text).toContain('Page not found');
    const json = await request(h.server).get('/nope').set('accept', 'application/json').expect(404);
    expect(json.body.ok).toBe(false);
  });

  test('healthz reports the database', async () => {
    const res = await request(h.server).get('/healthz').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', db: 'up' });
    // One process needs no Redis, so its health does not mention it.
    expect(res.body).not.toHaveProperty('redis');
  });
});

describe('secret rooms', () => {
  const PASSWORD = 'tr0ub4dor&3-horse';

  test('ask for the password, refuse a wrong one, admit the right one, and never reveal it', async () => {
    const owner = await h.visitor();
    const id = await owner.createRoom({ title: 'vault', password: PASSWORD });
    const stored = await Room.findById(id).select('+passwordHash').lean();
    expect(stored?.passwordHash).toMatch(/^scrypt\$/);
    expect(stored?.passwordHash).not.toContain(PASSWORD);

    const guest = await h.visitor();
    const ask = await guest.agent.get(`/room/${id}`).expect(200);
    expect(ask.text).toContain('name="password"');

    const wrong = await guest.agent
      .post(`/room/${id}/password`)
      .set('x-csrf-token', guest.csrf)
      .type('form')
      .send({ password: 'nope' });
    expect(wrong.status).toBe(403);
    expect(fieldError(wrong.text, 'password')).toContain('wrong password');

    const right = await guest.agent
      .post(`/room/${id}/password`)
      .set('x-csrf-token', guest.csrf)
      .type('form')
      .send({ password: PASSWORD });
    expect(right.status).toBe(303);
    expect(right.headers.location).toBe(`/room/${id}`);
    const chat = await guest.agent.get(`/room/${id}`).expect(200);
    expect(chat.text).toContain('id="messages"');

    const everything = [
      ask.text,
      wrong.text,
      chat.text,
      JSON.stringify(right.headers),
      (await guest.agent.get('/')).text,
      JSON.stringify(h.events),
    ];
    for (const text of everything) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain('passwordHash');
      expect(text).not.toContain('scrypt$');
    }
  });

  test('password attempts are rate-limited per room with 429', async () => {
    const owner = await h.visitor();
    const id = await owner.createRoom({ title: 'limited', password: PASSWORD });
    const guest = await h.visitor();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await guest.agent
        .post(`/room/${id}/password`)
        .set('x-csrf-token', guest.csrf)
        .set('accept', 'application/json')
        .send({ password: `guess${i}` });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([403, 403, 403, 429, 429]);
    const right = await guest.agent
      .post(`/room/${id}/password`)
      .set('x-csrf-token', guest.csrf)
      .send({ password: PASSWORD });
    expect(right.status).toBe(429);
  });

  test('a missing password field is a 400, not a crash', async () => {
    const owner = await h.visitor();
    const id = await owner.createRoom({ title: 'missing', password: PASSWORD });
    const res = await owner.agent
      .post(`/room/${id}/password`)
      .set('x-csrf-token', owner.csrf)
      .send({});
    expect(res.status).toBe(400);
  });
});

describe('deleting', () => {
  test('only the owner may delete; the room, its lobby entry and its messages go', async () => {
    const owner = await h.visitor();
    const id = await owner.createRoom({ title: 'short-lived' });
    const guest = await h.visitor();
    await guest.agent.get(`/room/${id}`).expect(200);
    const refused = await guest.agent.delete(`/room/${id}`).set('x-csrf-token', guest.csrf);
    expect(refused.status).toBe(403);
    expect(await Room.exists({ _id: id })).toBeTruthy();

    const noToken = await owner.agent.delete(`/room/${id}`);
    expect(noToken.status).toBe(403);

    const done = await owner.agent.delete(`/room/${id}`).set('x-csrf-token', owner.csrf);
    expect(done.status).toBe(200);
    expect(await Room.exists({ _id: id })).toBeNull();
    expect(h.events.roomRemoved?.filter(([room]) => room === id)).toHaveLength(1);
    const lobby = await owner.agent.get('/');
    expect(lobby.text).not.toContain(id);

    const again = await owner.agent.delete(`/room/${id}`).set('x-csrf-token', owner.csrf);
    expect(again.status).toBe(404);
  });
});

test('a form shown again after an error carries the same working CSRF token', async () => {
  const v = await h.visitor();
  const failed = await v.agent
    .post('/room')
    .set('x-csrf-token', v.csrf)
    .type('form')
    .send({ title: '' })
    .expect(400);
  const token = /name="_csrf" value="([^"]+)"/.exec(failed.text)?.[1];
  expect(token).toBe(v.csrf);
  const retry = await v.agent
    .post('/room')
    .type('form')
    .send({ title: 'second try', _csrf: token });
  expect(retry.status).toBe(303);
});
