import type { Locator, Page } from 'playwright-core';
import { ConsolePage } from './base-page';

export class LeadsPage extends ConsolePage {
  static async open(page: Page, query = ''): Promise<LeadsPage> {
    await page.goto(`/leads${query}`);
    const leads = new LeadsPage(page);
    await leads.table.waitFor();
    return leads;
  }

  get table(): Locator {
    return this.page.getByTestId('leads-table');
  }

  get count(): Locator {
    return this.page.getByTestId('lead-count');
  }

  async toggleCell(cell: string): Promise<void> {
    await this.page.getByRole('button', { name: `Cell ${cell}`, exact: true }).click();
  }

  async openLead(text: string): Promise<LeadPage> {
    // Leads are listed by name: the row holding the text (an e-mail, a company) has the link.
    await this.table.getByRole('row').filter({ hasText: text }).getByRole('link').first().click();
    const lead = new LeadPage(this.page);
    await lead.score.waitFor();
    return lead;
  }
}

export class LeadPage extends ConsolePage {
  static async open(page: Page, id: string): Promise<LeadPage> {
    await page.goto(`/leads/${id}`);
    const lead = new LeadPage(page);
    await lead.score.waitFor();
    return lead;
  }

  get score(): Locator {
    return this.page.getByTestId('lead-score');
  }

  get ruleSetVersion(): Locator {
    return this.page.getByTestId('lead-ruleset-version');
  }

  get conversionProbability(): Locator {
    return this.page.getByTestId('lead-conversion-probability');
  }

  get reasons(): Locator {
    return this.page.getByTestId('reasons');
  }

  get timeline(): Locator {
    return this.page.getByTestId('activity-timeline');
  }

  get historyChart(): Locator {
    return this.page.getByRole('img', { name: /Score history/ });
  }
}
