/**
 * What a system message can say happened, with its English text as stored in `chat`. Apart from
 * the model so that the payload types (services/types.ts), which browser code imports too, need
 * nothing from Mongoose.
 */
export const SYSTEM_TEXT = { joined: 'joined', left: 'left', removed: 'was removed' } as const;
export type SystemKind = keyof typeof SYSTEM_TEXT;
