import { rm } from 'node:fs/promises';
import type { NextFunction, Request, Response } from 'express';
import { BadRequest, NotParticipant, RoomNotFound } from '../errors';
import { parseRoomId } from '../lib/room-id';
import { parseOrThrow } from '../lib/validate';
import type { Admission } from '../services/admission';
import type { GifService } from '../services/gifs.service';
import type { Limits } from '../services/limits';
import type { RoomPeople } from '../services/room.people';
import { personFrom } from './request';
import { gifFieldsSchema, pickerQuery, resendSchema, roomId } from './validate';

export interface GifControllerDependencies {
  gifs: GifService;
  limits: Pick<Limits, 'take' | 'person' | 'address'>;
  admission: Pick<Admission, 'requireParticipant'>;
  people: Pick<RoomPeople, 'speaker'>;
}

/** GIF messages over HTTP: uploads, re-sends of stored GIFs, and the picker's lists. */
export function gifController({ gifs, limits, admission, people }: GifControllerDependencies) {
  return {
    /** After the upload middleware: the temp file goes through the media pipeline. */
    upload: async (req: Request, res: Response) => {
      const id = roomId(req);
      const file = req.file;
      if (!file) throw new BadRequest('no_file');
      let cid: string | undefined;
      let person;
      try {
        ({ cid } = parseOrThrow(gifFieldsSchema, req.body));
        person = people.speaker(id, personFrom(req));
      } catch (err) {
        // Refused before the pipeline saw it. Once it has, the pipeline removes the file, maybe
        // after the answer (its poster and video are made from it).
        await rm(file.path, { force: true });
        throw err;
      }
      const { sha256 } = file as { sha256?: string };
      const message = await gifs.upload(id, person, file.path, file.originalname, cid, sha256);
      res.status(201).json(message);
    },

    /** A JSON or form body naming a stored GIF sends it again; a multipart body is an upload. */
    resend: async (req: Request, res: Response, next: NextFunction) => {
      if (req.is('multipart/form-data') || !(req.is('json') || req.is('urlencoded'))) return next();
      const id = roomId(req);
      const { gif, cid } = parseOrThrow(resendSchema, req.body);
      const message = await gifs.resend(id, people.speaker(id, personFrom(req)), gif, cid);
      res.status(201).json(message);
    },

    /** `GET /gifs?tab=recent|popular&q=&room=`. */
    picker: async (req: Request, res: Response) => {
      const { tab, q, room: rawRoom } = parseOrThrow(pickerQuery, req.query);
      // Read, never given: asking for the list makes no session (someone without one sent nothing).
      const pid = req.session.pid;
      await limits.take('picker', pid ? limits.person(req.sessionID) : limits.address(req.ip));
      let room;
      if (rawRoom) {
        room = parseRoomId(rawRoom);
        if (!room) throw new RoomNotFound();
        if (!pid) throw new NotParticipant();
        // A secret room's GIFs are listed only to the people in it.
        await admission.requireParticipant(room, req.sessionID);
      }
      const query = { tab, q: q?.trim() || undefined, room };
      // Someone without an identity has sent nothing: no Recent to look up.
      const items = pid || tab === 'popular' ? await gifs.picker(pid ?? '', query) : [];
      res.set('Cache-Control', 'private, no-store').json({ tab, items });
    },
  };
}
