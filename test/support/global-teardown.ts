export default async function globalTeardown(): Promise<void> {
  await globalThis.__GIFCHAT_DB__?.stop();
}
