/*
 * The classic textbook GIF chat, as the books teach it: Express 4, nunjucks, Mongoose, Socket.IO,
 * express-session with its memory store, the lobby queried on every request and rendered with a
 * room card template, messages posted over HTTP and broadcast, multer writing GIFs to disk.
 * Kept faithful on purpose: it is the baseline GifChat is measured against.
 */
import path from 'node:path';
import ColorHash from 'color-hash';
import cookieParser from 'cookie-parser';
import express from 'express4';
import session from 'express-session';
import mongoose, { Schema } from 'mongoose';
import morgan from 'morgan';
import multer from 'multer';
import nunjucks from 'nunjucks';
import { Server } from 'socket.io';
import type { NextFunction, Request, Response } from 'express';

declare module 'express-session' {
  interface SessionData {
    color: string;
  }
}

const log = (line: string) => process.stdout.write(`${line}\n`);
const SECRET = 'gifchat-classic-secret';

const Room = mongoose.model(
  'Room',
  new Schema({
    title: { type: String, required: true },
    max: { type: Number, required: true, default: 10, min: 2 },
    owner: { type: String, required: true },
    password: String,
    createdAt: { type: Date, default: Date.now },
  }),
);
const Chat = mongoose.model(
  'Chat',
  new Schema({
    room: { type: Schema.Types.ObjectId, required: true, ref: 'Room' },
    user: { type: String, required: true },
    chat: String,
    gif: String,
    createdAt: { type: Date, default: Date.now },
  }),
);

async function removeRoom(roomId: string) {
  await Room.deleteOne({ _id: roomId });
  await Chat.deleteMany({ room: roomId });
}

const app = express();
app.set('port', process.env.PORT || 8005);
app.set('view engine', 'html');
nunjucks.configure(path.join(__dirname, 'views'), { express: app });

const sessionMiddleware = session({
  resave: false,
  saveUninitialized: false,
  secret: SECRET,
  cookie: { httpOnly: true, secure: false },
});
const uploads = process.env.UPLOAD_DIR ?? path.join(__dirname, 'uploads');

app.use(morgan('dev'));
app.use('/gif', express.static(uploads));
app.use(express.json());
app.use(express.urlencoded({ extended: false }));
app.use(cookieParser(SECRET));
app.use(sessionMiddleware);
app.use((req: Request, _res: Response, next: NextFunction) => {
  if (!req.session.color) {
    const colorHash = new ColorHash();
    req.session.color = colorHash.hex(req.sessionID);
    log(`${req.session.color} ${req.sessionID}`);
  }
  next();
});

const upload = multer({
  storage: multer.diskStorage({
    destination(_req, _file, done) {
      done(null, uploads);
    },
    filename(_req, file, done) {
      const ext = path.extname(file.originalname);
      done(null, path.basename(file.originalname, ext) + Date.now() + ext);
    },
  }),
  limits: { fileSize: 5 * 1024 * 1024 },
});

