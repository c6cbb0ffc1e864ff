// Browser tests of the team's settings: an admin changes the brand's main colour and sees the
// sample restyle live (branding.js), saves — with a CSS rule the sanitiser drops, which the page
// after the save lists with its reason — and the portal's own header and buttons take the colour
// on at once (the server forgets its cached tenant on a save: nothing here waits for it); then
// views the portal as a client's viewer — banner, no write forms — and ends the preview. The
// original colour is restored at the end, whatever happened, for the other tests' shots.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { TENANT, SHOTS, WIDTHS, launch, newPage, signIn } from "./support.mjs";

const ADMIN = "tom@northwind.example";
const NEW_PRIMARY = "#0b6e4f";
const NEW_PRIMARY_RGB = "rgb(11, 110, 79)";

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** A computed style property of the first element `locator` finds. */
const style = (locator, property) =>
  locator.first().evaluate((element, name) => getComputedStyle(element)[name], property);

/** Opens Settings → Branding through the navigation. */
async function openBranding(tab) {
  await tab.getByRole("link", { name: "Settings", exact: true }).first().click();
  await tab.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
  await tab.getByRole("link", { name: "Branding", exact: true }).click();
  await tab.getByRole("heading", { level: 1, name: "Branding" }).waitFor();
}

/** Sets the main colour on the branding page and saves it. */
async function saveMainColour(tab, colour) {
  await tab.getByLabel("Main colour: code").fill(colour);
  await Promise.all([
    tab.waitForURL(/\/admin\/branding\?notice=notice-admin-branding-saved$/),
    tab.getByRole("button", { name: "Save", exact: true }).click(),
  ]);
  await tab.getByText("The look is saved.").waitFor();
}

/** Adds an `@import` to the custom CSS field: the sanitiser drops it on saving. */
async function addImport(tab) {
  const css = tab.getByLabel("Custom CSS", { exact: true });
  await css.fill(`${await css.inputValue()}\n@import url(https://evil.example/x.css);`);
}

/** Saves the look and waits for the page listing what was removed from its custom CSS. */
async function saveDroppingCss(tab) {
  await Promise.all([
    tab.waitForURL(/\/admin\/branding\?removed=[^&]+&notice=notice-admin-branding-saved-css$/),
    tab.getByRole("button", { name: "Save", exact: true }).click(),
  ]);
  await tab.getByText("The look is saved, but parts of its custom CSS were removed.").waitFor();
  await tab.getByRole("region", { name: "Removed from the custom CSS" }).waitFor();
}

