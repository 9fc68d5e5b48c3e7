import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../support/emulators.ts';
import { expectNoPageErrors, launchChromium, screenshot, watchErrors } from './chromium.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('agent console on a WebChat conversation', () => {
  it("shows the chat's transcript (history, then live messages both ways) and the customer's typing", {
    timeout: 30_000,
  }, async () => {
    const emulator = await startEmulator();
    const alda = emulator.fixture.users.find((u) => u.name === 'Alda Moore')!;
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(5_000);
    try {
      const page = await context.newPage();
      const errors = watchErrors(page, 'agent');
      await page.goto(`${emulator.url}/console?agent=${alda.id}`);
      await page.getByText('Live', { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Go on queue' }).click();
      await page.locator('#routing-status', { hasText: /^IDLE$/ }).waitFor();

      // A WebChat customer (the control plane's scripted customer) asks for help before anyone answers.
      const started = await emulator.inject({
        method: 'POST',
        url: '/__emulator/conversations',
        payload: { mediaType: 'chat', channel: 'webchat', queueName: 'General', text: 'hello from the chat' },
      });
      const cid = started.json().id as string;
      await page.getByRole('button', { name: 'Answer' }).click();
      const item = (text: string) => page.locator('#transcript li', { hasText: text });
      await item('hello from the chat').waitFor();
      // The capacity line shows what routing uses for each media type (Alda: 3 messages, 4 chats).
      await page.getByText('1 active; capacity 3 messages, 4 chats.').waitFor();

      await emulator.inject({ method: 'POST', url: `/__emulator/conversations/${cid}/typing` });
      await page.getByText('The customer is typing…').waitFor();
      await emulator.inject({
        method: 'POST',
        url: `/__emulator/conversations/${cid}/messages`,
        payload: { text: 'are you there?' },
      });
      await item('are you there?').waitFor();

      await page.getByLabel('Reply').fill('Yes, Alda here');
      await page.getByRole('button', { name: 'Send' }).click();
      await item('Yes, Alda here').waitFor();
      const texts = emulator.conversations.get(cid)!.messages.map((m) => m.text);
      expect(texts).toEqual(['hello from the chat', 'are you there?', 'Yes, Alda here']);
      await screenshot(page, 'agent-console-webchat');
      expectNoPageErrors(errors);
    } finally {
      await context.close();
    }
  });
});
