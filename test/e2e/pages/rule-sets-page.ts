import type { Locator, Page } from 'playwright-core';
import { ConsolePage } from './base-page';
import { EditorPage } from './editor-page';

export class RuleSetsPage extends ConsolePage {
  static async open(page: Page): Promise<RuleSetsPage> {
    await page.goto('/rule-sets');
    const list = new RuleSetsPage(page);
    await list.table.waitFor();
    return list;
  }

  get table(): Locator {
    return this.page.getByTestId('rule-sets-table');
  }

  async openRuleSet(name: string): Promise<RuleSetPage> {
    await this.table.getByRole('link', { name }).click();
    const ruleSet = new RuleSetPage(this.page);
    await ruleSet.versions.waitFor();
    return ruleSet;
  }
}

export class RuleSetPage extends ConsolePage {
  static async open(page: Page, key: string): Promise<RuleSetPage> {
    await page.goto(`/rule-sets/${key}`);
    const ruleSet = new RuleSetPage(page);
    await ruleSet.versions.waitFor();
    return ruleSet;
  }

  get versions(): Locator {
    return this.page.getByTestId('versions-table');
  }

  get diffSummary(): Locator {
    return this.page.getByTestId('diff-summary');
  }

  async newDraft(): Promise<EditorPage> {
    await this.page.getByRole('button', { name: 'New draft from the active version' }).click();
    await this.page.waitForURL(/\/versions\/\d+$/);
    const editor = new EditorPage(this.page);
    await editor.ready();
    return editor;
  }

  /** Opens the active version (read-only) from the versions table. */
  async openActiveVersion(): Promise<EditorPage> {
    const row = this.versions.getByRole('row').filter({ has: this.page.locator('.badge', { hasText: /^active$/ }) });
    await row.getByRole('link', { name: /^v\d+$/ }).click();
    await this.page.waitForURL(/\/versions\/\d+$/);
    const editor = new EditorPage(this.page);
    await editor.ready();
    return editor;
  }

  async compare(fromLabel: string, toLabel: string): Promise<void> {
    await this.page.getByLabel('From').selectOption({ label: fromLabel });
    await this.page.getByLabel('To').selectOption({ label: toLabel });
    await this.diffSummary.waitFor();
  }
}
