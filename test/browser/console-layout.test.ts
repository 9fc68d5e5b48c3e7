import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../support/emulators.ts';
import { expectNoPageErrors, launchChromium, screenshot, watchErrors } from './chromium.ts';

/**
 * What the console shows must fit the window: nothing cut off, nothing wider than the page. Measured in
 * a real browser at a narrow (420 px) and a desktop (1280 px) width: the agent picker before sign-in,
 * the customer page's deployment picker and its custom attribute inputs with real values in them.
 */

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function pageAt(width: number): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 800 } });
  context.setDefaultTimeout(5_000);
  return context.newPage();
}

/** How far the page is wider than the window, and how far the element sticks out of it (px). */
async function overflow(page: Page, selector: string): Promise<{ page: number; element: number }> {
  return (await page.evaluate(`(() => {
    const el = document.querySelector(${JSON.stringify(selector)});
    return {
      page: document.documentElement.scrollWidth - window.innerWidth,
      element: Math.max(0, Math.ceil(el.getBoundingClientRect().right - window.innerWidth)),
    };
  })()`)) as { page: number; element: number };
}

/**
 * Pixels of text an input or a select cannot show: the text's width (measured with the control's own
 * font) minus the room inside the control (a select also keeps room for its arrow).
 */
async function hiddenTextPx(page: Page, selector: string): Promise<number> {
  return (await page.evaluate(`(() => {
    const el = document.querySelector(${JSON.stringify(selector)});
    const style = getComputedStyle(el);
    const context = document.createElement('canvas').getContext('2d');
    context.font = style.font;
    const select = el instanceof HTMLSelectElement;
    const text = select ? (el.selectedOptions[0]?.text ?? '') : el.value;
    const room =
      el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - (select ? 24 : 0);
    return Math.max(0, Math.ceil(context.measureText(text).width - room));
  })()`)) as number;
}

describe('console layout', () => {
  it.each([420, 1280])(
    'nothing is cut off or wider than a %i px window',
    { timeout: 20_000 },
    async (width) => {
      const emulator = await startEmulator();
      const agent = await pageAt(width);
      const customer = await pageAt(width);
      try {
        const errors = [watchErrors(agent, 'agent'), watchErrors(customer, 'customer')];
        // The agent picker names each agent (their queues are said beside it): it fits, whole, in the page.
        await agent.goto(`${emulator.url}/console`);
        await agent.locator('#agent option').first().waitFor({ state: 'attached' });
        expect(await overflow(agent, '#agent')).toEqual({ page: 0, element: 0 });
        expect(await hiddenTextPx(agent, '#agent')).toBe(0);
        await agent.getByText('Queues: Grocery Support, Sports Support, General').waitFor();
        await screenshot(agent, `layout-agent-signin-${width}`);

        // The customer page with the attribute the default flow routes by, and a second one.
        await customer.goto(`${emulator.url}/console/customer`);
        await customer.locator('#deployment option').first().waitFor({ state: 'attached' });
        await customer.getByLabel('Attribute 1 value').fill('Grocery Support');
        await customer.getByRole('button', { name: 'Add attribute' }).click();
        await customer.getByLabel('Attribute 2 name').fill('customerSegment');
        await customer.getByLabel('Attribute 2 value').fill('Premium customer');
        expect(await overflow(customer, '#setup')).toEqual({ page: 0, element: 0 });
        for (const input of [
          '#deployment',
          '[aria-label="Attribute 1 name"]',
          '[aria-label="Attribute 1 value"]',
          '[aria-label="Attribute 2 name"]',
          '[aria-label="Attribute 2 value"]',
        ]) {
          expect(await hiddenTextPx(customer, input), `${input} at ${width} px`).toBe(0);
        }
        // The deployment's flow, once said inside the option, is said under the picker.
        await customer.getByText('Runs the flow Bot Handoff Message Flow.').waitFor();
        await screenshot(customer, `layout-customer-setup-${width}`);
        expectNoPageErrors(...errors);
      } finally {
        await agent.context().close();
        await customer.context().close();
      }
    },
  );
});
