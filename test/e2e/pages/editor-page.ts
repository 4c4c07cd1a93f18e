import type { Locator } from 'playwright-core';
import { ConsolePage } from './base-page';
import { BacktestPage } from './backtest-page';
import { ReviewPage } from './review-page';

/** The draft editor: rule builder, sections, JSON mode, and the simulate panel beside it. */
export class EditorPage extends ConsolePage {
  async ready(): Promise<void> {
    await this.page.getByRole('tablist', { name: 'Rule set sections' }).waitFor();
  }

  get versionId(): string {
    return /\/versions\/(\d+)/.exec(this.page.url())?.[1] ?? '';
  }

  /** The card of a rule, found by its name (e.g. fit-target-industry); opens it. */
  async rule(name: string): Promise<RuleCard> {
    await this.page.getByLabel('Filter rules').fill(name);
    const card = this.page.getByTestId('rule-card').filter({ hasText: name }).first();
    if ((await card.getAttribute('open')) === null) await card.locator('summary').click();
    await card.getByLabel('Points').waitFor();
    return new RuleCard(card);
  }

  get saveState(): Locator {
    return this.page.getByTestId('save-state');
  }

  get validationState(): Locator {
    return this.page.getByTestId('validation-state');
  }

  get problemSummary(): Locator {
    return this.page.getByTestId('problem-summary');
  }

  async tab(name: string): Promise<void> {
    await this.page.getByRole('tab', { name }).click();
  }

  /** The element that has the keyboard focus, described by its data-path, test id, or text. */
  async focused(): Promise<{ path: string | null; text: string; id: string }> {
    return this.page.evaluate<{ path: string | null; text: string; id: string }>(`(() => {
      const element = document.activeElement;
      return { path: element?.getAttribute('data-path') ?? null, text: (element?.textContent ?? '').trim(), id: element?.id ?? '' };
    })()`);
  }

  /** The notice after a removal, with its Undo button. */
  get undoRemoval(): Locator {
    return this.page.getByTestId('undo-removal');
  }

  /** The JSON mode's code editor (CodeMirror). */
  get codeEditor(): Locator {
    return this.page.getByTestId('json-code-editor');
  }

  /** Types `text` on a new line right after the opening brace of the JSON document. */
  async typeAtJsonStart(text: string): Promise<void> {
    await this.codeEditor.locator('.cm-content').click();
    await this.page.keyboard.press('Control+Home');
    await this.page.keyboard.press('End');
    await this.page.keyboard.press('Enter');
    await this.page.keyboard.type(text);
  }

  async save(): Promise<void> {
    await this.page.getByRole('button', { name: 'Save draft' }).click();
    await this.page.getByText(/Saved: revision \d+/).waitFor();
  }

  /** Saves expecting someone else's save in between: the conflict panel shows instead. */
  async saveIntoConflict(): Promise<Locator> {
    await this.page.getByRole('button', { name: 'Save draft' }).click();
    const conflict = this.page.getByTestId('conflict');
    await conflict.waitFor();
    return conflict;
  }

  async mergeConflict(): Promise<void> {
    await this.page.getByRole('button', { name: 'Merge: apply my changes to theirs' }).click();
    await this.page.getByText(/applied on top of revision \d+/).waitFor();
  }

  // Simulation
  get simulation(): Locator {
    return this.page.getByTestId('simulation-result');
  }

  async simulateLead(search: string): Promise<void> {
    await this.page.getByLabel('Find a lead by e-mail or id').fill(search);
    await this.page.locator('#sim-lead-results button').first().click();
    await this.simulation.waitFor({ timeout: 20_000 });
  }

  async simulatedTotals(): Promise<{ candidate: number; active: number }> {
    const candidate = await this.page.getByTestId('sim-candidate').getByTestId('sim-total').textContent();
    const active = await this.page.getByTestId('sim-active').getByTestId('sim-total').textContent();
    return { candidate: Number(candidate), active: Number(active) };
  }

  /** One click: backtests this draft on the last cohort against the active version. */
  async runBacktest(): Promise<BacktestPage> {
    await this.page.getByRole('button', { name: 'Run backtest' }).click();
    await this.page.waitForURL(/\/backtest\?run=\d+/);
    const backtest = new BacktestPage(this.page);
    await backtest.results();
    return backtest;
  }

  async openReview(): Promise<ReviewPage> {
    await this.page.getByRole('link', { name: 'Review & publish' }).click();
    const review = new ReviewPage(this.page);
    await review.ready();
    return review;
  }
}

export class RuleCard {
  constructor(readonly card: Locator) {}

  get points(): Locator {
    return this.card.getByLabel('Points');
  }

  /** The problem messages shown under the points field. */
  get pointsProblems(): Locator {
    return this.card.locator('[id$="-problems"]').filter({ has: this.card.page().locator('.field-error') });
  }

  async setPoints(points: number | string): Promise<void> {
    await this.points.fill(String(points));
  }

  /** The value picker (combobox) of the rule's n-th condition that has one. */
  picker(name: 'Values' | 'Value' = 'Values', nth = 0): Locator {
    return this.card.getByRole('combobox', { name }).nth(nth);
  }

  /** The values chosen in the rule's n-th picker. */
  chosen(name: 'Values' | 'Value' = 'Values', nth = 0): Locator {
    return this.card
      .getByRole('list', { name: `${name}: chosen` })
      .nth(nth)
      .getByRole('listitem');
  }

  /** The chosen values as text (without their remove buttons). */
  async chosenValues(name: 'Values' | 'Value' = 'Values', nth = 0): Promise<string[]> {
    return (await this.chosen(name, nth).allTextContents()).map((text) => text.replace('✕', '').trim());
  }
}
