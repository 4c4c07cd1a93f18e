import type { Download, Locator, Page } from 'playwright-core';

/** The saved-lists bar of the leads view (console/src/features/lists/lists-bar.tsx). */
export class ListsBar {
  constructor(readonly page: Page) {}

  get root(): Locator {
    return this.page.getByTestId('lists-bar');
  }

  get picker(): Locator {
    return this.page.getByLabel('Saved list');
  }

  /** Saves what the view shows as a list and waits until the view shows that list. */
  async saveAs(name: string): Promise<void> {
    await this.root.getByRole('button', { name: 'Save as list…' }).click();
    await this.page.getByLabel('List name').fill(name);
    await this.root.getByRole('button', { name: 'Save list' }).click();
    await this.page.waitForURL(/\/leads\?list=\d+$/);
    await this.root.getByText(`Showing “${name}”`).waitFor();
  }

  /** Clicks "Export CSV" and answers the browser's download. */
  async exportCsv(): Promise<Download> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.root.getByTestId('export-csv').click()]);
    return download;
  }
}
