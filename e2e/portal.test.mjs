// Browser tests of the sign-in and the overview: Chromium, driven by playwright-core, against the
// example server with its seeded demo tenant.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { TENANT, SHOTS, WIDTHS, launch, newPage, signIn } from "./support.mjs";

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** A fresh browser context at `width`. */
const page = (width, locale) => newPage(browser, width, locale);

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
  await tab.getByRole("button", { name: "Anmelden", exact: true }).waitFor();
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
