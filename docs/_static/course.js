// Printing opens every dropdown (quiz answers, hints, solutions, check answers), so the
// paper copy holds them after their questions; closing the print dialog restores them.
(() => {
  let opened = [];
  addEventListener("beforeprint", () => {
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
// is idle, reading every size of a section before writing any tabindex. When every box
// is measured, <html> carries data-tab-stops="measured".
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
    const sections = [...root.querySelectorAll("article.bd-article > section > section")];
    const outside = [...root.querySelectorAll(BOXES)].filter(
      (box) => !sections.some((section) => section.contains(box)));
    const parts = [outside, ...sections.map((section) => [...section.querySelectorAll(BOXES)])];
    delete document.documentElement.dataset.tabStops;
    const next = () => {
      measure(parts.shift());
      if (parts.length) whenIdle(next);
      else document.documentElement.dataset.tabStops = "measured";
    };
    whenIdle(next);
  };
  let resized;
  addEventListener("load", measureAll);
  addEventListener("resize", () => { clearTimeout(resized); resized = setTimeout(measureAll, 300); });
})();
