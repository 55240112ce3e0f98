// A line protocol over stdin/stdout so a JUnit test can drive a real browser step by step and check
// phones and tones in between: one JSON command per line in, one JSON answer per line out
// ({"ok":true,"value":...} or {"ok":false,"error":"..."}). Chromium is Debian's, never downloaded.
import { chromium } from 'playwright-core';
import { createInterface } from 'node:readline';

const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
const pages = new Map();
const TIMEOUT = Number(process.env.STEP_TIMEOUT_MS ?? 20000);

function page(name) {
  const p = pages.get(name ?? 'main');
  if (!p) throw new Error(`no page ${name}`);
  return p;
}

const ops = {
  async open({ page: name = 'main', url, width = 1280, height = 900 }) {
    const context = await browser.newContext({ viewport: { width, height } });
    const p = await context.newPage();
    p.setDefaultTimeout(TIMEOUT);
    const logs = [];
    p.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
    p.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    p.logs = logs;
    pages.set(name, p);
    await p.goto(url);
    return null;
  },
  async viewport({ page: name, width, height }) { await page(name).setViewportSize({ width, height }); return null; },
  async fill({ page: name, sel, value }) { await page(name).locator(sel).fill(value); return null; },
  async select({ page: name, sel, label }) { await page(name).locator(sel).selectOption({ label }); return null; },
  async click({ page: name, sel }) { await page(name).locator(sel).click(); return null; },
  async press({ page: name, key }) { await page(name).keyboard.press(key); return null; },
  async type({ page: name, text }) { await page(name).keyboard.type(text); return null; },
  async focus({ page: name, sel }) { await page(name).locator(sel).focus(); return null; },
  async attr({ page: name, sel, attr }) { return page(name).locator(sel).first().getAttribute(attr); },
  async focused({ page: name }) {
    return page(name).evaluate(() => {
      const e = document.activeElement;
      return e ? `${e.tagName.toLowerCase()}|${e.textContent.trim()}|${e.getAttribute('aria-label') ?? ''}` : '';
    });
  },
  async waitFor({ page: name, sel, state = 'visible', timeout = TIMEOUT }) {
    await page(name).locator(sel).first().waitFor({ state, timeout });
    return null;
  },
  async waitText({ page: name, sel, text, timeout = TIMEOUT }) {
    const p = page(name);
    const deadline = Date.now() + timeout;
    let last = '';
    while (Date.now() < deadline) {
      last = (await p.locator(sel).allInnerTexts()).join('\n');
      if (last.includes(text)) return last;
      await p.waitForTimeout(100);
    }
    throw new Error(`'${text}' not in ${sel} within ${timeout} ms; last: ${JSON.stringify(last)}`);
  },
  async count({ page: name, sel }) { return page(name).locator(sel).count(); },
  async texts({ page: name, sel }) { return page(name).locator(sel).allInnerTexts(); },
  async shot({ page: name, path, full = true }) { await page(name).screenshot({ path, fullPage: full }); return null; },
  async logs({ page: name }) { return page(name).logs; },
  /** A request the page's own code would never send, with the page's signed-in token. */
  async forge({ page: name, method, path, body }) {
    return page(name).evaluate(async ({ method, path, body }) => {
      const r = await fetch(path, {
        method,
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${sessionStorage.getItem('callsup.console.token')}` },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: r.status, body: await r.text() };
    }, { method, path, body });
  },
  /** Cuts the page's network (offline) or restores it: the event stream's reconnect state. */
  async offline({ page: name, value }) { await page(name).context().setOffline(value); return null; },
  async close() { await browser.close(); process.exit(0); },
};

process.stdout.write(JSON.stringify({ ok: true, value: 'ready' }) + '\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  let answer;
  try {
    const cmd = JSON.parse(line);
    const op = ops[cmd.op];
    if (!op) throw new Error(`unknown op ${cmd.op}`);
    answer = { ok: true, value: (await op(cmd)) ?? null };
  } catch (e) {
    answer = { ok: false, error: String(e?.message ?? e) };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}
await browser.close();
