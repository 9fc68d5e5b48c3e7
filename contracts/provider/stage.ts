import { AgentPool } from './agents.ts';
import { ChatStage } from './chat-stage.ts';
import { MessagingStage } from './messaging-stage.ts';
import { OpenMessagingStage } from './openmessaging-stage.ts';
import type { ProviderWorld } from './world.ts';

/** Everything one interaction set up: its guests, chat, Open Messaging customers and agents, closed together. */
export class Stage {
  readonly agents: AgentPool;
  readonly messaging: MessagingStage;
  readonly chat: ChatStage;
  readonly open: OpenMessagingStage;

  constructor(world: ProviderWorld) {
    this.agents = new AgentPool(world);
    this.messaging = new MessagingStage(world, this.agents);
    this.chat = new ChatStage(world, this.agents);
    this.open = new OpenMessagingStage(world, this.agents);
  }

  async close(): Promise<void> {
    await Promise.all([this.messaging.close(), this.chat.close(), this.open.close()]);
    await this.agents.close();
  }
}
