import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultFixture } from '../../emulator/index.ts';
import { startEmulator, type TestEmulator } from '../support/emulators.ts';
import {
  ARTIFACTS,
  expectNoPageErrors,
  launchChromium,
  screenshot,
  trackTransfer,
  watchErrors,
} from './chromium.ts';

/**
 * The story, by hand, in a real browser: a customer on the test page writes with QueueName set,
 * the agent console sees the alert (and lets one time out on the manual clock), answers, reads the
 * attribute, replies; the agent transfers to another queue, a second console answers, disconnects, and
 * the customer page turns read-only. Every wait is for a DOM state; time moves only by the clock.
 */

const fx = defaultFixture();
const userId = (name: string) => fx.users.find((u) => u.name === name)!.id;
const ALDA = userId('Alda Moore'); // Grocery, Sports, General
const MAIDA = userId('Maida Moen'); // Grocery, Shoes

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function advance(emulator: TestEmulator, ms: number) {
  const res = await fetch(`${emulator.url}/__emulator/clock/advance`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ms }),
  });
  expect(res.status).toBe(200);
}

/** Signs an agent in on the console and puts them on queue. */
async function signIn(page: Page, agentId: string) {
  await page.getByLabel('Agent', { exact: true }).selectOption(agentId);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Live', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Go on queue' }).click();
  await page.locator('#routing-status', { hasText: /^IDLE$/ }).waitFor();
}

const statusOf = (page: Page) => page.locator('#routing-status');
const transcriptItem = (page: Page, text: string) => page.locator('#transcript li', { hasText: text });

/**
 * Milliseconds from the customer page submitting `text` to the agent console showing it. Both pages
 * stamp the moment themselves (same browser, same clock), so no test round trip is counted.
 */
async function sendToDisplayMs(customer: Page, agent: Page, text: string): Promise<number> {
  await agent.evaluate(`(() => {
    const log = document.getElementById('transcript');
    window.__shownAt = undefined;
    new MutationObserver((_, observer) => {
      const item = [...log.children].find((li) => li.textContent.includes(${JSON.stringify(text)}));
      if (!item) return;
      window.__shownAt = performance.timeOrigin + performance.now();
      observer.disconnect();
    }).observe(log, { childList: true, subtree: true, characterData: true });
  })()`);
  await customer.evaluate(`(() => {
    window.__sentAt = undefined;
    document.addEventListener('submit', (event) => {
      if (event.target.id === 'composer') window.__sentAt = performance.timeOrigin + performance.now();
    }, { capture: true, once: true });
  })()`);
  await customer.getByLabel('Message').fill(text);
  await customer.getByRole('button', { name: 'Send' }).click();
  await transcriptItem(agent, text).waitFor();
  await agent.waitForFunction('window.__shownAt !== undefined');
  const shownAt = (await agent.evaluate('window.__shownAt')) as number;
  const sentAt = (await customer.evaluate('window.__sentAt')) as number;
  return shownAt - sentAt;
}

