export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __AZURITE__?: { stop(): Promise<void> } }).__AZURITE__?.stop();
}
