/**
 * `genesys-cloud-emulator/bridge`: the bridge a bot platform uses to hand a conversation to Genesys
 * agents, as a library (`createBridge`) and as an HTTP/WebSocket service (`buildBridgeService`).
 */
export * from './index.ts';
export * from './service/index.ts';