test("an admin changes the brand colour with a live preview and the portal takes it on", async () => {
  const tab = await newPage(browser, WIDTHS.desktop);
  // No colour transitions: a colour read is the colour shown, without waiting.
  await tab.emulateMedia({ reducedMotion: "reduce" });
  await signIn(tab, ADMIN);
  await openBranding(tab);
  const code = tab.getByLabel("Main colour: code");
  const original = await code.inputValue();
  assert.match(original, /^#[0-9a-f]{6}$/);
  try {
    const sampleButton = tab.locator("[data-brand-sample-button]");
    const sampleHeader = tab.locator(".brand-sample__header");
    assert.notEqual(await style(sampleButton, "backgroundColor"), NEW_PRIMARY_RGB);
    assert.equal(await tab.getByLabel("Default language").inputValue(), "");

    // Typing the code restyles the sample at once and moves the picker along.
    await code.fill(NEW_PRIMARY);
    assert.equal(await style(sampleButton, "backgroundColor"), NEW_PRIMARY_RGB);
    assert.equal(await style(sampleHeader, "backgroundColor"), NEW_PRIMARY_RGB);
    assert.equal(await tab.getByLabel("Main colour: pick").inputValue(), NEW_PRIMARY);
    // Only the sample changed: the page's own Save button keeps the saved colour for now.
    const saveButton = tab.getByRole("button", { name: "Save", exact: true });
    assert.notEqual(await style(saveButton, "backgroundColor"), NEW_PRIMARY_RGB);
    await tab.screenshot({ path: `${SHOTS}/admin-branding-live-${WIDTHS.desktop}.png`, fullPage: true });

    // Saved with a rule the sanitiser drops: the next page says what was removed and why.
    await addImport(tab);
    await saveDroppingCss(tab);
    const removed = tab.getByRole("region", { name: "Removed from the custom CSS" });
    assert.match(await removed.innerText(), /@import url\(https:\/\/evil\.example\/x\.css\);/);
    assert.match(await removed.innerText(), /@import is not allowed/);
    assert.doesNotMatch(await tab.getByLabel("Custom CSS", { exact: true }).inputValue(), /@import/);
    // At once, the portal's header (the current section's link) and its buttons use the new
    // colour: the page after the save, and the next one.
    assert.equal(await style(saveButton, "backgroundColor"), NEW_PRIMARY_RGB);
    const current = () => tab.locator(".portal-nav a[aria-current=\"page\"]");
    assert.equal(await style(current(), "color"), NEW_PRIMARY_RGB);
    await tab.screenshot({ path: `${SHOTS}/admin-branding-css-removed-${WIDTHS.desktop}.png`, fullPage: true });
    await tab.goto(`${TENANT}/`);
    assert.equal(await style(current(), "color"), NEW_PRIMARY_RGB);
    await tab.screenshot({ path: `${SHOTS}/admin-branding-saved-${WIDTHS.desktop}.png`, fullPage: true });

    const phone = await newPage(browser, WIDTHS.phone);
    await signIn(phone, ADMIN);
    await phone.goto(`${TENANT}/admin/branding`);
    await phone.getByRole("heading", { level: 1, name: "Branding" }).waitFor();
    await phone.screenshot({ path: `${SHOTS}/admin-branding-${WIDTHS.phone}.png`, fullPage: true });
    await addImport(phone);
    await saveDroppingCss(phone);
    await phone.screenshot({ path: `${SHOTS}/admin-branding-css-removed-${WIDTHS.phone}.png`, fullPage: true });
    const [pageWidth, viewport] = await phone.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(pageWidth <= viewport, "the removed CSS wraps instead of widening the page");
    await phone.context().close();
  } finally {
    await tab.goto(`${TENANT}/admin/branding`);
    await saveMainColour(tab, original);
    await tab.context().close();
  }
});

test("an admin views the portal as a client's viewer, read-only, and ends the preview", async () => {
  for (const width of [WIDTHS.desktop, WIDTHS.phone]) {
    const tab = await newPage(browser, width);
    await signIn(tab, ADMIN);
    await tab.goto(`${TENANT}/admin`);
    await tab.getByRole("link", { name: "View as client", exact: true }).click();
    await tab.getByRole("heading", { level: 1, name: "View as client" }).waitFor();
    await tab.getByLabel("Client", { exact: true }).selectOption({ label: "Acme Corp" });
    await tab.getByLabel("As a contact with the role").selectOption({ label: "Viewer" });
    await Promise.all([
      tab.waitForURL(`${TENANT}/?notice=notice-admin-preview-started`),
      tab.getByRole("button", { name: "Start preview" }).click(),
    ]);

    const banner = tab.locator(".preview-banner");
    await banner.waitFor();
    assert.match(await banner.innerText(), /Acme Corp sees it \(Viewer\)/);
    // Nothing to change: no form in the page itself, no team sections, no invoices.
    assert.equal(await tab.locator("main form").count(), 0, "no write forms in a preview");
    assert.equal(await tab.getByRole("link", { name: "Settings", exact: true }).count(), 0);
    assert.equal(await tab.getByRole("region", { name: "Open invoices" }).count(), 0);
    await tab.screenshot({ path: `${SHOTS}/admin-preview-${width}.png`, fullPage: true });

    await Promise.all([
      tab.waitForURL(/\/admin\/preview\?notice=notice-admin-preview-ended$/),
      banner.getByRole("button", { name: "End preview" }).click(),
    ]);
    await tab.getByText("The preview has ended.").waitFor();
    assert.equal(await tab.locator(".preview-banner").count(), 0);
    await tab.context().close();
  }
});

test("the settings pages fit both widths; the permission matrix scrolls sideways on a phone", async () => {
  for (const [name, width] of Object.entries(WIDTHS)) {
    const tab = await newPage(browser, width);
    await signIn(tab, ADMIN);
    await tab.goto(`${TENANT}/admin`);
    await tab.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
    await tab.screenshot({ path: `${SHOTS}/admin-hub-${width}.png`, fullPage: true });

    await tab.goto(`${TENANT}/admin/roles`);
    await tab.getByRole("heading", { level: 1, name: "Roles and permissions" }).waitFor();
    const box = tab.getByRole("checkbox", { name: "Viewer – See projects and their status." });
    assert.equal(await box.isChecked(), true);
    const wrap = tab.locator(".matrix-wrap");
    const [scrollWidth, clientWidth] = await wrap.evaluate((el) => [el.scrollWidth, el.clientWidth]);
    if (name === "phone") {
      assert.ok(scrollWidth > clientWidth, "the table scrolls inside its frame");
    }
    const page = await tab.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(page[0] <= page[1], `the page itself does not scroll sideways at ${width}px`);
    await tab.screenshot({ path: `${SHOTS}/admin-roles-${width}.png` });

    await tab.goto(`${TENANT}/admin/audit`);
    await tab.getByRole("heading", { level: 1, name: "Audit log" }).waitFor();
    await tab.screenshot({ path: `${SHOTS}/admin-audit-${width}.png` });
    await tab.context().close();
  }
});
