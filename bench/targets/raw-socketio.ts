/* The floor for open sockets: a raw Socket.IO server with a /chat namespace and nothing else. */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const server = createServer((_req, res) => res.end('raw socket.io'));
new Server(server).of('/chat');
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
