// Browser tests of the client's work pages: an approver decides a deliverable from the
// overview, a client admin uploads a file with the progress bar and downloads it again (also
// after the connection of one of its parts was cut), and the
// project, approval and documents pages are photographed at desktop and phone widths.
//
// Other test files run against the same server, one after another: this file changes nothing
// they rely on. It asks for an approval of its own (the seeded one stays pending) and uploads a
// document under a title of its own.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { request } from "playwright-core";
import { BASE, TENANT, SHOTS, WIDTHS, launch, newPage, signIn } from "./support.mjs";

let browser;
/** Tells this run's objects apart from any other run's on the same server. */
const stamp = Date.now().toString(36);

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** A fresh browser context at `width`. */
const page = (width, locale) => newPage(browser, width, locale);

/**
 * The JSON API as the person signed in on `tab`: the page's session cookie, sent by a client
 * without a browser's fetch metadata (as an integration would call it).
 */
async function apiAs(tab) {
  const cookies = await tab.context().cookies(BASE);
  const cookie = cookies.map(({ name, value }) => `${name}=${value}`).join("; ");
  return request.newContext({ extraHTTPHeaders: { cookie } });
}

/** Asks Acme, as Priya (the agency's manager), to approve the brand guidelines. */
async function requestApproval(message) {
  const tab = await page(WIDTHS.desktop);
  await signIn(tab, "priya@northwind.example");
  const api = await apiAs(tab);
  const projects = await (await api.get(`${TENANT}/api/v1/projects?limit=200`)).json();
  const project = projects.items.find((item) => item.name === "Website redesign");
  assert.ok(project, "the seeded project");
  const documents = await (
    await api.get(`${TENANT}/api/v1/projects/${project.id}/documents?limit=200`)
  ).json();
  const guidelines = documents.items.find((item) => item.title === "Brand guidelines");
  assert.ok(guidelines?.current_version, "the seeded brand guidelines");
  const asked = await api.post(`${TENANT}/api/v1/approvals`, {
    data: { document_version_id: guidelines.current_version, message },
  });
  assert.equal(asked.status(), 201, await asked.text());
  const { id } = await asked.json();
  await api.dispose();
  await tab.context().close();
  return id;
}

test("an approver opens the pending approval from the overview and approves it", async () => {
  const message = `Please sign off the brand guidelines for the web (browser test ${stamp}).`;
  const id = await requestApproval(message);

  // The approval page at phone width, before the decision.
  const phone = await page(WIDTHS.phone);
  await signIn(phone, "james@acme.example");
  await phone.goto(`${TENANT}/approvals/${id}`);
  await phone.getByRole("heading", { name: "Your decision" }).waitFor();
  await phone.screenshot({ path: `${SHOTS}/approval-${WIDTHS.phone}.png`, fullPage: true });
  await phone.context().close();

  const tab = await page(WIDTHS.desktop);
  await signIn(tab, "james@acme.example");
  const waiting = tab.getByRole("region", { name: "Waiting for a decision", exact: true });
  await Promise.all([
    tab.waitForURL(`${TENANT}/approvals/${id}`),
    waiting.getByRole("link", { name: message }).click(),
  ]);
  await tab.getByRole("heading", { level: 1, name: /Approval/ }).waitFor();
  const version = tab.getByRole("region", { name: "The version to review" });
  assert.match(await version.innerText(), /brand-guidelines\.md/);
  assert.match(await version.innerText(), /[0-9a-f]{12}…/, "the shortened checksum");
  await tab.screenshot({ path: `${SHOTS}/approval-${WIDTHS.desktop}.png`, fullPage: true });

  const form = tab.getByRole("region", { name: "Your decision", exact: true });
  await form.getByLabel("Approve", { exact: true }).check();
  await form.getByLabel("Comment").fill("Signed off in the browser test.");
  await form.getByLabel("Your full name").fill("James Porter");
  await Promise.all([
    tab.waitForURL(/notice=notice-approvals-approved$/),
    form.getByRole("button", { name: "Submit decision" }).click(),
  ]);
  await tab.getByText("Thank you. Your approval was recorded.").waitFor();
  const decision = tab.getByRole("region", { name: "Decision", exact: true });
  assert.match(await decision.innerText(), /Decided by James Porter/);
  assert.match(await decision.innerText(), /Signed: James Porter/);
  assert.equal(await tab.getByRole("region", { name: "Your decision", exact: true }).count(), 0);
  await tab.screenshot({ path: `${SHOTS}/approval-decided-${WIDTHS.desktop}.png`, fullPage: true });

  // The overview no longer lists it as waiting.
  await tab.goto(`${TENANT}/`);
  await waiting.waitFor();
  assert.equal(await waiting.getByRole("link", { name: message }).count(), 0);
  await tab.context().close();
});

