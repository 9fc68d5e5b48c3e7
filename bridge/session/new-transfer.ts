import type { ResolvedBridgeConfig } from '../config.ts';
import { configForBotChannel } from '../config.ts';
import { failure } from '../errors.ts';
import type { StartTransferRequest } from '../types.ts';
import type { SessionRegistryOptions } from './session-registry.ts';
import { planTransfer } from './transfer-plan.ts';
import { TransferSession } from './transfer-session.ts';

/**
 * A new transfer session, built the same way by both engines (in-process registry and the Redis
 * cluster): the bot channel's configuration, its channel adapter, a session id, and the plan, which
 * throws (oversize metadata, bad text) before anything is registered, stored or sent.
 */
export function newTransferSession(
  options: SessionRegistryOptions,
  request: StartTransferRequest,
  hooks: { onEnded: (session: TransferSession) => void; onProgress?: () => void },
): { session: TransferSession; config: ResolvedBridgeConfig; sessionId: string } {
  const config = configForBotChannel(options.configs, request.botChannel);
  const adapterFactory = options.adapters[config.channel];
  if (!adapterFactory)
    throw failure('CONFIG_INVALID', `no ${config.channel} adapter is available in this bridge`);
  const sessionId = options.newId();
  const plan = planTransfer(request, config, sessionId);
  const session = new TransferSession({
    sessionId,
    request,
    config,
    plan,
    adapterFactory,
    clock: options.clock,
    onListenerError: options.onListenerError,
    ...hooks,
  });
  return { session, config, sessionId };
}
