// Which consent buttons a reader sees: for each [manager, selectors] the first selector
// whose element is shown (a box, not visibility: hidden), as [manager, selector] pairs.
// Evaluated by archiver/render/page.py, which then clicks them.
(managers) => {
  const shown = (element) => {
    const box = element.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== "hidden";
  };
  const found = [];
  for (const [manager, selectors] of managers) {
    const selector = selectors.find((candidate) => {
      const element = document.querySelector(candidate);
      return element !== null && shown(element);
    });
    if (selector !== undefined) found.push([manager, selector]);
  }
  return found;
}