/** Printable text of `bytes` length, different on every line, so nothing compresses away. */
function textFile(bytes) {
  const lines = [];
  let size = 0;
  for (let line = 0; size < bytes; line += 1) {
    const text = `${String(line).padStart(7, "0")} ${stamp} ${(line * 2654435761) % 4294967296}\n`;
    lines.push(text);
    size += text.length;
  }
  return Buffer.from(lines.join("").slice(0, bytes));
}

test("a client uploads a file with a progress bar and downloads the same bytes", async () => {
  const tab = await page(WIDTHS.desktop);
  await signIn(tab, "sarah@acme.example");
  await tab.goto(`${TENANT}/documents`);
  await tab.getByRole("heading", { level: 1, name: "Documents" }).waitFor();
  await tab.screenshot({ path: `${SHOTS}/documents-${WIDTHS.desktop}.png`, fullPage: true });

  const form = tab.locator("form[data-upload]");
  const title = `Site photos ${stamp}`;
  const content = textFile(12 * 1024 * 1024);
  await form.getByLabel("Project", { exact: true }).selectOption({ label: "Website redesign" });
  await form.getByLabel("Title (optional)").fill(title);
  await form.getByLabel("File", { exact: true }).setInputFiles({
    name: `site-photos-${stamp}.txt`,
    mimeType: "text/plain",
    buffer: content,
  });

  // Watch the bar: portal.js sets its value as the upload goes.
  const seen = [];
  await tab.exposeFunction("reportUploadProgress", (value) => seen.push(value));
  await tab.evaluate(() => {
    const bar = document.querySelector("form[data-upload] progress");
    new MutationObserver(() => window.reportUploadProgress(Number(bar.value))).observe(bar, {
      attributes: true,
      attributeFilter: ["value"],
    });
  });
  await Promise.all([
    tab.waitForURL(/\/documents\/[0-9a-f-]{36}\?notice=notice-documents-uploaded$/),
    form.getByRole("button", { name: "Upload" }).click(),
  ]);
  assert.ok(seen.length > 0, "the progress bar moved (the script sent the form)");
  assert.equal(seen.at(-1), 100, `the bar reached the end: ${seen.join(", ")}`);
  await tab.getByRole("heading", { level: 1, name: title }).waitFor();
  await tab.getByText("The document was uploaded.").waitFor();

  const [download] = await Promise.all([
    tab.waitForEvent("download"),
    tab.getByRole("link", { name: /^Download version 1:/ }).click(),
  ]);
  assert.equal(download.suggestedFilename(), `site-photos-${stamp}.txt`);
  const saved = await readFile(await download.path());
  assert.ok(saved.equals(content), `the same ${content.length} bytes came back`);
  await tab.screenshot({ path: `${SHOTS}/document-${WIDTHS.desktop}.png`, fullPage: true });
  const documentUrl = tab.url().split("?")[0];
  await tab.context().close();

  const phone = await page(WIDTHS.phone);
  await signIn(phone, "sarah@acme.example");
  await phone.goto(`${TENANT}/documents`);
  await phone.getByRole("heading", { level: 1, name: "Documents" }).waitFor();
  await phone.screenshot({ path: `${SHOTS}/documents-${WIDTHS.phone}.png`, fullPage: true });
  await phone.goto(documentUrl);
  await phone.getByRole("heading", { level: 1, name: title }).waitFor();
  await phone.screenshot({ path: `${SHOTS}/document-${WIDTHS.phone}.png`, fullPage: true });
  await phone.context().close();
});

