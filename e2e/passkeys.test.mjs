// Browser test of passkeys with Chromium's virtual authenticator (the DevTools protocol's
// WebAuthn domain): sign in with the password, add a passkey under a name, see it listed, sign
// out, sign in with the passkey alone — no email, no password — and revoke it.
//
// WebAuthn needs a host name as the relying party id (browsers refuse IP addresses), so
// `.ci/e2e.sh` serves the portal as http://localhost:<port>. The test signs in as
// maya@northwind.example, whom no other file uses, and leaves her without a passkey.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { TENANT, SHOTS, WIDTHS, launch, newPage, signIn } from "./support.mjs";

const MAYA = "maya@northwind.example";
const NAME = "E2E laptop";

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** A virtual platform authenticator (resident keys, user verification) for the tab's page. */
async function virtualAuthenticator(tab) {
  const cdp = await tab.context().newCDPSession(tab);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

test("a passkey is added, signs in without a password and is revoked", async () => {
  const tab = await newPage(browser, WIDTHS.desktop);
  const { cdp, authenticatorId } = await virtualAuthenticator(tab);
  await signIn(tab, MAYA);

  // Add a passkey under a name; the list shows it.
  await tab.goto(`${TENANT}/account/passkeys`);
  assert.match(await tab.title(), /Passkeys/);
  await tab.getByLabel("Name", { exact: true }).fill(NAME);
  await Promise.all([
    tab.waitForURL(/\/account\/passkeys\?notice=notice-account-passkey-added$/),
    tab.getByRole("button", { name: "Add passkey" }).click(),
  ]);
  await tab.getByText("Your passkey was added.").waitFor();
  const item = tab.locator(`[data-passkey="${NAME}"]`);
  await item.waitFor();
  assert.match(await item.textContent(), /Not used yet/);
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  assert.equal(credentials.length, 1, "the authenticator holds one passkey");
  assert.equal(credentials[0].isResidentCredential, true, "a discoverable credential");
  await tab.screenshot({ path: `${SHOTS}/passkeys-${WIDTHS.desktop}.png`, fullPage: true });

  // Sign out, then sign in with the passkey: no email, no password.
  await Promise.all([
    tab.waitForURL(`${TENANT}/login`),
    tab.getByRole("button", { name: /sign out/i }).click(),
  ]);
  const passkeyButton = tab.getByRole("button", { name: "Sign in with a passkey" });
  await passkeyButton.waitFor();
  await tab.screenshot({ path: `${SHOTS}/login-passkey-${WIDTHS.desktop}.png`, fullPage: true });
  await Promise.all([tab.waitForURL(`${TENANT}/`), passkeyButton.click()]);
  await tab.goto(`${TENANT}/account/passkeys`);
  await item.waitFor();
  assert.match(await item.textContent(), /Last used/);

  // Revoke it: the list is empty again, and the passkey no longer signs in.
  await Promise.all([
    tab.waitForURL(/notice=notice-account-passkey-revoked$/),
    item.getByRole("button", { name: `Remove the passkey ${NAME}` }).click(),
  ]);
  await tab.getByText("You have no passkeys yet.").waitFor();
  await Promise.all([
    tab.waitForURL(`${TENANT}/login`),
    tab.getByRole("button", { name: /sign out/i }).click(),
  ]);
  await Promise.all([
    tab.waitForURL(`${TENANT}/login/passkey`),
    tab.getByRole("button", { name: "Sign in with a passkey" }).click(),
  ]);
  await tab.getByText("This passkey did not sign you in.").waitFor();
  await tab.context().close();
});
