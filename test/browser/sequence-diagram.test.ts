import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../support/emulators.ts';
import {
  ARTIFACTS,
  expectNoPageErrors,
  launchChromium,
  screenshot,
  trackTransfer,
  watchErrors,
} from './chromium.ts';

/**
 * The conversation as a picture, in a real browser: a transfer story (the flow reads QueueName, Sports
 * Support alerts Alda, she answers and transfers to Shoes Support, where Dena answers) drawn by the
 * timeline page as SVG from the same model the Mermaid text comes from. The screenshot is kept under
 * test/artifacts/console/timeline-sequence.png.
 */

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('the timeline page draws the sequence diagram', () => {
  it('names the flow decision, both queues and both agents in order, and offers the Mermaid text', {
    timeout: 30_000,
  }, async () => {
    const emu = await startEmulator();
    const alda = emu.agent('Alda Moore');
    const dena = emu.agent('Dena Lakin');
    await alda.goOnQueue();
    await dena.goOnQueue();
    const { id } = emu.customers.start({
      deploymentId: emu.fixture.deployments.messenger[0]!.id,
      attributes: { QueueName: 'Sports Support' },
      text: 'My racket string broke',
    });
    await alda.nextAlert();
    await alda.answer();
    await alda.say('Hi, Alda here: shoes know more about that');
    await alda.transferToQueue('Shoes Support');
    await dena.nextAlert();
    await dena.answer();
    await dena.say('Dena from Shoes, let us fix it');
    await dena.disconnect();
    await dena.wrapUp('Resolved');

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(5_000);
    try {
      const page = await context.newPage();
      const errors = watchErrors(page, 'timeline');
      const transferred = trackTransfer(page);
      await page.goto(`${emu.url}/console/timeline?conversationId=${id}`);
      const diagram = page.locator('#sequence svg.sequence');
      await diagram.waitFor();

      const actors = await diagram.locator('g.actor title').allTextContents();
      expect(actors).toEqual([
        'Customer (bot bridge)',
        'Flow Bot Handoff Message Flow',
        'Queue Sports Support',
        'Alda Moore',
        'Queue Shoes Support',
        'Dena Lakin',
      ]);
      // Every step in drawing order as "from->to: label" (a note is over one actor).
      const steps = await diagram
        .locator('g.step')
        .evaluateAll((gs) =>
          gs.map(
            (g) =>
              `${g.getAttribute('data-from')}->${g.getAttribute('data-to')}: ${[...g.querySelectorAll('text:not(.time)')].map((t) => t.textContent).join(' ')}`,
          ),
        );
      const order = [
        'customer->flow1: runs the inbound flow',
        'flow1->flow1: reads QueueName = "Sports Support"',
        'flow1->q1: transfers to Sports Support',
        'q1->a1: alerts (answer within 30 s)',
        'a1->customer: answers',
        'a1->customer: Hi, Alda here: shoes know more about that',
        'a1->q2: blind transfer',
        'q2->a2: alerts (answer within 30 s)',
        'a2->customer: answers',
        'a2->customer: Dena from Shoes, let us fix it',
        'a2->customer: disconnects (client)',
      ];
      let at = -1;
      for (const wanted of order) {
        const found = steps.findIndex((s, i) => i > at && s === wanted);
        expect(found, `"${wanted}" after step ${at} of\n${steps.join('\n')}`).toBeGreaterThan(at);
        at = found;
      }
      // Emulator times in the margin; the Mermaid text is the control plane's, byte for byte.
      expect(await diagram.locator('text.time').first().textContent()).toMatch(/^09:00:00\.\d{3}$/);
      const mermaid = await (await fetch(`${emu.url}/__emulator/conversations/${id}/sequence`)).text();
      expect(await page.locator('#mermaid').textContent()).toBe(mermaid);
      expect(mermaid).toBe(emu.sequence(id).mermaid);

      const path = await screenshot(page, 'timeline-sequence');
      const { bytes } = await transferred();
      writeFileSync(
        join(ARTIFACTS, 'timeline-sequence.json'),
        `${JSON.stringify({ screenshot: path, firstLoadBytes: bytes, steps: steps.length }, null, 2)}\n`,
      );
      expect(bytes).toBeLessThan(100 * 1024);
      expectNoPageErrors(errors);
    } finally {
      await context.close();
    }
  });
});