test("an upload whose connection drops resumes where the server stopped", async () => {
  const tab = await page(WIDTHS.desktop);
  await signIn(tab, "sarah@acme.example");
  await tab.goto(`${TENANT}/documents`);
  const form = tab.locator("form[data-upload]");
  const title = `Drone footage notes ${stamp}`;
  // Three parts of 8 MiB at most: the second one's connection is cut the first time.
  const content = textFile(20 * 1024 * 1024);
  const calls = [];
  let cut = false;
  await tab.route("**/api/v1/uploads/*", async (route) => {
    const sent = route.request();
    const offset = sent.headers()["upload-offset"];
    calls.push(`${sent.method()} ${offset ?? ""}`.trim());
    if (sent.method() === "PATCH" && offset !== "0" && !cut) {
      cut = true;
      await route.abort("connectionreset");
      return;
    }
    await route.continue();
  });
  await form.getByLabel("Project", { exact: true }).selectOption({ label: "Website redesign" });
  await form.getByLabel("Title (optional)").fill(title);
  await form.getByLabel("File", { exact: true }).setInputFiles({
    name: `drone-notes-${stamp}.txt`,
    mimeType: "text/plain",
    buffer: content,
  });
  await Promise.all([
    tab.waitForURL(/\/documents\/[0-9a-f-]{36}\?notice=notice-documents-uploaded$/),
    form.getByRole("button", { name: "Upload" }).click(),
  ]);
  assert.ok(cut, "a part's connection was cut");
  assert.ok(calls.includes("HEAD"), `the page asked where to resume: ${calls.join(", ")}`);
  assert.deepEqual(
    calls.filter((call) => call.startsWith("PATCH")),
    ["PATCH 0", "PATCH 8388608", "PATCH 8388608", "PATCH 16777216"],
    "the cut part was sent again from the server's offset"
  );
  await tab.getByRole("heading", { level: 1, name: title }).waitFor();
  const [download] = await Promise.all([
    tab.waitForEvent("download"),
    tab.getByRole("link", { name: /^Download version 1:/ }).click(),
  ]);
  const saved = await readFile(await download.path());
  assert.ok(saved.equals(content), `the same ${content.length} bytes came back`);
  await tab.context().close();
});

test("a refused upload shows the reason on the same page, and the form still works", async () => {
  const tab = await page(WIDTHS.phone);
  await signIn(tab, "sarah@acme.example");
  await tab.goto(`${TENANT}/documents`);
  const form = tab.locator("form[data-upload]");
  await form.getByLabel("Title (optional)").fill(`Refused ${stamp}`);
  await form.getByLabel("File", { exact: true }).setInputFiles({
    name: "tool.exe",
    mimeType: "application/octet-stream",
    buffer: Buffer.from("MZ not a document"),
  });
  await form.getByRole("button", { name: "Upload" }).click();
  const error = tab.locator("#upload-file-error");
  await error.waitFor();
  assert.match(await error.innerText(), /Files of this type cannot be uploaded/);
  assert.match(tab.url(), /\/documents$/, "the page was replaced, not left");
  assert.equal(await form.getByLabel("Title (optional)").inputValue(), `Refused ${stamp}`);
  assert.equal(await tab.locator("form[data-upload]").getAttribute("data-enhanced"), "true");
  await tab.context().close();
});

test("the project page shows the timeline at desktop and phone widths", async () => {
  for (const width of Object.values(WIDTHS)) {
    const tab = await page(width);
    await signIn(tab, "ben@acme.example");
    await tab.goto(`${TENANT}/projects`);
    await Promise.all([
      tab.waitForURL(/\/projects\/[0-9a-f-]{36}$/),
      tab.getByRole("link", { name: "Website redesign" }).click(),
    ]);
    await tab.getByRole("heading", { level: 1, name: "Website redesign" }).waitFor();
    const timeline = tab.getByRole("region", { name: "Milestones" });
    assert.match(await timeline.innerText(), /Discovery and strategy[\s\S]*Design/);
    assert.match(await timeline.innerText(), /Done/);
    // Staff see internal items marked "Internal"; a client sees none of them at all. (Which
    // seeded milestone is internal depends on what the team's test has shared already.)
    assert.equal(await tab.getByText("Internal", { exact: true }).count(), 0, "internal stays internal");
    await tab.screenshot({ path: `${SHOTS}/project-${width}.png`, fullPage: true });
    await tab.context().close();
  }
});
