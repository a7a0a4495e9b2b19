import type { Db } from 'mongodb';
import { GridFsStore } from './gridfs-store';
import { LocalStore } from './local-store';
import type { MediaStore } from './store';

/** The configured store: a directory (the default), or GridFS in the app's database. */
export function createStore(kind: 'local' | 'gridfs', dir: string, db: Db | undefined): MediaStore {
  if (kind === 'local') return new LocalStore(dir);
  if (!db) throw new Error('MEDIA_STORE=gridfs needs an open database connection');
  return new GridFsStore(db);
}