const router = express.Router();
router.get('/', async (_req: Request, res: Response) => {
  const rooms = await Room.find({});
  res.render('main', { rooms, title: 'GIF 채팅방' });
});
router.get('/room', (_req: Request, res: Response) => {
  res.render('room', { title: 'GIF 채팅방 생성' });
});
router.post('/room', async (req: Request, res: Response) => {
  const body = req.body as { title: string; max: number; password?: string };
  const newRoom = await Room.create({
    title: body.title,
    max: body.max,
    owner: req.session.color,
    password: body.password,
  });
  io.of('/room').emit('newRoom', newRoom);
  if (body.password) res.redirect(`/room/${String(newRoom._id)}?password=${body.password}`);
  else res.redirect(`/room/${String(newRoom._id)}`);
});
router.get('/room/:id', async (req: Request, res: Response) => {
  const room = await Room.findOne({ _id: req.params.id });
  if (!room) return res.redirect('/?error=존재하지 않는 방입니다.');
  if (room.password && room.password !== req.query.password)
    return res.redirect('/?error=비밀번호가 틀렸습니다.');
  const { rooms } = io.of('/chat').adapter;
  if (room.max <= (rooms.get(String(req.params.id))?.size ?? 0))
    return res.redirect('/?error=허용 인원이 초과하였습니다.');
  const chats = await Chat.find({ room: room._id }).sort('createdAt');
  res.render('chat', { room, title: room.title, chats, user: req.session.color });
});
router.delete('/room/:id', async (req: Request, res: Response) => {
  await removeRoom(String(req.params.id));
  res.send('ok');
});
router.post('/room/:id/chat', async (req: Request, res: Response) => {
  const chat = await Chat.create({
    room: String(req.params.id),
    user: req.session.color,
    chat: (req.body as { chat: string }).chat,
  });
  io.of('/chat').to(String(req.params.id)).emit('chat', chat);
  res.send('ok');
});
router.post('/room/:id/gif', upload.single('gif'), async (req: Request, res: Response) => {
  const chat = await Chat.create({
    room: String(req.params.id),
    user: req.session.color,
    gif: req.file!.filename,
  });
  io.of('/chat').to(String(req.params.id)).emit('chat', chat);
  res.send('ok');
});

// Express 4 does not catch rejected promises: the book wraps every controller in try/catch.
const caught =
  (handler: (req: Request, res: Response, next: NextFunction) => unknown) =>
  (req: Request, res: Response, next: NextFunction) =>
    Promise.resolve(handler(req, res, next)).catch(next);
for (const layer of router.stack as { route?: { stack: { handle: never }[] } }[])
  for (const step of layer.route?.stack ?? []) step.handle = caught(step.handle) as never;
app.use('/', router);

app.use((req: Request, _res: Response, next: NextFunction) => {
  const error = new Error(`${req.method} ${req.url} 라우터가 없습니다.`) as Error & {
    status?: number;
  };
  error.status = 404;
  next(error);
});
app.use((err: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
  res.locals.message = err.message;
  res.locals.error = process.env.NODE_ENV !== 'production' ? err : {};
  res.status(err.status || 500);
  res.render('error');
});

const server = app.listen(Number(app.get('port')), process.env.HOST ?? '127.0.0.1');
const io = new Server(server, { path: '/socket.io' });
const room = io.of('/room');
const chat = io.of('/chat');
const wrap =
  (middleware: typeof sessionMiddleware) =>
  (socket: { request: unknown }, next: (err?: Error) => void) =>
    middleware(socket.request as Request, {} as Response, next as NextFunction);
chat.use(wrap(sessionMiddleware));

room.on('connection', (socket) => {
  log('room 네임스페이스에 접속');
  socket.on('disconnect', () => log('room 네임스페이스 접속 해제'));
});
chat.on('connection', (socket) => {
  log('chat 네임스페이스에 접속');
  const req = socket.request as Request;
  socket.on('join', (data: string) => {
    void socket.join(data);
    socket
      .to(data)
      .emit('join', { user: 'system', chat: `${req.session.color}님이 입장하셨습니다.` });
  });
  socket.on('disconnect', async () => {
    log('chat 네임스페이스 접속 해제');
    const { referer } = req.headers;
    // The book assumes every socket came from a room page; a socket without one is left alone here
    // (the book's version would crash the process on it).
    const roomId = referer ? new URL(referer).pathname.split('/').at(-1) : '';
    if (!roomId || !mongoose.isValidObjectId(roomId)) return;
    const currentRoom = chat.adapter.rooms.get(roomId);
    const userCount = currentRoom?.size || 0;
    if (userCount === 0) {
      await removeRoom(roomId).catch(() => undefined);
      room.emit('removeRoom', roomId);
    } else {
      socket
        .to(roomId)
        .emit('exit', { user: 'system', chat: `${req.session.color}님이 퇴장하셨습니다.` });
    }
  });
  socket.on('chat', (data: { room: string }) => {
    socket.to(data.room).emit('chat', data);
  });
});

void mongoose.connect(process.env.MONGO_URL!);
