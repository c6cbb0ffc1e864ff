// Browser tests of the conversation pages: invoices for a finance contact and not for a viewer,
// a request submitted and found in the list, a message posted in a thread. Every text a test
// creates is unique to the run, so the other test files (same server, one after another) and
// earlier runs do not matter.
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

/** The main navigation of a signed-in page. */
const nav = (tab) => tab.getByRole("navigation", { name: "Main" });

/** Something no other run or test wrote. */
const unique = (what) => `${what} ${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;

test("a finance contact opens the invoices from the navigation and may pay", async () => {
  for (const [name, width] of Object.entries(WIDTHS)) {
    const tab = await page(width);
    await signIn(tab, "olivia@acme.example");
    await Promise.all([
      tab.waitForURL(`${TENANT}/invoices`),
      nav(tab).getByRole("link", { name: "Invoices" }).click(),
    ]);
    await tab.getByRole("heading", { level: 1, name: "Invoices" }).waitFor();
    const table = tab.getByRole("table");
    const text = await table.innerText();
    assert.match(text, /NW-2057/, "the open invoice");
    assert.match(text, /\$19,200\.00/, "its amount in the page's language");
    assert.match(text, /NW-2041/, "the paid one too");
    assert.doesNotMatch(text, /NW-2063/, "never a draft");
    assert.doesNotMatch(text, /NW-2049/, "never another client's");
    const pay = tab.getByRole("link", { name: "Pay invoice NW-2057 (opens in a new tab)" });
    assert.equal(await pay.getAttribute("href"), "https://pay.northwind.example/invoices/NW-2057");
    assert.equal(await pay.getAttribute("target"), "_blank");
    assert.equal(await pay.getAttribute("rel"), "noopener noreferrer");
    assert.equal(await tab.getByRole("link", { name: /Pay invoice NW-2041/ }).count(), 0,
      "nothing to pay on a paid invoice");
    await tab.screenshot({ path: `${SHOTS}/invoices-${name}-${width}.png`, fullPage: true });

    await Promise.all([
      tab.waitForURL(/\/invoices\/[0-9a-f-]{36}$/),
      table.getByRole("link", { name: "NW-2057", exact: true }).click(),
    ]);
    await tab.getByRole("heading", { level: 1, name: "Invoice NW-2057" }).waitFor();
    assert.match(await tab.locator("main").innerText(), /\$19,200\.00/);
    await tab.getByRole("link", { name: /Pay now/ }).waitFor();
    await tab.screenshot({ path: `${SHOTS}/invoice-${name}-${width}.png`, fullPage: true });
    await tab.context().close();
  }
});

test("a viewer has no invoices link and gets the branded 404 at the address", async () => {
  const tab = await page(WIDTHS.phone);
  await signIn(tab, "ben@acme.example");
  await nav(tab).getByRole("link", { name: "Requests" }).waitFor();
  assert.equal(await nav(tab).getByRole("link", { name: "Invoices" }).count(), 0);
  const response = await tab.goto(`${TENANT}/invoices`);
  assert.equal(response.status(), 404);
  assert.match(await tab.title(), /Northwind Studio/);
  await tab.getByRole("heading", { name: "Page not found" }).waitFor();
  assert.doesNotMatch(await tab.content(), /NW-20\d\d/);
  await tab.screenshot({ path: `${SHOTS}/invoices-viewer-404-${WIDTHS.phone}.png`, fullPage: true });
  await tab.context().close();
});

test("a client admin submits a request and finds it in the list", async () => {
  for (const [name, width] of Object.entries(WIDTHS)) {
    const title = unique("Add a press page");
    const tab = await page(width);
    await signIn(tab, "sarah@acme.example");
    await Promise.all([
      tab.waitForURL(`${TENANT}/requests`),
      nav(tab).getByRole("link", { name: "Requests" }).click(),
    ]);
    await tab.getByRole("heading", { level: 1, name: "Requests" }).waitFor();
    await tab.screenshot({ path: `${SHOTS}/requests-${name}-${width}.png`, fullPage: true });

    await Promise.all([
      tab.waitForURL(`${TENANT}/requests/new`),
      tab.getByRole("link", { name: "New request" }).click(),
    ]);
    // Sent empty: the form again, with the message next to each field.
    await tab.getByRole("button", { name: "Send request" }).click();
    await tab.getByRole("alert").waitFor();
    const titleField = tab.getByLabel("Title");
    assert.equal(await titleField.getAttribute("aria-invalid"), "true");
    await tab.screenshot({ path: `${SHOTS}/request-new-errors-${name}-${width}.png`, fullPage: true });

    await titleField.fill(title);
    await tab.getByLabel("Details").fill("Journalists keep asking for our logo and a short company profile.");
    await tab.getByLabel("Project").selectOption({ label: "Website redesign" });
    await Promise.all([
      tab.waitForURL(/\/requests\/[0-9a-f-]{36}\?notice=notice-requests-submitted$/),
      tab.getByRole("button", { name: "Send request" }).click(),
    ]);
    await tab.getByRole("heading", { level: 1, name: title }).waitFor();
    await tab.getByText("Your request was sent to the team.").waitFor();
    await tab.screenshot({ path: `${SHOTS}/request-${name}-${width}.png`, fullPage: true });

    await Promise.all([
      tab.waitForURL(`${TENANT}/requests`),
      nav(tab).getByRole("link", { name: "Requests" }).click(),
    ]);
    const open = tab.getByRole("region", { name: "Open requests" });
    await open.getByRole("link", { name: title }).waitFor();
    assert.match(await open.innerText(), /Asked by You/);
    await tab.context().close();
  }
});

test("a client admin posts a message in a thread and sees it", async () => {
  for (const [name, width] of Object.entries(WIDTHS)) {
    const message = unique("The new photos are in the shared folder.");
    const tab = await page(width);
    await signIn(tab, "sarah@acme.example");
    await Promise.all([
      tab.waitForURL(`${TENANT}/messages`),
      nav(tab).getByRole("link", { name: "Messages" }).click(),
    ]);
    await tab.getByRole("heading", { level: 1, name: "Messages" }).waitFor();
    await tab.screenshot({ path: `${SHOTS}/messages-${name}-${width}.png`, fullPage: true });
    assert.doesNotMatch(await tab.locator("main").innerText(), /old logo lock-up/,
      "the team's internal message never reaches a contact");

    await Promise.all([
      tab.waitForURL(/\/messages\/project\/[0-9a-f-]{36}$/),
      tab.getByRole("link", { name: "About Website redesign in general" }).click(),
    ]);
    await tab.getByRole("heading", { level: 1, name: "Website redesign" }).waitFor();
    await tab.getByLabel("Your message").fill(message);
    await Promise.all([
      tab.waitForURL(/\?notice=notice-messages-posted$/),
      tab.getByRole("button", { name: "Send message" }).click(),
    ]);
    await tab.getByText("Your message was sent.").waitFor();
    const conversation = tab.getByRole("region", { name: "Conversation" });
    const last = conversation.getByRole("listitem").last();
    assert.match(await last.innerText(), new RegExp(message.replace(/[.]/g, "\\.")));
    assert.match(await last.innerText(), /^You/);
    await tab.screenshot({ path: `${SHOTS}/thread-${name}-${width}.png`, fullPage: true });
    await tab.context().close();
  }
});
