// What the browser tests share: the server's address, the demo tenant, a browser, fresh
// contexts and signing in through the form. `.ci/e2e.sh` starts the server and sets
// PORTAL_E2E_BASE; each test file launches its own browser with `launch()`.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

export const BASE = process.env.PORTAL_E2E_BASE ?? "http://127.0.0.1:8080";
export const TENANT = `${BASE}/northwind`;
export const PASSWORD = "northwind-demo-portal";
export const SHOTS = process.env.PORTAL_E2E_SCREENSHOTS ?? "../target/e2e";
export const WIDTHS = { desktop: 1280, phone: 390 };

/** Chromium, headless, as the CI runs it. */
export async function launch() {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/** A fresh browser context (its own cookies) at `width`, English unless told. */
export async function newPage(browser, width, locale = "en-GB") {
  const context = await browser.newContext({
    viewport: { width, height: 900 },
    locale,
  });
  return context.newPage();
}

/** Signs in through the form, as a person would, and lands on the overview. */
export async function signIn(tab, email) {
  const response = await tab.goto(`${TENANT}/`);
  assert.equal(response.status(), 200);
  assert.match(tab.url(), /\/northwind\/login$/, "a page without a session sends to sign-in");
  await tab.getByLabel(/email/i).fill(email);
  await tab.getByLabel(/password/i).fill(PASSWORD);
  await Promise.all([
    tab.waitForURL(`${TENANT}/`),
    tab.getByRole("button", { name: "Sign in", exact: true }).click(),
  ]);
}
