import type { Locator, Page } from 'playwright-core';
import { ConsolePage } from './base-page';

export class AuditLogPage extends ConsolePage {
  static async open(page: Page): Promise<AuditLogPage> {
    await page.goto('/audit');
    const audit = new AuditLogPage(page);
    await audit.table.waitFor();
    return audit;
  }

  get table(): Locator {
    return this.page.getByTestId('audit-table');
  }

  /** Filters by an action as the select names it (e.g. "Approved"); the list follows at once. */
  async filterByAction(label: string): Promise<void> {
    await this.page.getByLabel('Action').selectOption({ label });
  }

  /** The sentence of each entry shown ("admin@demo.local published v2 of default-b2b: ..."). */
  async sentences(): Promise<string[]> {
    return (await this.table.locator('.audit-sentence').allTextContents()).map((text) => text.trim());
  }
}

export class ApiKeysPage extends ConsolePage {
  static async open(page: Page): Promise<ApiKeysPage> {
    await page.goto('/api-keys');
    const keys = new ApiKeysPage(page);
    await keys.page.getByRole('heading', { name: 'New key' }).waitFor();
    return keys;
  }

  async create(name: string): Promise<string> {
    await this.page.getByLabel('Client app').fill(name);
    await this.page.getByRole('button', { name: 'Create key' }).click();
    const secret = this.page.getByTestId('api-key-secret').locator('.secret-box');
    await secret.waitFor();
    return (await secret.textContent()) ?? '';
  }

  get table(): Locator {
    return this.page.getByTestId('api-keys-table');
  }

  async revoke(name: string): Promise<void> {
    this.page.once('dialog', (dialog) => void dialog.accept());
    await this.table.getByRole('row').filter({ hasText: name }).getByRole('button', { name: 'Revoke' }).click();
    await this.table
      .getByRole('row')
      .filter({ hasText: name })
      .getByText(/revoked/)
      .waitFor();
  }
}
