/* nearmiss: the Pagefind search dialog, opened the ways Material's search opens.
 *
 * Pagefind's trigger button opens it, and Ctrl+K (Cmd+K on a Mac). This adds Material's
 * keys, / and s (and f), when the reader is not typing somewhere; makes Material's own
 * "Search" labels (for="__search", as on the page not found) open it; starts loading
 * the search engine when a pointer or the focus reaches the button; and, on a page
 * opened from a result, marks the words searched for (pagefind-highlight.js, fetched
 * only then). Served from the site itself, as is everything the search loads.
 *
 * A big site's index is in parts (nearmiss.site.search.partition): the build writes their
 * folders, relative to the main bundle, into `parts` below, and the dialog merges them
 * into the main bundle's results, one list ranked by score, before its first search.
 */
(() => {
  "use strict";
  const here = document.currentScript ? document.currentScript.src : location.href;
  const bundle = new URL("../pagefind/", here);
  const param = "highlight";
  const parts = [];
  const modal = () => document.querySelector("pagefind-modal");

  // The Component UI has read its <pagefind-config> (its script runs first) and loads
  // Pagefind only when a search starts: merged bundles given now are merged then. Each
  // formats its own results, so it gets the same site root and highlight parameter.
  if (parts.length && window.PagefindComponents) {
    const root = new URL("../", here).pathname;
    const instance = window.PagefindComponents.getInstanceManager().getInstance("default");
    instance.options.mergeIndex = parts.map((part) => ({
      bundlePath: new URL(`${part}/`, bundle).pathname, baseUrl: root, highlightParam: param,
    }));
  }

  const typing = (element) => {
    for (let el = element; el; el = el.parentElement) {
      if (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) return true;
    }
    return false;
  };

  const open = () => {
    const dialog = modal();
    if (!dialog || typeof dialog.open !== "function") return false;
    if (!dialog.isOpen) dialog.open();
    return true;
  };

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (!["/", "s", "S", "f", "F"].includes(event.key) || typing(event.target)) return;
    const dialog = modal();
    if (!dialog || dialog.isOpen) return;
    if (open()) event.preventDefault();
  });

  // Pagefind loads its engine when the dialog opens; a pointer on the button, or focus
  // on it, says a search is coming, so start then (once) and the first answer is sooner.
  let warmed = false;
  const warm = () => {
    if (warmed || !window.PagefindComponents) return;
    warmed = true;
    try {
      window.PagefindComponents.getInstanceManager().getInstance("default").triggerLoad();
    } catch (error) {
      warmed = false;
    }
  };
  const button = document.querySelector(".nm-search");
  if (button) {
    for (const type of ["pointerenter", "focusin", "touchstart"]) {
      button.addEventListener(type, warm, { passive: true });
    }
  }

  const toggle = document.getElementById("__search");
  if (toggle) {
    toggle.addEventListener("change", () => {
      if (!toggle.checked) return;
      toggle.checked = false;
      open();
    });
  }

  if (new URLSearchParams(location.search).has(param)) {
    import(new URL("pagefind-highlight.js", bundle).href)
      .then((module) => new module.default({ highlightParam: param, addStyles: false }))
      .catch(() => {});
  }
})();
