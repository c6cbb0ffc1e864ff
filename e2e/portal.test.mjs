// Browser tests of the portal pages: Chromium, driven by playwright-core, against the example
// server with its seeded demo tenant. `.ci/e2e.sh` starts the server and sets PORTAL_E2E_BASE.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

const BASE = process.env.PORTAL_E2E_BASE ?? "http://127.0.0.1:8080";
const TENANT = `${BASE}/northwind`;
const PASSWORD = "northwind-demo-portal";
const SHOTS = process.env.PORTAL_E2E_SCREENSHOTS ?? "../target/e2e";
const WIDTHS = { desktop: 1280, phone: 390 };

let browser;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
});

after(async () => {
  await browser?.close();
});

/** A fresh browser context (its own cookies) at `width`, German or English. */
async function page(width, locale = "en-GB") {
  const context = await browser.newContext({
    viewport: { width, height: 900 },
    locale,
  });
  return context.newPage();
}

/** Signs in through the form, as a person would, and lands on the overview. */
async function signIn(tab, email) {
  const response = await tab.goto(`${TENANT}/`);
  assert.equal(response.status(), 200);
  assert.match(tab.url(), /\/northwind\/login$/, "a page without a session sends to sign-in");
  await tab.getByLabel(/email/i).fill(email);
  await tab.getByLabel(/password/i).fill(PASSWORD);
  await Promise.all([tab.waitForURL(`${TENANT}/`), tab.getByRole("button", { name: /sign in/i }).click()]);
}

test("an approver signs in and sees what waits for their decision", async () => {
  for (const [name, width] of Object.entries(WIDTHS)) {
    const tab = await page(width);
    await tab.goto(`${TENANT}/login`);
    await tab.screenshot({ path: `${SHOTS}/login-${width}.png`, fullPage: true });
    await signIn(tab, "james@acme.example");
    await tab.getByRole("heading", { name: "Hello, James Porter" }).waitFor();
    const waiting = tab.getByRole("region", { name: "Waiting for a decision" });
    await assert.doesNotReject(waiting.waitFor(), "the pending approval is on the overview");
    assert.match(await waiting.innerText(), /Your decision/);
    assert.equal(await tab.getByRole("region", { name: "Open invoices" }).count(), 0,
      "an approver sees no invoices");
    await tab.screenshot({ path: `${SHOTS}/dashboard-approver-${name}-${width}.png`, fullPage: true });
    await tab.context().close();
  }
});

test("a finance contact sees open invoices and a viewer does not", async () => {
  const finance = await page(WIDTHS.desktop);
  await signIn(finance, "olivia@acme.example");
  const invoices = finance.getByRole("region", { name: "Open invoices" });
  await invoices.waitFor();
  assert.match(await invoices.innerText(), /NW-\d+/);
  await finance.context().close();

  const viewer = await page(WIDTHS.phone);
  await signIn(viewer, "ben@acme.example");
  await viewer.getByRole("heading", { name: "Hello, Ben Hughes" }).waitFor();
  assert.equal(await viewer.getByRole("region", { name: "Open invoices" }).count(), 0);
  await viewer.context().close();
});

test("the pages speak German to a German browser", async () => {
  const tab = await page(WIDTHS.desktop, "de-DE");
  await tab.goto(`${TENANT}/login`);
  await tab.getByRole("button", { name: "Anmelden" }).waitFor();
  await tab.context().close();
});

test("an unknown or foreign address gets the tenant's branded 404", async () => {
  const tab = await page(WIDTHS.phone);
  await signIn(tab, "james@acme.example");
  const response = await tab.goto(`${TENANT}/projects/0190f5c2-0000-7000-8000-000000000000`);
  assert.equal(response.status(), 404);
  assert.match(await tab.title(), /Northwind Studio/);
  await tab.getByRole("link", { name: /overview|home/i }).waitFor();
  await tab.screenshot({ path: `${SHOTS}/not-found-${WIDTHS.phone}.png`, fullPage: true });
  await tab.context().close();
});

test("signing out ends the session", async () => {
  const tab = await page(WIDTHS.desktop);
  await signIn(tab, "james@acme.example");
  await Promise.all([
    tab.waitForURL(`${TENANT}/login`),
    tab.getByRole("button", { name: /sign out/i }).click(),
  ]);
  await tab.goto(`${TENANT}/`);
  assert.match(tab.url(), /\/northwind\/login$/);
  await tab.context().close();
});
