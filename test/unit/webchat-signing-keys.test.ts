import { importSPKI, jwtVerify } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as EmulatorApi from '../../emulator/index.ts';
import { TEST_DEFAULTS } from '../support/emulators.ts';
import { createChat } from '../support/webchat.ts';

/**
 * The WebChat guest-token keys are one RSA pair per thread (100-500 ms to make). The scenario pool's
 * workers adopt the main thread's pair instead of making their own. Each test loads a fresh copy of the
 * emulator's modules (what a new worker thread has: no pair yet), so the adoption can be watched.
 */
const fresh = async (): Promise<typeof EmulatorApi> => {
  vi.resetModules();
  return import('../../emulator/index.ts');
};

afterEach(() => {
  vi.resetModules();
});

describe('guest signing keys', () => {
  it('a thread that adopts another thread’s pair signs its guests’ tokens with it', async () => {
    const maker = await fresh();
    const pem = await maker.guestSigningKeys.export();
    expect(pem.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(pem.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----/);

    const worker = await fresh();
    worker.guestSigningKeys.adopt(pem);
    const emulator = await worker.startEmulator(TEST_DEFAULTS);
    try {
      const chat = await createChat(emulator);
      const key = await importSPKI(pem.publicKey, 'RS256');
      // Its expiry is on the emulator's (manual) clock.
      const { protectedHeader } = await jwtVerify(chat.jwt, key, {
        currentDate: new Date(emulator.clock.now()),
      });
      expect(protectedHeader.alg).toBe('RS256');
      // And it exports the very pair it adopted.
      expect(await worker.guestSigningKeys.export()).toEqual(pem);
    } finally {
      await emulator.close();
    }
  });

  it('a thread with a pair of its own keeps it: adopting later changes nothing', async () => {
    const other = await (await fresh()).guestSigningKeys.export();
    const api = await fresh();
    api.guestSigningKeys.prepare();
    const own = await api.guestSigningKeys.export();
    api.guestSigningKeys.adopt(other);
    expect(own.publicKey).not.toBe(other.publicKey);
    expect(await api.guestSigningKeys.export()).toEqual(own);
  });

  it('a thread told the pair is coming makes none of its own: what asks for the pair meanwhile gets that one', async () => {
    const pem = await (await fresh()).guestSigningKeys.export();
    const worker = await fresh();
    const arrive = worker.guestSigningKeys.expect();
    // Asked for before it comes (as a guest's first token would), answered once it does.
    const asked = worker.guestSigningKeys.export();
    arrive(pem);
    expect(await asked).toEqual(pem);
    const emulator = await worker.startEmulator(TEST_DEFAULTS);
    try {
      const chat = await createChat(emulator);
      const key = await importSPKI(pem.publicKey, 'RS256');
      await jwtVerify(chat.jwt, key, { currentDate: new Date(emulator.clock.now()) });
    } finally {
      await emulator.close();
    }
  });

  it('a pair that does not come after all (undefined): the thread makes its own', async () => {
    const worker = await fresh();
    const arrive = worker.guestSigningKeys.expect();
    arrive(undefined);
    const own = await worker.guestSigningKeys.export();
    expect(own.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    // Later pairs change nothing.
    worker.guestSigningKeys.expect()(await (await fresh()).guestSigningKeys.export());
    expect(await worker.guestSigningKeys.export()).toEqual(own);
  });
});
