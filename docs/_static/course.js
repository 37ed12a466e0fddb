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
