// Browser tests of the team's settings: an admin changes the brand's main colour and sees the
// sample restyle live (branding.js), saves, and the portal's own header and buttons take it on;
// then views the portal as a client's viewer — banner, no write forms — and ends the preview.
// The original colour is restored at the end, whatever happened, for the other tests' shots.
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

/** Waits until `check` holds (the tenant's look is cached by the server for a few seconds). */
async function eventually(check, what, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) {
      return;
    }
    if (Date.now() > deadline) {
      assert.fail(`timed out waiting until ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

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

test("an admin changes the brand colour with a live preview and the portal takes it on", async () => {
  const tab = await newPage(browser, WIDTHS.desktop);
  await signIn(tab, ADMIN);
  await openBranding(tab);
  const code = tab.getByLabel("Main colour: code");
  const original = await code.inputValue();
  assert.match(original, /^#[0-9a-f]{6}$/);
  try {
    const sampleButton = tab.locator("[data-brand-sample-button]");
    const sampleHeader = tab.locator(".brand-sample__header");
    assert.notEqual(await style(sampleButton, "backgroundColor"), NEW_PRIMARY_RGB);

    // Typing the code restyles the sample at once and moves the picker along.
    await code.fill(NEW_PRIMARY);
    await eventually(
      async () => (await style(sampleButton, "backgroundColor")) === NEW_PRIMARY_RGB,
      "the sample button takes the new colour",
    );
    assert.equal(await style(sampleHeader, "backgroundColor"), NEW_PRIMARY_RGB);
    assert.equal(await tab.getByLabel("Main colour: pick").inputValue(), NEW_PRIMARY);
    // Only the sample changed: the page's own Save button keeps the saved colour for now.
    const saveButton = tab.getByRole("button", { name: "Save", exact: true });
    assert.notEqual(await style(saveButton, "backgroundColor"), NEW_PRIMARY_RGB);
    await tab.screenshot({ path: `${SHOTS}/admin-branding-live-${WIDTHS.desktop}.png`, fullPage: true });

    await saveMainColour(tab, NEW_PRIMARY);
    // The portal's header (the current section's link) and its buttons use the new colour.
    await eventually(
      async () => {
        await tab.reload();
        const button = tab.getByRole("button", { name: "Save", exact: true });
        const current = tab.locator(".portal-nav a[aria-current=\"page\"]");
        return (
          (await style(button, "backgroundColor")) === NEW_PRIMARY_RGB &&
          (await style(current, "color")) === NEW_PRIMARY_RGB
        );
      },
      "the saved colour is the portal's",
    );
    await tab.goto(`${TENANT}/`);
    await eventually(
      async () =>
        (await style(tab.locator(".portal-nav a[aria-current=\"page\"]"), "color")) === NEW_PRIMARY_RGB,
      "the overview's header uses the saved colour",
    );
    await tab.screenshot({ path: `${SHOTS}/admin-branding-saved-${WIDTHS.desktop}.png`, fullPage: true });

    const phone = await newPage(browser, WIDTHS.phone);
    await signIn(phone, ADMIN);
    await phone.goto(`${TENANT}/admin/branding`);
    await phone.getByRole("heading", { level: 1, name: "Branding" }).waitFor();
    await phone.screenshot({ path: `${SHOTS}/admin-branding-${WIDTHS.phone}.png`, fullPage: true });
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
