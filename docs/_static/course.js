// Printing opens every dropdown (quiz answers, hints, solutions, check answers), so the
// paper copy holds them after their questions; closing the print dialog restores them.
// First it lays out every section that course.css still renders only near the screen:
// Chromium prints a section it has skipped as empty, and a dropdown opened while its
// section was skipped stays empty on paper too, so the order matters.
(() => {
  let opened = [];
  addEventListener("beforeprint", () => {
    for (const section of document.querySelectorAll("article.bd-article section section")) {
      section.classList.add("laid-out");
    }
    opened = [...document.querySelectorAll("details:not([open])")];
    for (const details of opened) details.setAttribute("open", "");
  });
  addEventListener("afterprint", () => {
    for (const details of opened) details.removeAttribute("open");
    opened = [];
  });
})();

// A code block or output wider (or taller) than its box scrolls, so it takes keyboard
// focus (tabindex 0) and the others do not (-1). The theme's own loop for this measured
// one element at a time and cost the whole page's layout per element; the site takes it
// out (coursesite/tabstops.py) and measures here, a section at a time while the browser
// is idle, reading every size of a section before writing any tabindex. A measured
// section is laid out for good (class "laid-out", course.css), so the finished page is an
// ordinary page for find, anchors and assistive tools. When every box is measured, <html>
// carries data-tab-stops="measured".
(() => {
  const BOXES = "pre, .cell_output > .output, .pst-scrollable-table-container";
  const whenIdle = window.requestIdleCallback || ((task) => setTimeout(task, 1));
  const scrolls = (box) => box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight;
  const measure = (boxes) => {
    const focusable = boxes.map(scrolls);  // every read first: one layout
    boxes.forEach((box, i) => { box.tabIndex = focusable[i] ? 0 : -1; });
  };
  const measureAll = () => {
    const root = document.getElementById("main-content") || document.body;
    // Sections below the page's own, in document order (a section before its subsections);
    // each box belongs to the innermost of them that holds it, or to the page ("outside").
    const sections = [...root.querySelectorAll("article.bd-article section section")];
    const owned = new Map([[null, []], ...sections.map((section) => [section, []])]);
    for (const box of root.querySelectorAll(BOXES)) {
      const section = box.closest("section");
      owned.get(owned.has(section) ? section : null).push(box);
    }
    const parts = [...owned];
    delete document.documentElement.dataset.tabStops;
    const next = () => {
      const [section, boxes] = parts.shift();
      measure(boxes);
      if (section) section.classList.add("laid-out");
      if (parts.length) whenIdle(next);
      else document.documentElement.dataset.tabStops = "measured";
    };
    whenIdle(next);
  };
  let resized;
  addEventListener("load", measureAll);
  addEventListener("resize", () => { clearTimeout(resized); resized = setTimeout(measureAll, 300); });
})();
