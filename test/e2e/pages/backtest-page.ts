import type { Locator } from 'playwright-core';
import { ConsolePage } from './base-page';
import { ReviewPage } from './review-page';

/** A backtest's results: metrics, ROC curve, band and decile charts, the cell heat map, rules. */
export class BacktestPage extends ConsolePage {
  /** Runs a backtest of leads created in a period (dates as YYYY-MM-DD, the end excluded). */
  async runOnPeriod(createdFrom: string, createdTo: string): Promise<void> {
    await this.page.getByLabel('Leads', { exact: true }).selectOption({ label: 'Leads created in a period' });
    await this.page.getByLabel('Created from').fill(createdFrom);
    await this.page.getByLabel('Until (excluded)').fill(createdTo);
    await this.page.getByRole('button', { name: 'Run backtest' }).click();
    await this.page.waitForURL(/\/backtest\?run=\d+/);
    await this.results();
  }

  async results(): Promise<void> {
    await this.page.getByTestId('backtest-results').waitFor({ timeout: 60_000 });
  }

  get auc(): Locator {
    return this.page.getByTestId('backtest-auc');
  }

  chart(name: 'roc-chart' | 'band-chart' | 'decile-chart'): Locator {
    return this.page.getByTestId(name);
  }

  /** The drawn data of a chart (recharts renders curves and bars as SVG paths). */
  marks(name: 'roc-chart' | 'band-chart' | 'decile-chart'): Locator {
    return this.chart(name).locator('.recharts-line-curve, .recharts-bar-rectangle');
  }

  get heatMapCells(): Locator {
    return this.page.getByTestId('heat-map').locator('td[data-cell]');
  }

  get rules(): Locator {
    return this.page.getByTestId('backtest-rules');
  }

  /** The fitted suggestions: holdout AUCs, candidate rules and the Apply button. */
  get suggestions(): Locator {
    return this.page.getByTestId('backtest-suggestions');
  }

  get holdoutAucSuggested(): Locator {
    return this.page.getByTestId('holdout-auc-suggested');
  }

  /** The ± margins of the fitted points in the rules table. */
  get margins(): Locator {
    return this.rules.locator('td.num span.muted', { hasText: /^\s*±\d+$/ });
  }

  /** Applies the fitted points as a new draft, qualifying today's share of leads; lands on its review. */
  async applyKeepingMqlShare(): Promise<ReviewPage> {
    await this.suggestions.getByLabel('Threshold target').selectOption({ label: 'today’s share of leads' });
    await this.suggestions.getByRole('button', { name: 'Apply as a new draft' }).click();
    await this.page.waitForURL(/\/versions\/\d+\/review$/);
    const review = new ReviewPage(this.page);
    await review.ready();
    return review;
  }

  async openReview(): Promise<ReviewPage> {
    await this.page.getByRole('link', { name: 'Review & publish' }).click();
    const review = new ReviewPage(this.page);
    await review.ready();
    return review;
  }
}
