// @ts-check
// The room page: joins /chat and puts its parts together — the timeline of messages, the composer
// and its outbox, GIF uploads, the people list and the side panel.
import { io } from '/socket.io/socket.io.esm.min.js';
import { byId } from '../lib/dom.js';
import { createComposer } from './composer.js';
import { createConversation } from './conversation.js';
import { createIgnore } from './ignore.js';
import { markMentions, mentionArrived, mentionName, wireMentionSound } from './mentions.js';
import { createModeration } from './moderation.js';
import { createReports } from './reports.js';
import { watchGifs } from './gifs.js';
import { createOutbox } from './outbox.js';
import { createPanel } from './panel.js';
import { createPeople } from './people.js';
import { createPicker } from './picker.js';
import { watchRestarts } from './restart.js';
import { stayInRoom } from './room.js';
import { createTimeline } from './timeline.js';
import { wireUploads } from './upload.js';

const app = byId('app');
const room = app.dataset.room ?? '';
/** The person reading, as the page knew them; the join acknowledgement has the last word. */
const me = {
  pid: app.dataset.pid ?? '',
  user: app.dataset.user ?? '',
  /** @type {string | undefined} */
  nick: app.dataset.nick || undefined,
};

/** @type {import('../types').ChatSocket} */
const socket = io('/chat');
watchGifs(byId('scroller'));

mentionName(() => me.nick);
const moderation = createModeration({ socket, me: () => me.pid, onChange: () => people.refresh() });
const reports = createReports({ socket });
const ignore = createIgnore({
  socket,
  list: byId('messages'),
  initial: (app.dataset.ignored ?? '').split(' ').filter(Boolean),
  onChange: () => people.refresh(),
});
const people = createPeople({
  socket,
  me: () => me.pid,
  ownerAtLoad: app.dataset.owner === 'true',
  onWhisper: (person) => composer.startWhisper(person),
  onOwner: (owner) => {
    byId('owner-tools').hidden = !owner;
    moderation.setOwner(owner);
    if (owner) void reports.load();
  },
  isMuted: moderation.isMuted,
  onMute: (pid) => void moderation.toggleMute(pid),
  isIgnored: ignore.isIgnored,
  onIgnore: (pid) => void ignore.toggle(pid),
});
moderation.setOwner(app.dataset.owner === 'true');
const timeline = createTimeline({ room, me: () => me.pid, nameOf: people.nameOf });
const connection = stayInRoom({
  socket,
  room,
  lastSeq: timeline.lastSeq,
  onJoined(data, first) {
    if (data.truncated && Number.isFinite(first)) timeline.skipBefore(first);
    Object.assign(me, { pid: data.pid, user: data.user, nick: data.nick });
    markMentions(byId('messages'));
    people.load(data);
    moderation.load(data.settings);
    timeline.refreshWhispers();
  },
  onMessage(message) {
    timeline.show(message);
    mentionArrived(message, me.pid);
    if (message.pid) people.stoppedTyping(message.pid);
  },
});
watchRestarts({ socket });
const conversation = createConversation({ socket, room, me: () => me.pid, timeline });
const outbox = createOutbox({
  socket,
  room,
  isJoined: connection.isJoined,
  joins: connection.joins,
  nextJoin: connection.nextJoin,
  me: () => me,
  timeline,
  replyTo: conversation.takeReply,
  // Slow mode counted by the server (another tab sent first): the composer counts down its time.
  onRefused: (error) => {
    if (error.code === 'slow_mode') moderation.wait(Number(error.params?.seconds) || 0);
  },
});
const panel = createPanel({ room, socket, me, onNick: () => markMentions(byId('messages')) });
const composer = createComposer({
  socket,
  send: outbox.send,
  show: timeline.show,
  onWhisperStart: () => panel.closeSidebar(false),
  mayPost: moderation.mayPost,
});
wireMentionSound(byId('mention-sound', HTMLInputElement));
wireUploads({ room, dropZone: byId('main'), onSent: timeline.show });
createPicker({
  socket,
  room,
  isJoined: connection.isJoined,
  joins: connection.joins,
  nextJoin: connection.nextJoin,
  onSent: timeline.show,
});
