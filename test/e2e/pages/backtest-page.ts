import type { Locator } from 'playwright-core';
import { ConsolePage } from './base-page';
import { ReviewPage } from './review-page';

/** A backtest's results: metrics, ROC curve, band and decile charts, the cell heat map, rules. */
export class BacktestPage extends ConsolePage {
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

  async openReview(): Promise<ReviewPage> {
    await this.page.getByRole('link', { name: 'Review & publish' }).click();
    const review = new ReviewPage(this.page);
    await review.ready();
    return review;
  }
}
