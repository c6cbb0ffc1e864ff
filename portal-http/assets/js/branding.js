// The branding editor's live preview. The editor works without this file.
//
// As a colour, the font or the name changes, the sample panel (`[data-brand-sample]`) gets the
// same custom properties the theme stylesheet would give the page — set through the CSSOM
// (`style.setProperty`), which the pages' CSP allows, never as markup. Each colour's picker and
// code field are kept in step. Nothing is saved until the form is submitted.
"use strict";

(() => {
  const form = document.querySelector("[data-branding-editor]");
  const sample = document.querySelector("[data-brand-sample]");
  if (!form || !sample) {
    return;
  }

  const SYSTEM_FONTS =
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

  /** `#rgb` or `#rrggbb` as lower-case `#rrggbb`, or null. */
  const normalise = (text) => {
    const value = text.trim().toLowerCase();
    if (/^#[0-9a-f]{6}$/.test(value)) {
      return value;
    }
    if (/^#[0-9a-f]{3}$/.test(value)) {
      return `#${[...value.slice(1)].map((c) => c + c).join("")}`;
    }
    return null;
  };

  /** WCAG 2 relative luminance of `#rrggbb`, as the server computes it. */
  const luminance = (hex) => {
    const linear = (at) => {
      const c = parseInt(hex.slice(at, at + 2), 16) / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * linear(1) + 0.7152 * linear(3) + 0.0722 * linear(5);
  };

  /** White or near-black, whichever reads better on `hex` (as the theme does). */
  const inkOn = (hex) => {
    const l = luminance(hex);
    return 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? "#ffffff" : "#111827";
  };

  /** The colour for links on white: the brand colour when it has 4.5:1, else dark ink. */
  const linkColour = (hex) => (1.05 / (luminance(hex) + 0.05) >= 4.5 ? hex : "#1f2937");

  /** The font stack the theme would write: each family quoted, then the system fonts. */
  const fontStack = (text) => {
    const families = text
      .split(",")
      .map((family) => family.replace(/[^A-Za-z0-9 -]/g, "").trim())
      .filter((family) => family.length > 0)
      .map((family) => `"${family}"`);
    return families.length ? `${families.join(", ")}, ${SYSTEM_FONTS}` : SYSTEM_FONTS;
  };

  const setColour = (which, hex) => {
    sample.style.setProperty(`--brand-${which}`, hex);
    sample.style.setProperty(`--brand-on-${which}`, inkOn(hex));
    if (which === "primary") {
      sample.style.setProperty("--brand-link", linkColour(hex));
    }
  };

  for (const code of form.querySelectorAll("[data-colour-code]")) {
    const which = code.dataset.colourCode;
    const picker = form.querySelector(`[data-colour-picker="${code.id}"]`);
    code.addEventListener("input", () => {
      const hex = normalise(code.value);
      if (hex) {
        if (picker) {
          picker.value = hex;
        }
        setColour(which, hex);
      }
    });
    if (picker) {
      picker.addEventListener("input", () => {
        code.value = picker.value;
        setColour(which, picker.value);
      });
    }
  }

  const font = form.querySelector("[data-brand-font-input]");
  if (font) {
    font.addEventListener("input", () => {
      sample.style.setProperty("--brand-font", fontStack(font.value));
    });
  }

  const name = form.querySelector("[data-brand-name-input]");
  const sampleName = sample.querySelector("[data-brand-sample-name]");
  if (name && sampleName) {
    name.addEventListener("input", () => {
      sampleName.textContent = name.value;
    });
  }
})();
