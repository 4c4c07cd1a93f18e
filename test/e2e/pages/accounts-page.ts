import type { Locator, Page } from 'playwright-core';
import { ConsolePage } from './base-page';

export class AccountsPage extends ConsolePage {
  static async open(page: Page, query = ''): Promise<AccountsPage> {
    await page.goto(`/accounts${query}`);
    const accounts = new AccountsPage(page);
    await accounts.table.waitFor();
    return accounts;
  }

  get table(): Locator {
    return this.page.getByTestId('accounts-table');
  }

  get count(): Locator {
    return this.page.getByTestId('account-count');
  }

  /** Each shown account's name (its link text) and score, top down. */
  async rows(): Promise<Array<{ name: string; score: number | null }>> {
    const rows = this.table.getByTestId('account-row');
    const shown: Array<{ name: string; score: number | null }> = [];
    for (const row of await rows.all()) {
      const name = (await row.getByRole('link').first().textContent()) ?? '';
      const score = (await row.getByTestId('account-score').textContent()) ?? '';
      shown.push({ name: name.trim(), score: /^\d+$/.test(score.trim()) ? Number(score.trim()) : null });
    }
    return shown;
  }

  committeeOf(name: string): Locator {
    return this.table.getByTestId('account-row').filter({ hasText: name }).getByTestId('buying-committee');
  }

  async openAccount(name: string): Promise<AccountPage> {
    await this.table.getByRole('link', { name, exact: true }).first().click();
    const account = new AccountPage(this.page);
    await account.contacts.waitFor();
    return account;
  }
}

export class AccountPage extends ConsolePage {
  static async open(page: Page, id: string): Promise<AccountPage> {
    await page.goto(`/accounts/${id}`);
    const account = new AccountPage(page);
    await account.contacts.waitFor();
    return account;
  }

  get score(): Locator {
    return this.page.getByTestId('account-score');
  }

  get contacts(): Locator {
    return this.page.getByTestId('account-contacts');
  }

  get reasons(): Locator {
    return this.page.getByTestId('account-reasons');
  }

  get history(): Locator {
    return this.page.getByTestId('account-history');
  }
}

/** The score model picker of a view (leads list, accounts list, backtests), by its label. */
export class ModelSwitcher {
  constructor(
    readonly page: Page,
    readonly id: string,
  ) {}

  get select(): Locator {
    return this.page.locator(`select#${this.id}`);
  }

  async choose(modelName: string): Promise<void> {
    const option = this.select.locator('option').filter({ hasText: modelName });
    await this.select.selectOption((await option.first().getAttribute('value')) ?? '');
  }
}

/** The backtest page of a rule set of an account model: the model picker and the run over accounts. */
export class AccountBacktestPage extends ConsolePage {
  static async open(page: Page, ruleSetKey: string, versionId: string): Promise<AccountBacktestPage> {
    await page.goto(`/rule-sets/${encodeURIComponent(ruleSetKey)}/versions/${versionId}/backtest`);
    const backtest = new AccountBacktestPage(page);
    await backtest.picker.waitFor();
    return backtest;
  }

  get picker(): Locator {
    return this.page.getByTestId('backtest-model-picker');
  }

  /** Runs a backtest over the accounts of the leads created in a period (YYYY-MM-DD, the end excluded). */
  async runOnPeriod(createdFrom: string, createdTo: string): Promise<void> {
    await this.page.getByLabel('Accounts of the leads', { exact: true }).selectOption({ label: 'Leads created in a period' });
    await this.page.getByLabel('Created from').fill(createdFrom);
    await this.page.getByLabel('Until (excluded)').fill(createdTo);
    await this.page.getByRole('button', { name: 'Run backtest' }).click();
    await this.page.waitForURL(/\/backtest\?run=\d+/);
    await this.results.waitFor({ timeout: 60_000 });
  }

  get results(): Locator {
    return this.page.getByTestId('backtest-results');
  }

  get auc(): Locator {
    return this.page.getByTestId('backtest-auc');
  }
}
