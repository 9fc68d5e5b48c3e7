/**
 * The bridge as a service (bridge.md §4.8): `buildBridgeService()` gives a ready fastify instance with the
 * REST API, the event streams (SSE, WebSocket) and optional signed webhooks; `genesys-bridge serve` runs
 * it from a config file.
 */
export type { BridgeService, BridgeServiceDeps, BridgeServiceOptions } from './app.ts';
export { buildBridgeService } from './app.ts';
export {
  type FileIssue,
  type LoadedServiceConfig,
  loadServiceConfigFile,
  parseServiceConfig,
  ServiceConfigError,
} from './config-file.ts';
export { HTTP_STATUS, type ServiceErrorBody, type ServiceErrorCode } from './errors.ts';
export type { ServiceSettings, ServiceSettingsInput, WebhookSettings } from './settings.ts';
export { signWebhookBody, verifyWebhookSignature } from './webhook-signing.ts';
export type { WebhookFailure } from './webhooks.ts';
