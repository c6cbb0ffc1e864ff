// Progressive enhancement for the portal's pages. Every page works without this file; it only
// adds conveniences where the browser runs scripts.
//
// Upload forms (`form[data-upload]`) are sent by script so a <progress> can show how far the
// upload is, with its text in a live region for screen readers. Where the form names a resumable
// endpoint (`data-resumable`, the API's tus 1.0.0 uploads), the file goes there in parts: a
// dropped connection is retried and resumed from the last byte the server kept, and choosing the
// same file again after a reload resumes it too (its address is kept in localStorage). A finished
// upload opens its document (`data-resumable-done`), or — on a share link's page — is announced
// in place (`data-upload-sent`) and the form takes the next file. When the
// server refuses to begin (a name, size or choice it does not accept), the form is posted as it
// is, so its page shows the reason next to the field. Otherwise (or without that endpoint) the
// form goes with XMLHttpRequest: on success the browser follows the server's redirect; on a
// refusal, its page replaces this one. The file field's box (`[data-drop-zone]`) also takes a
// file dropped on it. Without script the same form posts as it is.
"use strict";

(function () {
  /** Text of a data attribute with `{name}` replaced. */
  function text(form, attribute, name, value) {
    var template = form.getAttribute(attribute) || "";
    return name ? template.split("{" + name + "}").join(value) : template;
  }

  /** Shows the server's page in place of this one, and enhances it in turn. */
  function showPage(html) {
    var parsed = new DOMParser().parseFromString(html, "text/html");
    if (!parsed.body) {
      return false;
    }
    document.title = parsed.title;
    document.body.replaceWith(document.adoptNode(parsed.body));
    enhance(document);
    var alert = document.querySelector("[role=alert]") || document.getElementById("main");
    if (alert) {
      if (!alert.hasAttribute("tabindex")) {
        alert.setAttribute("tabindex", "-1");
      }
      alert.focus();
    }
    return true;
  }

  /** Bytes per PATCH: small enough to lose little to a dropped connection. */
  var PART_BYTES = 8 * 1024 * 1024;
  /** Waits between attempts after a dropped connection, in seconds. */
  var RETRY_SECONDS = [1, 2, 4, 8, 15, 30, 30, 60];

  /** Base64 of a text's UTF-8 bytes, as Upload-Metadata carries values. */
  function base64(textValue) {
    var bytes = new TextEncoder().encode(textValue);
    var binary = "";
    for (var i = 0; i < bytes.length; i += 1) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary);
  }

  function tusHeaders(extra) {
    var headers = { "Tus-Resumable": "1.0.0" };
    Object.keys(extra || {}).forEach(function (name) {
      headers[name] = extra[name];
    });
    return headers;
  }

  /**
   * Sends `file` to the form's tus endpoint. `ui` reports progress and the outcome:
   * `ui.progress(sent, total)`, `ui.resuming(sent, total)`, `ui.done(documentId)`,
   * `ui.refusedAtStart()` (nothing sent: post the form instead), `ui.failed(refused)`.
   */
  function sendResumable(form, file, ui) {
    var endpoint = form.getAttribute("data-resumable");
    var project = form.querySelector("select[name=project]");
    var title = form.querySelector("input[name=title]");
    var share = form.querySelector("input[name=share]");
    var document_ = form.getAttribute("data-resumable-document");
    var pairs = [["filename", file.name]];
    if (document_) {
      pairs.push(["document", document_]);
    } else {
      // A share link's form names no project: the link's own is the target.
      if (project) {
        pairs.push(["project", project.value]);
        pairs.push(["visibility", share && share.checked ? "shared" : "internal"]);
      }
      if (title && title.value.trim()) {
        pairs.push(["title", title.value.trim()]);
      }
    }
    var metadata = pairs
      .map(function (pair) {
        return pair[0] + " " + base64(pair[1]);
      })
      .join(",");
    var key = "portal-upload:" + [endpoint, metadata, file.size, file.lastModified].join("|");
    var attempt = 0;

    function remember(url) {
      try {
        if (url) {
          window.localStorage.setItem(key, url);
        } else {
          window.localStorage.removeItem(key);
        }
      } catch (ignored) {
        // Private browsing: resuming after a reload is lost, nothing else.
      }
    }

    function remembered() {
      try {
        return window.localStorage.getItem(key);
      } catch (ignored) {
        return null;
      }
    }

    function retry(url, sent) {
      if (attempt >= RETRY_SECONDS.length) {
        ui.failed(false);
        return;
      }
      ui.resuming(sent, file.size);
      var wait = RETRY_SECONDS[attempt] * 1000;
      attempt += 1;
      window.setTimeout(function () {
        resume(url);
      }, wait);
    }

    /** Asks where the upload stands, then sends from there. */
    function resume(url) {
      fetch(url, { method: "HEAD", headers: tusHeaders(), cache: "no-store" })
        .then(function (response) {
          if (response.status === 404 || response.status === 410) {
            remember(null);
            begin();
            return;
          }
          if (!response.ok) {
            retry(url, 0);
            return;
          }
          send(url, Number(response.headers.get("Upload-Offset")));
        })
        .catch(function () {
          retry(url, 0);
        });
    }

    function begin() {
      fetch(endpoint, {
        method: "POST",
        headers: tusHeaders({ "Upload-Length": String(file.size), "Upload-Metadata": metadata }),
      })
        .then(function (response) {
          var url = response.headers.get("Location");
          if (response.status === 201 && url) {
            remember(url);
            send(url, 0);
          } else if (response.status >= 400 && response.status < 500) {
            ui.refusedAtStart();
          } else {
            ui.failed(false);
          }
        })
        .catch(function () {
          ui.failed(false);
        });
    }

    /** Sends the part at `offset`, and the next ones until the file is complete. */
    function send(url, offset) {
      var request = new XMLHttpRequest();
      var part = file.slice(offset, Math.min(offset + PART_BYTES, file.size));
      request.upload.addEventListener("progress", function (progress) {
        ui.progress(offset + progress.loaded, file.size);
      });
      request.addEventListener("load", function () {
        var kept = Number(request.getResponseHeader("Upload-Offset"));
        if (request.status === 204) {
          attempt = 0;
          var documentId = request.getResponseHeader("Portal-Document-Id");
          if (documentId) {
            remember(null);
            ui.done(documentId);
          } else {
            send(url, kept);
          }
        } else if (request.status === 409 && !isNaN(kept)) {
          send(url, kept);
        } else if (request.status === 423 || request.status >= 500) {
          retry(url, offset);
        } else if (request.status === 404) {
          remember(null);
          ui.failed(false);
        } else {
          remember(null);
          ui.failed(true);
        }
      });
      ["error", "abort", "timeout"].forEach(function (type) {
        request.addEventListener(type, function () {
          retry(url, offset);
        });
      });
      request.open("PATCH", url);
      request.setRequestHeader("Tus-Resumable", "1.0.0");
      request.setRequestHeader("Upload-Offset", String(offset));
      request.setRequestHeader("Content-Type", "application/offset+octet-stream");
      request.send(part);
    }

    var known = remembered();
    if (known) {
      resume(known);
    } else {
      begin();
    }
  }

  function enhanceUpload(form) {
    if (form.dataset.enhanced || !window.FormData || !window.XMLHttpRequest) {
      return;
    }
    form.dataset.enhanced = "true";
    var status = form.querySelector("[data-upload-status]");
    var bar = status && status.querySelector("progress");
    var line = status && status.querySelector("[aria-live]");
    var submit = form.querySelector("button[type=submit]");
    var input = form.querySelector("input[type=file]");
    var zone = form.querySelector("[data-drop-zone]");

    function say(message) {
      if (line) {
        line.textContent = message;
      }
    }

    function busy(on) {
      if (on) {
        form.setAttribute("aria-busy", "true");
      } else {
        form.removeAttribute("aria-busy");
      }
      if (submit) {
        submit.disabled = on;
      }
    }

    if (zone && input) {
      var hint = zone.querySelector("[data-drop-hint]");
      if (hint) {
        hint.hidden = false;
      }
      var active = function (on) {
        zone.classList.toggle("upload__drop--active", on);
      };
      ["dragenter", "dragover"].forEach(function (type) {
        zone.addEventListener(type, function (event) {
          event.preventDefault();
          active(true);
        });
      });
      zone.addEventListener("dragleave", function (event) {
        if (!zone.contains(event.relatedTarget)) {
          active(false);
        }
      });
      zone.addEventListener("drop", function (event) {
        event.preventDefault();
        active(false);
        var files = event.dataTransfer && event.dataTransfer.files;
        if (!files || files.length === 0) {
          return;
        }
        // Only one file per upload: keep the first.
        var chosen = new DataTransfer();
        chosen.items.add(files[0]);
        input.files = chosen.files;
        input.dispatchEvent(new Event("change", { bubbles: true }));
        if (status) {
          status.hidden = false;
        }
        say(text(form, "data-upload-drop", "file", files[0].name));
      });
    }

    function showProgress(sent, total) {
      var percent = total > 0 ? Math.floor((sent / total) * 100) : 100;
      if (bar) {
        bar.value = percent;
      }
      // Every tenth is enough for a live region.
      var step = Math.floor(percent / 10);
      if (step !== announced) {
        announced = step;
        say(text(form, "data-upload-progress", "percent", String(percent)));
      }
    }

    var announced = -1;

    /** The form as it is, by XMLHttpRequest: the server's page answers. */
    function postForm() {
      var request = new XMLHttpRequest();
      request.upload.addEventListener("progress", function (progress) {
        if (progress.lengthComputable) {
          showProgress(progress.loaded, progress.total);
        }
      });
      request.addEventListener("load", function () {
        // A redirect (to the new document) is followed; a page answered in place (a share
        // link's, saying the file arrived) replaces this one below.
        var redirected = request.responseURL && request.responseURL !== form.action;
        if (request.status >= 200 && request.status < 300 && redirected) {
          if (bar) {
            bar.value = 100;
          }
          say(text(form, "data-upload-done"));
          window.location.assign(request.responseURL);
          return;
        }
        busy(false);
        if (!showPage(request.responseText)) {
          say(text(form, "data-upload-failed"));
        }
      });
      ["error", "abort", "timeout"].forEach(function (type) {
        request.addEventListener(type, function () {
          busy(false);
          say(text(form, "data-upload-failed"));
        });
      });
      request.open("POST", form.action);
      request.send(new FormData(form));
    }

    var resumable =
      form.hasAttribute("data-resumable") && window.fetch && window.TextEncoder && window.Blob;

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (form.getAttribute("aria-busy") === "true") {
        return;
      }
      busy(true);
      announced = -1;
      if (status) {
        status.hidden = false;
      }
      if (bar) {
        bar.value = 0;
      }
      say(text(form, "data-upload-progress", "percent", "0"));
      var file = input && input.files && input.files[0];
      if (!resumable || !file) {
        postForm();
        return;
      }
      sendResumable(form, file, {
        progress: showProgress,
        resuming: function (sent, total) {
          var percent = total > 0 ? Math.floor((sent / total) * 100) : 0;
          say(text(form, "data-upload-resuming", "percent", String(percent)));
        },
        done: function (documentId) {
          if (bar) {
            bar.value = 100;
          }
          var next = form.getAttribute("data-resumable-done");
          if (next) {
            say(text(form, "data-upload-done"));
            window.location.assign(next.split("{id}").join(documentId));
            return;
          }
          // A visitor's form stays: it says the file arrived and takes the next one.
          busy(false);
          form.reset();
          say(text(form, "data-upload-sent"));
        },
        refusedAtStart: postForm,
        failed: function (refused) {
          busy(false);
          say(text(form, refused ? "data-upload-refused" : "data-upload-failed"));
        },
      });
    });
  }

  function enhance(root) {
    Array.prototype.forEach.call(root.querySelectorAll("form[data-upload]"), enhanceUpload);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      enhance(document);
    });
  } else {
    enhance(document);
  }
})();
