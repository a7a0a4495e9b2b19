/* The floor for chat: a raw Socket.IO server doing one insert and one broadcast per message. */
import { createServer } from 'node:http';
import { MongoClient, ObjectId } from 'mongodb';
import { Server } from 'socket.io';

async function main() {
  const client = await MongoClient.connect(process.env.MONGO_URL!);
  const messages = client.db().collection('messages');
  const server = createServer((_req, res) => res.end('floor'));
  const chat = new Server(server).of('/chat');
  chat.on('connection', (socket) => {
    socket.on('join', (room: string, ack?: (r: unknown) => void) => {
      void socket.join(room);
      ack?.({ ok: true });
    });
    socket.on('chat', async (data: { room: string; chat: string }, ack?: (r: unknown) => void) => {
      const doc = { _id: new ObjectId(), room: data.room, chat: data.chat, createdAt: new Date() };
      await messages.insertOne(doc);
      chat.to(data.room).emit('chat', doc);
      ack?.({ ok: true });
    });
  });
  server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
}

void main();