describe('agent console and customer test page', () => {
  it('customer -> queue by QueueName -> alert, timeout, answer, reply, transfer, second agent, read-only', {
    timeout: 30_000,
  }, async () => {
    const emulator = await startEmulator();
    // One context (a window of its own) per person: a background tab's animation frames are throttled,
    // which makes every click wait for a "stable" element for seconds.
    const contexts: BrowserContext[] = [];
    const newPage = async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      // A wait that fails should name its locator well before the test's own timeout.
      context.setDefaultTimeout(5_000);
      contexts.push(context);
      return context.newPage();
    };
    try {
      const agentA = await newPage();
      const agentB = await newPage();
      const customer = await newPage();
      const errors = [
        watchErrors(agentA, 'agent A'),
        watchErrors(agentB, 'agent B'),
        watchErrors(customer, 'customer'),
      ];

      // The console's first load: its page, styles and modules, and the fixture's agents.
      const transferred = trackTransfer(agentA);
      await agentA.goto(`${emulator.url}/console`);
      await agentA.locator(`#agent option[value="${ALDA}"]`).waitFor({ state: 'attached' });
      const firstLoad = await transferred();
      expect(firstLoad.bytes).toBeLessThan(200 * 1024);

      await signIn(agentA, ALDA);
      await agentB.goto(`${emulator.url}/console`);
      await signIn(agentB, MAIDA);

      // The customer asks for Sports Support through the QueueName custom attribute, whose value input
      // offers the org's queue names (a datalist read through the public API).
      await customer.goto(`${emulator.url}/console/customer`);
      await customer.getByLabel('Attribute 1 name').fill('QueueName');
      const queueValue = customer.getByLabel('Attribute 1 value');
      expect(await queueValue.getAttribute('list')).toBe('queue-names');
      await customer
        .locator('#queue-names option')
        .nth(fx.queues.length - 1)
        .waitFor({ state: 'attached' });
      const offered = (await customer.evaluate(
        `[...document.querySelectorAll('#queue-names option')].map((o) => o.value)`,
      )) as string[];
      expect(offered.sort()).toEqual(fx.queues.map((q) => q.name).sort());
      // Another attribute's value is free text: no queue names offered there.
      await customer.getByLabel('Attribute 1 name').fill('Segment');
      expect(await queueValue.getAttribute('list')).toBeNull();
      await customer.getByLabel('Attribute 1 name').fill('QueueName');
      await queueValue.fill('Sports Support');
      await customer.getByRole('button', { name: 'Connect' }).click();
      await customer.getByText('Connected: new session.').waitFor();
      await customer.getByLabel('Message').fill('My bike chain keeps slipping');
      await customer.getByRole('button', { name: 'Send' }).click();
      await customer.locator('#transcript .status', { hasText: /^sent/ }).waitFor();

      // Alda (the only Sports Support agent on queue) is alerted with the queue's 30 s.
      await agentA.getByRole('button', { name: 'Answer' }).waitFor();
      await agentA.locator('#alert-left', { hasText: '30 s left to answer' }).waitFor();
      await agentA.getByText('Incoming conversation from Web Messaging Guest in Sports Support').waitFor();
      await screenshot(agentA, 'agent-console-alert');
      await advance(emulator, 10_000);
      await agentA.locator('#alert-left', { hasText: '20 s left to answer' }).waitFor();

      // Left to time out: the alert goes, Alda is Not Responding, the conversation waits in the queue.
      await advance(emulator, 20_000);
      await statusOf(agentA)
        .filter({ hasText: /^NOT_RESPONDING$/ })
        .waitFor();
      await agentA.getByRole('button', { name: 'Answer' }).waitFor({ state: 'detached' });
      expect(await agentA.locator('#conversations li').count()).toBe(0);

      // Back on queue, the waiting conversation is offered again; this time Alda answers.
      await agentA.getByRole('button', { name: 'Go on queue' }).click();
      await agentA.getByRole('button', { name: 'Answer' }).click();
      await agentA.locator('#leg-state', { hasText: 'Connected' }).waitFor();
      await statusOf(agentA)
        .filter({ hasText: /^INTERACTING$/ })
        .waitFor();
      await transcriptItem(agentA, 'My bike chain keeps slipping').waitFor();

      // The Participant Data the customer's page sent, and how the flow and ACD used it.
      const attribute = agentA.getByRole('row', { name: 'QueueName Sports Support' });
      await attribute.waitFor();
      const routing = agentA.locator('#routing');
      await routing.getByText('read QueueName = "Sports Support"').waitFor();
      await routing.getByText('queue chosen: Sports Support (priority 0)').waitFor();
      await routing.getByText('Alda Moore did not answer in time').waitFor();

      // Live customer messages, timed from the customer's submit to the console showing them. A second
      // of emulator time between them keeps the guest under Genesys's 2 messages per second.
      const samples: number[] = [];
      for (const text of ['It happens in every gear', 'Even when I pedal slowly', 'The bike is new']) {
        await advance(emulator, 1_000);
        samples.push(await sendToDisplayMs(customer, agentA, text));
      }
      const latencyMs = [...samples].sort((a, b) => a - b)[1]!;
      expect(latencyMs).toBeLessThan(100);

      // The customer types and Alda's console says so. The page sends Typing On at most every 5 s of page
      // time, and the earlier messages were typed just now: move the page's time on instead of waiting.
      await customer.evaluate('(() => { const now = Date.now; Date.now = () => now() + 3_600_000; })()');
      await advance(emulator, 1_000); // typing counts toward the guest's 2 messages per second
      const customerTyping = agentA.getByText('The customer is typing…');
      await customer.getByLabel('Message').fill('still typ');
      await customerTyping.waitFor();
      // The message arrives: the indicator goes with it, not when its 5 s run out.
      await advance(emulator, 1_000);
      await customer.getByLabel('Message').fill('still typing, sorry');
      await customer.getByRole('button', { name: 'Send' }).click();
      await transcriptItem(agentA, 'still typing, sorry').waitFor();
      expect(await customerTyping.isHidden(), 'typing shown after the message arrived').toBe(true);

      // Alda types (the customer sees it) and replies.
      await agentA.getByLabel('Reply').fill('Hi, this is Alda from Sports. Let me look.');
      await customer.getByText('Agent is typing...').waitFor();
      await agentA.getByRole('button', { name: 'Send' }).click();
      await transcriptItem(customer, 'Hi, this is Alda from Sports. Let me look.').waitFor();
      await customer.getByText('Alda Moore (agent)').waitFor();
      await screenshot(agentA, 'agent-console-connected');

      // The customer starts typing again just before Alda transfers (5 s of page time later).
      await customer.evaluate('(() => { const now = Date.now; Date.now = () => now() + 3_600_000; })()');
      await advance(emulator, 1_000);
      await customer.getByLabel('Message').fill('one more thing');
      await customerTyping.waitFor();

      // Blind transfer to Shoes Support: Alda's leg ends (and with it the typing she was shown), Maida
      // is alerted and answers.
      await agentA.getByLabel('Transfer to').selectOption({ label: 'Shoes Support' });
      await agentA.getByRole('button', { name: 'Transfer' }).click();
      await agentA.locator('#leg-state', { hasText: 'Ended (transfer)' }).waitFor();
      expect(await customerTyping.isHidden(), 'typing shown on an ended leg').toBe(true);
      await screenshot(agentA, 'agent-console-transferred');
      await customer.getByLabel('Message').fill('');
      await agentB.getByRole('button', { name: 'Answer' }).click();
      await agentB.locator('#leg-state', { hasText: 'Connected' }).waitFor();
      await transcriptItem(agentB, 'Hi, this is Alda from Sports. Let me look.').waitFor();
      await agentB.getByRole('row', { name: 'QueueName Sports Support' }).waitFor();
      await agentB.locator('#routing').getByText('transferred to queue Shoes Support').waitFor();

      // Alda wraps up; the conversation leaves her list.
      await agentA.getByRole('button', { name: 'Wrap up' }).click();
      await agentA.locator('#conversations li').first().waitFor({ state: 'detached' });
      await statusOf(agentA)
        .filter({ hasText: /^IDLE$/ })
        .waitFor();

      // Maida disconnects: the deployment is ReadOnly, so the customer page can only read now.
      await agentB.getByRole('button', { name: 'Disconnect' }).click();
      await agentB.locator('#leg-state', { hasText: 'Ended' }).waitFor();
      await customer.getByText('Read-only: the conversation has ended.').waitFor();
      await customer.getByText('Maida Moen ended the conversation.').waitFor();
      expect(await customer.getByLabel('Message').isDisabled()).toBe(true);
      await screenshot(agentB, 'agent-console-second-agent');
      await screenshot(customer, 'customer-read-only');

      // "Start new": closeSession, then configureSession{startNew}; a fresh, writable session.
      await customer.getByRole('button', { name: 'Start new conversation' }).click();
      await customer.getByText('Connected: new session.').waitFor();
      expect(await customer.getByLabel('Message').isEnabled()).toBe(true);
      expect(await customer.locator('#transcript li').count()).toBe(0);

      // The timeline page explains the whole run; filters narrow it to one kind of event.
      const conversationId = await agentB
        .locator('#conversations button')
        .getAttribute('data-conversation-id');
      const timeline = await newPage();
      errors.push(watchErrors(timeline, 'timeline'));
      await timeline.goto(`${emulator.url}/console/timeline?conversationId=${conversationId}`);
      await timeline.getByText('events in 1 conversations shown').waitFor();
      await timeline.getByText('conversation ended: agent disconnected').first().waitFor();
      await screenshot(timeline, 'timeline');
      await timeline.getByLabel('Event type').selectOption('routing.decision');
      const decisions = timeline.locator('li[data-type="routing.decision"]:visible');
      await timeline.getByText(/^4 events in 1 conversations shown/).waitFor();
      expect(await decisions.count()).toBe(4);
      expect(await timeline.locator('li[data-type="message.sent"]:visible').count()).toBe(0);

      const figures = {
        consoleFirstLoadBytes: firstLoad.bytes,
        consoleFirstLoadResponses: firstLoad.responses,
        customerSendToAgentDisplayMsMedian: Number(latencyMs.toFixed(1)),
        customerSendToAgentDisplayMsSamples: samples.map((ms) => Number(ms.toFixed(1))),
      };
      writeFileSync(join(ARTIFACTS, 'figures.json'), `${JSON.stringify(figures, null, 2)}\n`);
      console.log('console figures', figures);
      expectNoPageErrors(...errors);
    } finally {
      await Promise.all(contexts.map((c) => c.close()));
    }
  });
});
