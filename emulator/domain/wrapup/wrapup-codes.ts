import { errors } from '../errors.ts';
import { nameUuid } from '../ids.ts';
import type { OrgDirectory } from '../org.ts';

/** A wrap-up code of the loaded org (platform-extra.md §4): Genesys's `code` in a wrap-up is its id. */
export interface WrapupCode {
  id: string;
  name: string;
  description?: string;
}

/**
 * The fixture's wrap-up codes with their ids (given, or derived from the org and the name so they are
 * stable across runs) and each queue's assignment: the names its `wrapupCodes` lists, or every code when
 * the queue lists none (the emulator's convenience; in Genesys an admin assigns codes to each queue).
 */
export class WrapupCodeDirectory {
  readonly all: readonly WrapupCode[];
  readonly #byId = new Map<string, WrapupCode>();
  readonly #byQueue = new Map<string, readonly WrapupCode[]>();

  constructor(org: OrgDirectory) {
    const byName = new Map<string, WrapupCode>();
    this.all = org.fixture.wrapupCodes.map((w) => {
      const code: WrapupCode = {
        id: w.id ?? nameUuid(`wrapupcode:${org.org.id}:${w.name}`),
        name: w.name,
        ...(w.description === undefined ? {} : { description: w.description }),
      };
      this.#byId.set(code.id, code);
      byName.set(code.name, code);
      return code;
    });
    for (const q of org.queues) {
      this.#byQueue.set(
        q.id,
        q.wrapupCodes === undefined ? this.all : q.wrapupCodes.map((n) => byName.get(n)!),
      );
    }
  }

  byId(id: string): WrapupCode | undefined {
    return this.#byId.get(id);
  }

  /** The codes an agent may pick for work from this queue; every code when there is no queue. */
  forQueue(queueId: string | undefined): readonly WrapupCode[] {
    return (queueId === undefined ? undefined : this.#byQueue.get(queueId)) ?? this.all;
  }

  /**
   * The code a wrap-up names, which must be one of the queue's codes, by id as Genesys requires
   * (WrapupInput.code is the wrap-up code id). Anything else is refused naming the allowed ids.
   * Genesys's exact error for a code the queue does not have is UNCONFIRMED; `invalid.value` is its
   * usual answer for a value outside a set.
   */
  check(queueId: string | undefined, code: string): WrapupCode {
    const allowed = this.forQueue(queueId);
    const found = allowed.find((c) => c.id === code);
    if (found) return found;
    throw errors.invalidValue(
      'wrapup.code',
      code,
      allowed.map((c) => `${c.id} (${c.name})`).join(', ') || 'none (the queue has no wrap-up codes)',
      { details: [{ errorCode: 'invalid.value', fieldName: 'wrapup.code' }] },
    );
  }
}

const directories = new WeakMap<OrgDirectory, WrapupCodeDirectory>();

/** The wrap-up codes of an org, built once per loaded fixture. */
export function wrapupCodes(org: OrgDirectory): WrapupCodeDirectory {
  let directory = directories.get(org);
  if (!directory) {
    directory = new WrapupCodeDirectory(org);
    directories.set(org, directory);
  }
  return directory;
}
