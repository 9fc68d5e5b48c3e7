import { type EmulatorHandle, type StartEmulatorOptions, startEmulator } from '../../emulator/index.ts';

/**
 * The provider: an emulator started through the package's public door, as any user starts one, with its
 * control plane on (provider states are set through it) and a manual clock the states move.
 */
export function startProviderEmulator(extra: StartEmulatorOptions = {}): Promise<EmulatorHandle> {
  return startEmulator({ controlPlane: true, clock: 'manual', seed: 42, logLevel: 'silent', ...extra });
}
