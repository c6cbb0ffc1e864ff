// Passkeys (WebAuthn) for the sign-in form and the passkeys page. Both work as plain forms: this
// file shows them only where the browser has passkeys (`window.PublicKeyCredential`), asks the
// server for the ceremony's options, lets the browser make or use a credential, puts its answer
// (JSON) into the form's hidden fields and submits the form. The server's answer is a page, as
// for any form: a redirect once signed in or stored, the form with a message otherwise.
//
// The server speaks the JSON of webauthn-rs: every byte string is base64url without padding. The
// browser's API takes and gives ArrayBuffers, so this file converts both ways.
"use strict";

(() => {
  if (!window.PublicKeyCredential || !navigator.credentials) {
    return;
  }

  /** base64url text (no padding) as an ArrayBuffer. */
  const toBuffer = (text) => {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "===".slice((base64.length + 3) % 4);
    const binary = atob(padded);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  };

  /** An ArrayBuffer as base64url text without padding. */
  const toText = (buffer) => {
    const bytes = new Uint8Array(buffer);
    let binary = "";
    for (let i = 0; i < bytes.length; i += 1) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };

  /** Asks the server for a ceremony: `{ceremony, options}`, or a redirect to follow. */
  const fetchOptions = async (form) => {
    const body = new URLSearchParams();
    body.set("csrf_token", form.elements.csrf_token.value);
    const response = await fetch(form.dataset.options, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body,
    });
    const answer = await response.json();
    if (answer.confirm) {
      // A recent sign-in is needed first: the password prompt returns to this page.
      window.location.assign(answer.confirm);
      return null;
    }
    if (!response.ok) {
      throw new Error("options refused");
    }
    return answer;
  };

  /** The creation options for `navigator.credentials.create`. */
  const creationOptions = (options) => {
    const publicKey = { ...options.publicKey };
    publicKey.challenge = toBuffer(publicKey.challenge);
    publicKey.user = { ...publicKey.user, id: toBuffer(publicKey.user.id) };
    publicKey.excludeCredentials = (publicKey.excludeCredentials || []).map((credential) => ({
      ...credential,
      id: toBuffer(credential.id),
    }));
    return { publicKey };
  };

  /** The request options for `navigator.credentials.get`. */
  const requestOptions = (options) => {
    const publicKey = { ...options.publicKey };
    publicKey.challenge = toBuffer(publicKey.challenge);
    publicKey.allowCredentials = (publicKey.allowCredentials || []).map((credential) => ({
      ...credential,
      id: toBuffer(credential.id),
    }));
    return { publicKey };
  };

  /** A new credential as the server reads it. */
  const registration = (credential) => ({
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    response: {
      attestationObject: toText(credential.response.attestationObject),
      clientDataJSON: toText(credential.response.clientDataJSON),
      transports: credential.response.getTransports ? credential.response.getTransports() : [],
    },
    extensions: credential.getClientExtensionResults(),
  });

  /** An assertion as the server reads it. */
  const assertion = (credential) => ({
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    response: {
      authenticatorData: toText(credential.response.authenticatorData),
      clientDataJSON: toText(credential.response.clientDataJSON),
      signature: toText(credential.response.signature),
      userHandle: credential.response.userHandle
        ? toText(credential.response.userHandle)
        : null,
    },
    extensions: credential.getClientExtensionResults(),
  });

  /** Shows `message` in the form's alert. */
  const fail = (form, message) => {
    const alert = form.querySelector("[data-passkey-error]");
    if (alert) {
      alert.textContent = message;
      alert.hidden = false;
    }
  };

  /** Runs a ceremony on submit: options, the browser's part, then the real submission. */
  const enhance = (form, ceremony) => {
    let busy = false;
    form.addEventListener("submit", async (event) => {
      if (form.elements.credential.value) {
        return; // The answer is in: let the form go.
      }
      event.preventDefault();
      if (busy) {
        return;
      }
      busy = true;
      try {
        const answer = await fetchOptions(form);
        if (answer) {
          form.elements.ceremony.value = answer.ceremony;
          form.elements.credential.value = JSON.stringify(await ceremony(answer.options));
          form.submit();
        }
      } catch (error) {
        // Cancelled, timed out, or no passkey for this site: the form stays as it was.
        form.elements.credential.value = "";
        fail(form, form.dataset.error || String(error));
      } finally {
        busy = false;
      }
    });
  };

  const login = document.querySelector("[data-passkey-login]");
  if (login) {
    const form = login.querySelector("form");
    enhance(form, async (options) =>
      assertion(await navigator.credentials.get(requestOptions(options))),
    );
    login.hidden = false;
  }

  const register = document.querySelector("[data-passkey-register]");
  if (register) {
    enhance(register, async (options) =>
      registration(await navigator.credentials.create(creationOptions(options))),
    );
    register.hidden = false;
    const note = document.querySelector("[data-passkey-unsupported]");
    if (note) {
      note.hidden = true;
    }
  }
})();
