import { existsSync } from 'node:fs';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

/**
 * The Agents Playground in headless Chromium (Debian's, no browser download), driven as a user
 * would: the message box, buttons by their names, radio choices, the chat list.
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchBrowser(userDataDir: string): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH.`);
  return chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1400, height: 1000 } });
}

export class Playground {
  constructor(
    readonly page: Page,
    private readonly stepTimeoutMs = 45_000,
  ) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url, { waitUntil: 'domcontentloaded', timeout: this.stepTimeoutMs });
    await this.editor().waitFor({ state: 'visible', timeout: 60_000 });
  }

  /** The message box is a Lexical editor. */
  editor(): Locator {
    return this.page.locator('[data-lexical-editor="true"]');
  }

  async say(text: string): Promise<void> {
    await this.editor().click();
    await this.page.keyboard.type(text);
    await this.page.keyboard.press('Enter');
  }

  /** The newest button with this name (cards pile up; the newest is last). */
  button(name: string): Locator {
    return this.page.getByRole('button', { name, exact: true }).last();
  }

  async click(name: string): Promise<void> {
    await this.button(name).click({ timeout: this.stepTimeoutMs });
  }

  async choose(option: string): Promise<void> {
    await this.page.getByRole('radio', { name: option, exact: true }).last().check({ timeout: this.stepTimeoutMs });
  }

  async openChat(name: string): Promise<void> {
    await this.page.getByText(name, { exact: true }).first().click({ timeout: this.stepTimeoutMs });
  }

  count(text: string | RegExp): Promise<number> {
    return this.page.getByText(text).count();
  }

  /** Does `act`, then waits until one more element shows `text` than before (a new card or an updated one). */
  async expectNew(text: string | RegExp, act: () => Promise<void>, timeoutMs = this.stepTimeoutMs): Promise<void> {
    const before = await this.count(text);
    await act();
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await this.count(text)) > before) return;
      await this.page.waitForTimeout(200);
    }
    throw new Error(`waited ${Math.round(timeoutMs / 1000)} s for "${String(text)}" to appear (${before} before)`);
  }
}
