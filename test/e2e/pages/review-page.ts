import type { Locator, Page } from 'playwright-core';
import { ConsolePage } from './base-page';

/** Review and publish: the diff, the reviews, and the caller's next step. */
export class ReviewPage extends ConsolePage {
  static async open(page: Page, key: string, versionId: string): Promise<ReviewPage> {
    await page.goto(`/rule-sets/${key}/versions/${versionId}/review`);
    const review = new ReviewPage(page);
    await review.ready();
    return review;
  }

  async ready(): Promise<void> {
    await this.page.getByTestId('review-actions').waitFor();
  }

  get status(): Locator {
    return this.page.getByTestId('review-status');
  }

  get diffSummary(): Locator {
    return this.page.getByTestId('diff-summary');
  }

  get backtestComparison(): Locator {
    return this.page.getByTestId('backtest-comparison');
  }

  get versionId(): string {
    return /\/versions\/(\d+)/.exec(this.page.url())?.[1] ?? '';
  }

  /** For a version made from backtest suggestions: the holdout evidence card. */
  get evidence(): Locator {
    return this.page.getByTestId('version-evidence');
  }

  /** The held-out AUC of the active version and of this one, as shown. */
  async heldOutAuc(): Promise<{ active: string; draft: string }> {
    const cells = this.evidence
      .getByTestId('evidence-holdout')
      .getByRole('row')
      .filter({ has: this.page.getByRole('cell', { name: 'AUC', exact: true }) })
      .getByRole('cell');
    return { active: ((await cells.nth(1).textContent()) ?? '').trim(), draft: ((await cells.nth(2).textContent()) ?? '').trim() };
  }

  get actions(): Locator {
    return this.page.getByTestId('review-actions');
  }

  get reviews(): Locator {
    return this.page.getByTestId('reviews');
  }

  async submit(): Promise<void> {
    await this.actions.getByRole('button', { name: 'Submit for review' }).click();
    await this.actions.getByText('Submitted for review.').waitFor();
  }

  async approve(comment: string): Promise<void> {
    await this.actions.getByLabel(/Comment/).fill(comment);
    await this.actions.getByRole('button', { name: /^Approve as/ }).click();
    await this.actions.locator('.state.success, .state.error').first().waitFor();
  }

  get error(): Locator {
    return this.actions.locator('.state.error');
  }

  async publish(): Promise<void> {
    await this.actions.getByRole('button', { name: /^Publish v/ }).click();
    await this.page.getByTestId('rescore-progress').waitFor();
  }

  get progressBar(): Locator {
    return this.page.getByRole('progressbar', { name: 'Re-score progress' });
  }

  get rescoreStatus(): Locator {
    return this.page.getByTestId('rescore-status');
  }
}
