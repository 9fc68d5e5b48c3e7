import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Set by the command bundles (cli/build.mjs), where import.meta.url is the bundle's, not this file's. */
declare const __EMULATOR_CONSOLE_DIR__: string | undefined;

export const CONSOLE_DIR =
  typeof __EMULATOR_CONSOLE_DIR__ === 'string'
    ? __EMULATOR_CONSOLE_DIR__
    : fileURLToPath(new URL('../../console', import.meta.url));

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
};

/** Plain names only: no directories, no dot files, so a request can never leave the assets folder. */
const ASSET_NAME = /^[a-z0-9][a-z0-9-]*\.(html|css|js|svg)$/;

export interface Asset {
  body: Buffer;
  contentType: string;
  etag: string;
}

/**
 * The console's hand-written files, read from disk on first request and kept: nothing is read at
 * start-up (the emulator's start-up time stays what it was) and the files are a few KB each.
 */
export class AssetStore {
  readonly #dir: string;
  readonly #cache = new Map<string, Promise<Asset | undefined>>();

  constructor(dir = join(CONSOLE_DIR, 'assets')) {
    this.#dir = dir;
  }

  get(name: string): Promise<Asset | undefined> {
    const match = ASSET_NAME.exec(name);
    if (!match) return Promise.resolve(undefined);
    let asset = this.#cache.get(name);
    if (!asset) {
      asset = this.#load(name, TYPES[match[1]!]!);
      this.#cache.set(name, asset);
      // A failed read is not remembered: the next request tries again.
      asset.catch(() => this.#cache.delete(name));
    }
    return asset;
  }

  async #load(name: string, contentType: string): Promise<Asset | undefined> {
    try {
      const body = await readFile(join(this.#dir, name));
      const etag = `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"`;
      return { body, contentType, etag };
    } catch (e) {
      // A missing file is a 404; anything else (permissions, I/O) is a real error worth seeing.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }
}
