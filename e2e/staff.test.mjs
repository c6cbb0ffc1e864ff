// Browser tests of the team's pages: a manager publishes a milestone that is internal in the
// seed and the client then sees it and is notified; the staff pages render at desktop and phone widths without
// spilling sideways. Other test files run against the same server: nothing here depends on what
// they did, and whatever they published, this test finds (or makes) an internal milestone first.
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

/** The "done of total" milestone count of a project on the client's overview. */
async function progressOf(tab, project) {
  await tab.goto(`${TENANT}/`);
  const item = tab.locator("li.project", { has: tab.getByRole("heading", { name: project }) });
  const text = await item.innerText();
  const match = text.match(/(\d+) of (\d+) milestones completed/);
  assert.ok(match, `no milestone progress for ${project}: ${text}`);
  return { done: Number(match[1]), total: Number(match[2]) };
}

/** The titles of a project's milestones the signed-in person may see, from the API. */
async function milestoneTitles(tab, projectId) {
  const response = await tab.context().request.get(`${TENANT}/api/v1/projects/${projectId}/milestones`);
  assert.equal(response.status(), 200);
  const body = await response.json();
  return body.items.map((item) => item.title);
}

/** Waits until the notifications page of `tab` lists `title` (the server's dispatcher works
 *  in the background, within a second or so), then checks the entry and the unread badge. */
async function assertNotified(tab, title, event) {
  const entry = tab.locator("li.notifications__item", { hasText: title });
  for (let attempt = 0; attempt < 40; attempt += 1) {
    await tab.goto(`${TENANT}/notifications`);
    if ((await entry.count()) > 0) break;
    await tab.waitForTimeout(250);
  }
  assert.equal(await entry.count(), 1, `one notification about ${title}`);
  assert.match(await entry.innerText(), event);
  assert.match(await entry.getAttribute("class"), /notifications__item--unread/);
  const badge = tab.locator(".account__notifications .badge");
  assert.ok(Number(await badge.getAttribute("data-unread")) >= 1, "the badge counts it");
}

/** Fails when the page is wider than the viewport (a table or form spilling sideways). */
async function assertNoSidewaysScroll(tab, what) {
  const [scroll, client] = await tab.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ]);
  assert.ok(scroll <= client + 1, `${what} scrolls sideways: ${scroll} > ${client}`);
}

test("a manager publishes an internal milestone and the client then sees it", async () => {
  const project = "Website redesign";

  // The client before: the internal milestone is neither counted nor listed.
  const client = await page(WIDTHS.phone);
  await signIn(client, "sarah@acme.example");
  const before = await progressOf(client, project);

  const staff = await page(WIDTHS.desktop);
  await signIn(staff, "priya@northwind.example");
  await Promise.all([
    staff.waitForURL(`${TENANT}/staff/projects`),
    staff.getByRole("navigation").getByRole("link", { name: "Delivery" }).click(),
  ]);
  await staff.getByRole("heading", { level: 1, name: "Delivery" }).waitFor();
  await Promise.all([
    staff.waitForURL(/\/staff\/projects\/[0-9a-f-]+$/),
    staff.getByRole("link", { name: project, exact: true }).click(),
  ]);
  const projectId = staff.url().split("/").pop();
  await staff.getByRole("heading", { level: 1, name: project }).waitFor();

  // "Accessibility audit" is internal in the seed; if another test shared it, add a new one.
  let title = "Accessibility audit";
  const milestone = (name) =>
    staff.locator("li.staff-milestone", { has: staff.getByRole("heading", { level: 3, name }) });
  if ((await milestone(title).locator(".badge--internal").count()) === 0) {
    title = `Launch review ${Date.now()}`;
    await staff.getByText("Add a milestone", { exact: true }).click();
    await staff.locator("#milestone-new-title").fill(title);
    await Promise.all([
      staff.waitForURL(/notice=notice-staff-milestone-added/),
      staff.getByRole("button", { name: "Add milestone" }).click(),
    ]);
  }
  const item = milestone(title);
  assert.match(await item.locator(".toggle").innerText(), /Internal/);
  assert.ok(!(await milestoneTitles(client, projectId)).includes(title), "internal before");

  await Promise.all([
    staff.waitForURL(/notice=notice-staff-published/),
    item.getByRole("button", { name: `Share with client: ${title}` }).click(),
  ]);
  await staff.getByRole("status").filter({ hasText: "Shared with the client." }).waitFor();
  assert.match(await milestone(title).locator(".toggle").innerText(), /Shared with client/);
  await milestone(title).getByRole("button", { name: `Make internal: ${title}` }).waitFor();
  await staff.screenshot({ path: `${SHOTS}/staff-project-published-${WIDTHS.desktop}.png`, fullPage: true });
  await staff.context().close();

  // The client after: one more milestone on the overview, and listed by its title.
  const after = await progressOf(client, project);
  assert.equal(after.total, before.total + 1, "the overview counts the published milestone");
  assert.ok((await milestoneTitles(client, projectId)).includes(title), "the client sees it");
  // The client's project page, where it exists, names it too.
  const response = await client.goto(`${TENANT}/projects/${projectId}`);
  if (response.status() === 200) {
    await client.getByText(title).first().waitFor();
  }
  // …and the client is told: an unread notification, counted in the badge.
  await assertNotified(client, title, /A milestone was shared/);
  await assertNoSidewaysScroll(client, "the notifications page at 390");
  await client.screenshot({ path: `${SHOTS}/notifications-${WIDTHS.phone}.png`, fullPage: true });
  await client.context().close();
});

