import platformClient from 'purecloud-platform-client-v2';
import type { EmulatorDoors } from './emulators.ts';

/**
 * The official platform SDK pointed at a test emulator the way a user does it: setGateway (setEnvironment
 * cannot reach http://127.0.0.1), with config-file live reload off so a file in $HOME cannot reset the
 * gateway (toolchain.md). The SDK keeps one global ApiClient per process; vitest isolates test files.
 */
export function platformSdk(emulator: EmulatorDoors) {
  const client = platformClient.ApiClient.instance;
  const config = (
    client as unknown as { config: { live_reload_config: boolean; setConfigPath(p: string): void } }
  ).config;
  config.live_reload_config = false;
  client.setGateway({ host: '127.0.0.1', protocol: 'http', port: emulator.port });
  return { platformClient, client };
}
