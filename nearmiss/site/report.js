/* nearmiss: the form of the page "Report a near miss" (nearmiss/site/report.py).
 *
 * It writes a new record as `nearmiss new` would: the header and the order of the fields
 * come from the form's data attributes, status is the first of the lifecycle, `reported`
 * and the default `occurred` are today in the reader's own time. Every value reads back
 * as exactly the text typed: a one-line value is plain only when it matches the page's
 * data-plain pattern (and is no YAML 1.1 word such as `no`), otherwise a JSON string,
 * with what YAML would not take as it is (controls, line separators) escaped; a story is
 * a literal block when that keeps it exactly, otherwise a JSON string too.
 *
 * Nothing typed is ever parsed as HTML: text goes into the page with textContent only.
 * No library, no request: it works offline, and the record leaves the page only through
 * the reader's own copy, download or "propose" link.
 */
(() => {
  "use strict";
  const form = document.getElementById("nearmiss-form");
  if (!form) return;
  const data = form.dataset;
  const result = document.getElementById("nm-report-result");
  const yamlOut = document.getElementById("nearmiss-yaml");
  const pathOut = document.getElementById("nearmiss-path");
  const status = document.getElementById("nm-report-status");
  const summary = document.getElementById("nm-report-summary");
  const propose = document.getElementById("nm-report-propose");
  const tooLong = document.getElementById("nm-report-long");
  const plain = new RegExp("^(?:" + data.plain + ")$");
  const words = new Set(data.words.split(" "));
  const titleMax = Number(data.titleMax);
  const MAX_URL = 8000; // longer links may be refused by the host or the browser
  const SLUG_WORDS = 8; // as nearmiss.authoring.new.slugify
  const LINE_BREAKS = /[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/; // str.splitlines() splits on these
  // what YAML does not take as it is inside quotes or a block: C0 and C1 controls (tab and
  // line feed aside), line separators it would fold, the byte-order mark, non-characters
  // and lone surrogates
  const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?:^|[^\ud800-\udbff])[\udc00-\udfff]/;
  const ESCAPED = /[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/g; // JSON.stringify leaves them
  // Python's whitespace (str.isspace, str.strip), which is not JavaScript's \s: the
  // check's "no text" and the names new strips
  const SPACE = "[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
  const BLANK = new RegExp(`^${SPACE}*$`);
  const ENDS = new RegExp(`^${SPACE}+|${SPACE}+$`, "g");
  let written = false; // the record has been written once: from then on it follows the form

  document.getElementById("nm-report-noscript").hidden = true;

  function today() {
    const d = new Date();
    const two = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
  }

  function slugify(title) {
    // Python's NFKD + encode("ascii", "ignore"): every non-ASCII character left is dropped
    const folded = title.normalize("NFKD").replace(/[^\x00-\x7f]/g, "").toLowerCase();
    return (folded.match(/[a-z0-9]+/g) || []).slice(0, SLUG_WORDS).join("-") || "record";
  }

  function quoted(text) {
    return JSON.stringify(text).replace(
      ESCAPED, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
  }

  function scalar(text) {
    return plain.test(text) && !words.has(text.toLowerCase()) ? text : quoted(text);
  }

  function block(text) {
    // a literal block keeps the text exactly when it starts with a visible character
    // (the block's indentation is read from its first line) and holds nothing unsafe;
    // the chomping indicator keeps as many line breaks at the end as were typed
    if (!/^\S/.test(text) || UNSAFE.test(text)) return quoted(text);
    const ending = /\n*$/.exec(text)[0].length;
    const lines = text.slice(0, text.length - ending).split("\n");
    for (let i = 1; i < ending; i++) lines.push(""); // the breaks '+' keeps after the first
    const chomp = ending === 0 ? "-" : ending === 1 ? "" : "+";
    return "|" + chomp + "\n" + lines.map((l) => (l ? "  " + l : "")).join("\n");
  }

  function names(text) {
    return text.split(/[;,]/).map((n) => n.replace(ENDS, "")).filter((n) => n);
  }

  const fields = Array.from(form.querySelectorAll("[data-field]"));
  const control = (field) => field.querySelector("input, select, textarea");

  function kind() {
    const checked = form.querySelector('input[name="kind"]:checked');
    return checked ? checked.value : "";
  }

  function value(field) {
    if (field.dataset.field === "kind") return kind();
    return control(field).value;
  }

  // show the fields this kind asks, required as this kind needs them
  function follow() {
    const k = kind();
    for (const field of fields) {
      const shown = field.dataset.kinds.split(" ").includes(k);
      field.hidden = !shown;
      if (field.dataset.field !== "kind") {
        control(field).required = field.dataset.required.split(" ").includes(k);
      }
    }
  }

  function problem(field, k) {
    const name = field.dataset.field;
    const text = value(field);
    const input = control(field);
    const required = field.dataset.required.split(" ").includes(k);
    if (field.dataset.type === "date") {
      if (input.validity && input.validity.badInput) return "Give the whole date: day, month and year.";
      if (!text) return required ? "Give the date it happened." : "";
      if (text > today()) return "This date is in the future; give the day it happened.";
      return "";
    }
    if (BLANK.test(text)) {
      if (!required) return "";
      return input.tagName === "SELECT" || name === "kind" ? "Choose one." : "Please fill this in.";
    }
    if (name === "title") {
      if (LINE_BREAKS.test(text)) return "Keep the title on one line.";
      const length = Array.from(text).length;
      if (length > titleMax) {
        return `The title has ${length} characters; at most ${titleMax} fit. Say the rest in the story.`;
      }
    }
    return "";
  }

  function check() {
    const k = kind();
    const wrong = [];
    for (const field of fields) {
      if (field.hidden) continue;
      const message = problem(field, k);
      const error = document.getElementById("nm-error-" + field.dataset.field);
      error.textContent = message;
      error.hidden = !message;
      const input = field.dataset.field === "kind" ? null : control(field);
      if (input) input.setAttribute("aria-invalid", message ? "true" : "false");
      if (message) wrong.push(field);
    }
    return wrong;
  }

  function record() {
    const k = kind();
    const day = value(fields.find((f) => f.dataset.field === "occurred")) || today();
    const given = { status: data.status, reported: today(), occurred: day };
    for (const field of fields) {
      if (field.hidden || field.dataset.field === "occurred") continue;
      const text = value(field);
      if (!BLANK.test(text)) given[field.dataset.field] = text;
    }
    const out = [];
    for (const name of data.order.split(" ")) {
      const field = fields.find((f) => f.dataset.field === name);
      const text = given[name];
      if (text === undefined) continue;
      const type = field ? field.dataset.type : "date";
      if (type === "texts") {
        const list = names(text);
        if (list.length) out.push(`${name}: [${list.map(scalar).join(", ")}]`);
      } else if (type === "date") {
        out.push(`${name}: ${text}`);
      } else if (type === "markdown") {
        out.push(`${name}: ${block(text)}`);
      } else {
        out.push(`${name}: ${scalar(text)}`);
      }
    }
    const id = `${day}-${slugify(given.title || "")}`;
    return { kind: k, year: day.slice(0, 4), name: `${id}.yaml`,
             text: data.header + out.join("\n") + "\n" };
  }

  function say(element, text) {
    // only a change: a live region announces every text it is given
    if (element.textContent !== text) element.textContent = text;
    element.hidden = !text;
  }

  // the record, shown with its path and links; or, when an answer is wrong, the fields
  function show() {
    const wrong = check();
    if (wrong.length) {
      result.hidden = true;
      say(summary, wrong.length === 1
        ? "One answer needs another look: see the message next to it."
        : `${wrong.length} answers need another look: see the messages next to them.`);
      return wrong;
    }
    say(summary, "");
    const made = record();
    yamlOut.textContent = made.text;
    pathOut.textContent = `${made.year}/${made.name}`;
    if (propose) {
      const link = data.newFile + encodeURIComponent(made.year) + "?" + data.nameParam + "=" +
        encodeURIComponent(made.name) + "&" + data.contentParam + "=" +
        encodeURIComponent(made.text);
      const fits = link.length <= MAX_URL;
      propose.hidden = !fits;
      tooLong.hidden = fits;
      if (fits) propose.href = link; else propose.removeAttribute("href");
    }
    result.hidden = false;
    return wrong;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    follow();
    const wrong = show();
    if (wrong.length) {
      const first = wrong[0].dataset.field === "kind"
        ? wrong[0].querySelector("input") : control(wrong[0]);
      first.focus();
    } else {
      written = true;
      status.textContent = "";
      document.getElementById("nm-report-result-title").focus();
    }
  });

  for (const type of ["input", "change"]) {
    form.addEventListener(type, () => {
      follow();
      if (written) show();
    });
  }

  document.getElementById("nm-report-copy").addEventListener("click", () => {
    const text = yamlOut.textContent;
    const selectIt = () => {
      const range = document.createRange();
      range.selectNodeContents(yamlOut);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      let copied = false;
      try {
        copied = document.execCommand("copy");
      } catch (e) {
        copied = false;
      }
      status.textContent = copied ? "Copied." : "The record is selected: press Ctrl+C (or ⌘C) to copy it.";
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(() => {
        status.textContent = "Copied.";
      }, selectIt);
    } else {
      selectIt();
    }
  });

  document.getElementById("nm-report-download").addEventListener("click", () => {
    const name = pathOut.textContent.split("/").pop();
    const url = URL.createObjectURL(new Blob([yamlOut.textContent], { type: "application/yaml" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    status.textContent = `Downloaded ${name}.`;
  });

  const occurred = form.querySelector('input[name="occurred"]');
  if (occurred) {
    occurred.max = today();
    if (!occurred.value) occurred.value = today();
  }
  follow();
})();
