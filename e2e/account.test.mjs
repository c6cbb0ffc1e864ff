// Browser tests of signing in without a password at hand and of the account page: a password
// reset end to end through the example server's mail folder, the account page at both widths,
// the second factor's setup page, and choosing German on the account page.
//
// They use leo@northwind.example, whom no other file signs in as with another password, and
// leave him as they found him (password `northwind-demo-portal`, language as the browser says,
// no second factor). `.ci/e2e.sh` passes the mail folder as PORTAL_E2E_MAIL.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { TENANT, PASSWORD, SHOTS, WIDTHS, launch, newPage } from "./support.mjs";

const MAIL = process.env.PORTAL_E2E_MAIL;
const LEO = "leo@northwind.example";
const TEMPORARY = "lantern orchard copper 1987";

let browser;

before(async () => {
  assert.ok(MAIL, "PORTAL_E2E_MAIL must name the example server's mail folder");
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** A fresh browser context at `width`. */
const page = (width, locale) => newPage(browser, width, locale);

/** The link of the newest password-reset mail to `to` written after `since` (ms). */
async function resetLink(to, since) {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const names = (await readdir(MAIL).catch(() => [])).filter((name) =>
      name.endsWith("-password-reset.txt"),
    );
    const fresh = [];
    for (const name of names) {
      const path = join(MAIL, name);
      const { mtimeMs } = await stat(path);
      const text = await readFile(path, "utf8");
      if (mtimeMs >= since && text.startsWith(`To: ${to}\n`)) fresh.push({ mtimeMs, text });
    }
    fresh.sort((a, b) => b.mtimeMs - a.mtimeMs);
    const link = fresh[0]?.text.match(/https?:\/\/\S+\/auth\/reset\?token=[\w-]+/)?.[0];
    if (link) return link;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no reset mail to ${to} in ${MAIL}`);
}

/** Signs in through the form with `password`. */
async function signInWith(tab, email, password) {
  await tab.goto(`${TENANT}/login`);
  await tab.getByLabel("Email address").fill(email);
  await tab.getByLabel("Password", { exact: true }).fill(password);
  await Promise.all([
    tab.waitForURL(`${TENANT}/`),
    tab.getByRole("button", { name: "Sign in", exact: true }).click(),
  ]);
}

/** Sets `email`'s password to `password` through a mailed reset link, as a person would. */
async function resetPassword(tab, email, password, shots = null) {
  await tab.goto(`${TENANT}/login`);
  await tab.getByRole("link", { name: "Forgot your password?" }).click();
  await tab.getByRole("heading", { name: "Reset your password" }).waitFor();
  if (shots) await tab.screenshot({ path: `${SHOTS}/reset-ask-${shots}.png`, fullPage: true });
  const since = Date.now() - 1000;
  await tab.getByLabel("Email address").fill(email);
  await Promise.all([
    tab.waitForURL(`${TENANT}/login/reset/sent`),
    tab.getByRole("button", { name: "Send the link" }).click(),
  ]);
  await tab.getByRole("heading", { name: "Check your email" }).waitFor();
  const link = await resetLink(email, since);
  await tab.goto(link);
  await tab.getByRole("heading", { name: "Choose a new password" }).waitFor();
  if (shots) await tab.screenshot({ path: `${SHOTS}/reset-form-${shots}.png`, fullPage: true });
  await tab.getByLabel("New password", { exact: true }).fill(password);
  await tab.getByLabel("New password again").fill(password);
  await Promise.all([
    tab.waitForURL(/\/login\?notice=notice-account-password-reset$/),
    tab.getByRole("button", { name: "Save the new password" }).click(),
  ]);
  await tab.getByText("Your new password is set.").waitFor();
}

test("a forgotten password is reset through the mailed link, then changed back", async () => {
  const tab = await page(WIDTHS.phone);
  let restored = false;
  try {
    // Forgotten: a link by mail, a new password, signed in with it.
    await resetPassword(tab, LEO, TEMPORARY, WIDTHS.phone);
    await signInWith(tab, LEO, TEMPORARY);

    // Back to the demo password on the account page: wrong input first, then right.
    await tab.goto(`${TENANT}/account`);
    await tab.getByRole("heading", { level: 1, name: "Your account" }).waitFor();
    await tab.getByLabel("Current password").fill(TEMPORARY);
    await tab.getByLabel("New password", { exact: true }).fill("short");
    await tab.getByLabel("New password again").fill("short");
    await tab.getByRole("button", { name: "Change password" }).click();
    await tab.getByText("Please use at least 12 characters.").waitFor();
    const field = tab.getByLabel("New password", { exact: true });
    assert.equal(await field.getAttribute("aria-invalid"), "true");
    await tab.getByLabel("Current password").fill(TEMPORARY);
    await field.fill(PASSWORD);
    await tab.getByLabel("New password again").fill(PASSWORD);
    await Promise.all([
      tab.waitForURL(/\/account\?notice=notice-account-password-changed$/),
      tab.getByRole("button", { name: "Change password" }).click(),
    ]);
    restored = true;
    await tab.getByText("Your password is changed.").waitFor();
  } finally {
    if (!restored) await resetPassword(tab, LEO, PASSWORD);
    await tab.context().close();
  }
  // The demo password works again.
  const again = await page(WIDTHS.desktop);
  await signInWith(again, LEO, PASSWORD);
  await again.context().close();
});

test("the account page shows the person, their devices and the second factor", async () => {
  for (const [name, width] of Object.entries(WIDTHS)) {
    const tab = await page(width);
    await signInWith(tab, LEO, PASSWORD);
    await tab.getByRole("link", { name: /Signed in as/ }).click();
    await tab.getByRole("heading", { level: 1, name: "Your account" }).waitFor();
    const devices = tab.getByRole("region", { name: "Sessions and devices" });
    assert.match(await devices.innerText(), /This device/);
    assert.match(await devices.innerText(), /Chrome/);
    await tab.screenshot({ path: `${SHOTS}/account-${name}-${width}.png`, fullPage: true });

    // The setup page shows the QR code and the key; leaving it unconfirmed changes nothing.
    await tab.getByRole("link", { name: "Set up two-step verification" }).click();
    await tab.getByRole("heading", { level: 1, name: "Two-step verification" }).waitFor();
    await tab.getByRole("button", { name: "Set up two-step verification" }).click();
    await tab.getByRole("heading", { name: "Scan this code with your app" }).waitFor();
    assert.equal(await tab.locator("svg.account-qr__code").count(), 1, "the QR code is drawn");
    assert.match(await tab.locator("code.account-secret").innerText(), /^[A-Z2-7 ]{20,}$/);
    await tab.screenshot({ path: `${SHOTS}/mfa-setup-${name}-${width}.png`, fullPage: true });
    await tab.context().close();
  }
});

test("a person chooses German on the account page and sees German", async () => {
  const tab = await page(WIDTHS.desktop);
  await signInWith(tab, LEO, PASSWORD);
  try {
    await tab.goto(`${TENANT}/account`);
    await tab.getByLabel("Language of the portal").selectOption("de");
    await Promise.all([
      tab.waitForURL(/\/account\?notice=notice-account-language$/),
      tab.getByRole("button", { name: "Save language" }).click(),
    ]);
    await tab.getByRole("heading", { level: 1, name: "Ihr Konto" }).waitFor();
    await tab.getByText("Ihre Sprache ist gespeichert.").waitFor();
    assert.equal(await tab.locator("html").getAttribute("lang"), "de");
    await tab.goto(`${TENANT}/`);
    await tab.getByRole("link", { name: "Übersicht" }).first().waitFor();
    await tab.screenshot({ path: `${SHOTS}/account-german-${WIDTHS.desktop}.png`, fullPage: true });
  } finally {
    await tab.goto(`${TENANT}/account`);
    await tab.locator("#locale").selectOption("");
    await Promise.all([
      tab.waitForURL(/\/account\?notice=notice-account-language$/),
      tab.locator("form[action$='/account/language'] button[type=submit]").click(),
    ]);
    await tab.context().close();
  }
});
