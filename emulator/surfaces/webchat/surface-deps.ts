import type { EmulatorRuntime } from '../../runtime.ts';
import type { GuestStreams } from './event-stream.ts';
import type { FrameWriter } from './frames.ts';
import type { GuestTokens } from './jwt.ts';
import type { GuestFrameTranslator } from './translator.ts';

/** What the guest chat surface's route plugins share: one instance of each per emulator. */
export interface WebChatDeps {
  runtime: EmulatorRuntime;
  tokens: GuestTokens;
  streams: GuestStreams;
  frames: FrameWriter;
  translator: GuestFrameTranslator;
}
