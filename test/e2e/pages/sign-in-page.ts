import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../support/console-env';
import { ConsolePage } from './base-page';

export class SignInPage extends ConsolePage {
  static async open(page: Page): Promise<SignInPage> {
    await page.goto('/sign-in');
    return new SignInPage(page);
  }

  async signIn(email: string, password = DEMO_PASSWORD): Promise<void> {
    await this.page.getByLabel('E-mail').fill(email);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
    await this.currentUser.waitFor();
  }
}
