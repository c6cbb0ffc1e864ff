// Browser tests of share links: an admin makes a link to Acme's website project on the admin
// page, with downloads allowed, and copies the address it shows once; a fresh browser without
// any session opens it, sees the project and its shared documents (never the internal
// estimate), and downloads the statement of work. Then the admin revokes the link, and the same
// address shows the page of a link that does not work. A second link takes files: a visitor sends
// one through the page (resumably, with progress), and it reaches the team as an internal
// document that the visitor's page does not list.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { TENANT, SHOTS, WIDTHS, launch, newPage, signIn } from "./support.mjs";

const ADMIN = "tom@northwind.example";
const PROJECT = "Website redesign";

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** Makes a share link to the website project on the admin page; its address. */
async function makeLink(tab, { download = true, upload = false } = {}) {
  await tab.goto(`${TENANT}/admin/share-links`);
  await tab.getByRole("heading", { level: 1, name: "Share links" }).waitFor();
  const project = tab.getByLabel("Project", { exact: true });
  const option = project.locator("option", { hasText: PROJECT }).first();
  await project.selectOption(await option.getAttribute("value"));
  if (download) {
    await tab.getByLabel("Allow downloading files").check();
  }
  if (upload) {
    await tab.getByLabel("Allow sending files").check();
  }
  await tab.getByRole("button", { name: "Make link" }).click();
  await tab.getByText(`Link to ${PROJECT} made`).waitFor();
  const url = await tab.getByLabel("The link to send").inputValue();
  assert.match(url, /^http:\/\/[^/]+\/northwind\/share\/[A-Za-z0-9_-]{43}$/);
  return url;
}

test("a visitor without a login opens a share link and downloads a shared file", async () => {
  const admin = await newPage(browser, WIDTHS.desktop);
  await signIn(admin, ADMIN);
  const url = await makeLink(admin);

  for (const [label, width] of Object.entries(WIDTHS)) {
    // A fresh context: no session, no cookies at all.
    const visitor = await newPage(browser, width);
    const response = await visitor.goto(url);
    assert.equal(response.status(), 200);
    assert.equal(response.headers()["x-robots-tag"], "noindex, nofollow");
    assert.equal(response.headers()["referrer-policy"], "no-referrer");
    await visitor.getByRole("heading", { level: 1, name: PROJECT }).waitFor();
    const documents = visitor.getByRole("region", { name: "Documents" });
    await documents.getByText("Statement of work", { exact: true }).waitFor();
    assert.equal(await visitor.getByText("Estimate and margin").count(), 0, "internal stays hidden");
    assert.equal(await visitor.locator(".portal-nav, .account").count(), 0, "no navigation");
    const wide = await visitor.evaluate(
      () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
    );
    assert.equal(wide, false, `the page fits ${width} px`);
    await visitor.screenshot({ path: `${SHOTS}/shared-${label}.png`, fullPage: true });

    if (label === "desktop") {
      const [download] = await Promise.all([
        visitor.waitForEvent("download"),
        visitor.getByRole("link", { name: "Download Statement of work" }).click(),
      ]);
      assert.equal(download.suggestedFilename(), "statement-of-work.pdf");
      assert.equal(await download.failure(), null);
    }
    await visitor.context().close();
  }

  // Revoked on the admin page, the same address no longer works.
  await admin.goto(`${TENANT}/admin/share-links`);
  await admin.getByRole("button", { name: `Revoke the link to ${PROJECT}` }).first().click();
  await admin.getByText("The link is revoked and no longer works.").waitFor();
  const visitor = await newPage(browser, WIDTHS.phone);
  const dead = await visitor.goto(url);
  assert.equal(dead.status(), 404);
  await visitor.getByRole("heading", { level: 1, name: "This link does not work" }).waitFor();
  await visitor.screenshot({ path: `${SHOTS}/shared-dead-phone.png`, fullPage: true });
  await visitor.context().close();
  await admin.context().close();
});

test("a visitor sends a file through a link that takes uploads, and the team gets it", async () => {
  const admin = await newPage(browser, WIDTHS.desktop);
  await signIn(admin, ADMIN);
  const url = await makeLink(admin, { download: false, upload: true });
  const title = `Site survey ${Date.now().toString(36)}`;

  const visitor = await newPage(browser, WIDTHS.phone);
  await visitor.goto(url);
  const card = visitor.getByRole("region", { name: /^Send files to/ });
  await card.waitFor();
  await card.getByLabel("Title (optional)").fill(title);
  // Over one part of 8 MiB, so the file goes in two.
  const line = "Measured on site: walls, windows and doors, room by room.\n";
  const content = Buffer.from(line.repeat(Math.ceil((9 * 1024 * 1024) / line.length)));
  await card.getByLabel("File", { exact: true }).setInputFiles({
    name: "site-survey.txt",
    mimeType: "text/plain",
    buffer: content,
  });
  const parts = [];
  visitor.on("request", (request) => {
    if (request.method() === "PATCH" && request.url().includes("/uploads/")) {
      parts.push(request.headers()["upload-offset"]);
    }
  });
  await card.getByRole("button", { name: "Send file" }).click();
  await card.getByText(/your file arrived/).waitFor();
  assert.deepEqual(parts, ["0", "8388608"], "sent resumably in two parts");
  assert.equal(await visitor.getByText(title).count(), 0, "the visitor's page does not list it");
  await visitor.screenshot({ path: `${SHOTS}/shared-upload-phone.png`, fullPage: true });
  await visitor.context().close();

  // The team finds it among the documents, internal.
  await admin.goto(`${TENANT}/documents`);
  const row = admin.getByRole("listitem").filter({ hasText: title });
  await row.waitFor();
  assert.match(await row.innerText(), /Internal/);
  await admin.context().close();
});