test("a client contact gets the branded 404 on the team's pages", async () => {
  const tab = await page(WIDTHS.phone);
  await signIn(tab, "james@acme.example");
  assert.equal(await tab.getByRole("link", { name: "Delivery" }).count(), 0);
  for (const path of ["/staff/projects", "/staff/clients", "/staff/approvals", "/staff/requests"]) {
    const response = await tab.goto(`${TENANT}${path}`);
    assert.equal(response.status(), 404, path);
    await tab.getByRole("heading", { name: "Page not found" }).waitFor();
  }
  await tab.context().close();
});

test("the team's pages render at desktop and phone widths", async () => {
  for (const [name, width] of Object.entries(WIDTHS)) {
    const tab = await page(width);
    await signIn(tab, "tom@northwind.example");
    const visit = async (path, heading, shot) => {
      const response = await tab.goto(`${TENANT}${path}`);
      assert.equal(response.status(), 200, path);
      await tab.getByRole("heading", { level: 1, name: heading }).waitFor();
      await assertNoSidewaysScroll(tab, `${path} at ${width}`);
      await tab.screenshot({ path: `${SHOTS}/staff-${shot}-${name}-${width}.png`, fullPage: true });
    };
    await visit("/staff/clients", "Clients", "clients");
    await Promise.all([
      tab.waitForURL(/\/staff\/clients\/[0-9a-f-]+$/),
      tab.getByRole("link", { name: "Acme Corp", exact: true }).click(),
    ]);
    await tab.getByRole("heading", { level: 1, name: "Acme Corp" }).waitFor();
    await tab.getByRole("region", { name: "Contacts" }).getByText("sarah@acme.example").waitFor();
    await assertNoSidewaysScroll(tab, `client page at ${width}`);
    await tab.screenshot({ path: `${SHOTS}/staff-client-${name}-${width}.png`, fullPage: true });
    await visit("/staff/people", "Team", "people");
    await visit("/staff/projects", "Delivery", "projects");
    await Promise.all([
      tab.waitForURL(/\/staff\/projects\/[0-9a-f-]+$/),
      tab.getByRole("link", { name: "Website redesign", exact: true }).click(),
    ]);
    await tab.getByRole("region", { name: "Milestones" }).waitFor();
    await assertNoSidewaysScroll(tab, `project page at ${width}`);
    await tab.screenshot({ path: `${SHOTS}/staff-project-${name}-${width}.png`, fullPage: true });
    await visit("/staff/approvals", "Approval queue", "approvals");
    await visit("/admin/webhooks", "Webhooks", "webhooks");
    await visit("/staff/requests", "Inbox", "requests");
    const first = tab.getByRole("region", { name: "Requests" }).getByRole("link").first();
    await Promise.all([tab.waitForURL(/\/staff\/requests\/[0-9a-f-]+$/), first.click()]);
    await tab.getByRole("region", { name: "Conversation" }).waitFor();
    await assertNoSidewaysScroll(tab, `request page at ${width}`);
    await tab.screenshot({ path: `${SHOTS}/staff-request-${name}-${width}.png`, fullPage: true });
    await tab.context().close();
  }
});
