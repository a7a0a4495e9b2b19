/* The floor for chat: a raw Socket.IO server doing one insert and one broadcast per message, sent
 * over its socket, or POSTed to a bare HTTP route (`POST /chat`, JSON): the physical limit of each
 * way of sending. */
import { createServer } from 'node:http';
import { MongoClient, ObjectId } from 'mongodb';
import { Server } from 'socket.io';

async function main() {
  const client = await MongoClient.connect(process.env.MONGO_URL!);
  const messages = client.db().collection('messages');
  const save = async (data: { room: string; chat: string }) => {
    const doc = { _id: new ObjectId(), room: data.room, chat: data.chat, createdAt: new Date() };
    await messages.insertOne(doc);
    chat.to(data.room).emit('chat', doc);
    return doc;
  };
  const server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/chat') return res.end('floor');
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void save(
        JSON.parse(Buffer.concat(chunks).toString()) as { room: string; chat: string },
      ).then((doc) => {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify(doc));
      });
    });
  });
  const chat = new Server(server).of('/chat');
  chat.on('connection', (socket) => {
    socket.on('join', (room: string, ack?: (r: unknown) => void) => {
      void socket.join(room);
      ack?.({ ok: true });
    });
    socket.on('chat', async (data: { room: string; chat: string }, ack?: (r: unknown) => void) => {
      await save(data);
      ack?.({ ok: true });
    });
  });
  server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
}

void main();
