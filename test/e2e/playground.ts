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

/** A card action as the Playground sent it to the bot, and the bot's answer. */
export interface Invoke {
  request: { replyToId?: string; value?: { action?: { verb?: string; data?: Record<string, unknown> } } };
  response: { type?: string; value?: unknown };
}

export class Playground {
  /** Card actions (Action.Execute) in the order the page sent them. */
  readonly invokes: Invoke[] = [];

  constructor(
    readonly page: Page,
    private readonly stepTimeoutMs = 45_000,
  ) {
    page.on('requestfinished', (request) => {
      if (!new URL(request.url()).pathname.endsWith('/_conversation/v1/invoke')) return;
      void request
        .response()
        .then((response) => response?.json())
        .then((body) => this.invokes.push({ request: request.postDataJSON(), response: body ?? {} }))
        .catch(() => undefined);
    });
  }

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

  /** In a group chat the bot hears only messages that @mention it: the mention is picked from the typeahead. */
  async mention(botName: string, text: string): Promise<void> {
    await this.editor().click();
    await this.page.keyboard.type(`@${botName.slice(0, 2)}`);
    await this.page.getByRole('menuitem', { name: botName }).click({ timeout: this.stepTimeoutMs });
    await this.page.keyboard.type(` ${text}`);
    await this.page.keyboard.press('Enter');
  }

  /** Types into the newest input with this label (replacing what it held). */
  async fill(label: string, value: string): Promise<void> {
    // The label carries the required-field marker as well.
    await this.page.getByLabel(label).last().fill(value, { timeout: this.stepTimeoutMs });
  }

  /**
   * Sends an activity as the Playground's "Mock an Activity → Custom activity" does, e.g. a card
   * action by another member of the chat (the Playground has one signed-in user).
   */
  async sendCustomActivity(activity: object): Promise<void> {
    await this.page.getByText('Mock an Activity', { exact: true }).click({ timeout: this.stepTimeoutMs });
    await this.page.getByRole('menuitem', { name: 'Custom activity' }).click({ timeout: this.stepTimeoutMs });
    const editor = this.page.locator('.monaco-editor textarea').first();
    await editor.waitFor({ state: 'attached', timeout: this.stepTimeoutMs });
    await editor.focus();
    await this.page.keyboard.press('Control+A');
    await this.page.keyboard.press('Delete');
    // Pasted, not typed: the code editor would close brackets and quotes as they are typed.
    await this.page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await this.page.evaluate((text) => navigator.clipboard.writeText(text), JSON.stringify(activity));
    await this.page.keyboard.press('Control+V');
    await this.page.getByRole('button', { name: 'Send activity', exact: true }).click({ timeout: this.stepTimeoutMs });
  }

  /**
   * The card action with this verb on a card the bot returned to a card action sent after the
   * `after`-th one (see `invokes`), once the page has it; with the card's message id.
   */
  async actionInAnswer(verb: string, after: number): Promise<{ data: Record<string, unknown>; replyToId?: string }> {
    const deadline = Date.now() + this.stepTimeoutMs;
    while (Date.now() < deadline) {
      for (const invoke of this.invokes.slice(after).reverse()) {
        const card = invoke.response.value as { actions?: { verb?: string; data?: Record<string, unknown> }[] } | undefined;
        const found = card?.actions?.find((a) => a.verb === verb);
        if (found) return { data: found.data ?? {}, replyToId: invoke.request.replyToId };
      }
      await this.page.waitForTimeout(100);
    }
    throw new Error(`no card returned after card action ${after} offers ${verb}`);
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
