import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { SCREENSHOT_DIR } from '../support/console-env';

/** What every console page has: the header, the signed-in user, screenshots. */
export class ConsolePage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 1 });
  }

  get currentUser(): Locator {
    return this.page.getByTestId('current-user');
  }

  async screenshot(name: string, options: { fullPage?: boolean } = {}): Promise<string> {
    const file = path.join(SCREENSHOT_DIR, `${name}.png`);
    await this.page.screenshot({ path: file, fullPage: options.fullPage ?? true });
    return file;
  }

  /**
   * Form controls and buttons a screen reader could not name (no label, aria-label, aria-labelledby
   * or text), described by tag, id and data-path.
   */
  async unnamedControls(): Promise<string[]> {
    return this.page.evaluate<string[]>(`[...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby') && !(el.tagName === 'BUTTON' && el.textContent.trim()))
      .map((el) => el.tagName.toLowerCase() + '#' + (el.id || '') + '[' + (el.getAttribute('data-path') || '') + ']')`);
  }

  /** Waits until no "Loading…" status is on screen. */
  async settled(): Promise<void> {
    await this.page.waitForFunction("!document.querySelector('.state.loading')", undefined, { timeout: 20_000 });
  }
}
