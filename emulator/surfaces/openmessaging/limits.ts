/**
 * What the emulator enforces on the Open Messaging inbound API. Genesys publishes no Open Messaging
 * figures (UNCONFIRMED, platform-extra.md §1.6); the Web Messaging ones are used, so a bridge that fits
 * one channel fits the other.
 */
export { customDataBytes, MAX_CUSTOM_DATA_BYTES, MAX_TEXT_LENGTH } from '../webmessaging/limits.ts';

/** How long Genesys shows an agent or customer typing unless another event comes (platform-extra.md §1.5). */
export const TYPING_DURATION_MS = 5000;
