// Progressive enhancement for the portal's pages. Every page works without this file; it only
// adds conveniences where the browser runs scripts.
//
// Upload forms (`form[data-upload]`) are sent with XMLHttpRequest so a <progress> can show how
// far the upload is, with its text in a live region for screen readers. On success the browser
// follows the server's redirect; when the server refuses the upload, its page (the form with the
// reason next to the field) replaces this one. The file field's box (`[data-drop-zone]`) also
// takes a file dropped on it. Without script the same form posts as it is.
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

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (form.getAttribute("aria-busy") === "true") {
        return;
      }
      var request = new XMLHttpRequest();
      var announced = -1;
      busy(true);
      if (status) {
        status.hidden = false;
      }
      if (bar) {
        bar.value = 0;
      }
      say(text(form, "data-upload-progress", "percent", "0"));

      request.upload.addEventListener("progress", function (progress) {
        if (!progress.lengthComputable || !bar) {
          return;
        }
        var percent = Math.floor((progress.loaded / progress.total) * 100);
        bar.value = percent;
        // Every tenth is enough for a live region.
        var step = Math.floor(percent / 10);
        if (step !== announced) {
          announced = step;
          say(text(form, "data-upload-progress", "percent", String(percent)));
        }
      });
      request.addEventListener("load", function () {
        if (request.status >= 200 && request.status < 300 && request.responseURL) {
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
