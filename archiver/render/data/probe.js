// What a reader sees once scripts have run, measured in the page (computed styles and
// layout exist only in the browser). Evaluated by archiver/render/page.py; returns the
// fields of archiver.paywall.rendered.RenderedFacts.
(options) => {
  const wordPattern = /[\p{L}\p{N}]+/gu;
  const words = (text) => (text.match(wordPattern) || []).length;
  const skipped = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "SVG"]);
  const describe = (element) => {
    let name = element.tagName.toLowerCase();
    if (element.id) name += "#" + element.id;
    for (const token of Array.from(element.classList).slice(0, 3)) name += "." + token;
    return name;
  };
  const textWords = (root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: (node) => {
        for (let parent = node.parentElement; parent && parent !== root.parentElement;
             parent = parent.parentElement) {
          if (skipped.has(parent.tagName.toUpperCase())) return NodeFilter.FILTER_REJECT;
        }
        return NodeFilter.FILTER_ACCEPT;
      },
    });
    let count = 0;
    while (walker.nextNode()) count += words(walker.currentNode.data);
    return count;
  };
  const body = document.body;
  if (!body) {
    return {visible_words: 0, present_words: 0, hidden: [], overlays: [],
            scroll_locked: false, reachable_words: null, consent: []};
  }

  // Elements holding article-sized text that their own style hides or blurs: the
  // outermost one of each nest is reported.
  const hidden = [];
  const reported = [];
  for (const element of body.querySelectorAll("*")) {
    if (skipped.has(element.tagName.toUpperCase())) continue;
    if (reported.some((outer) => outer.contains(element))) continue;
    const style = getComputedStyle(element);
    const blur = /blur\(\s*([\d.]+)px/.exec(style.filter || "");
    let how = null;
    if (style.display === "none") how = "display: none";
    else if (style.visibility === "hidden") how = "visibility: hidden";
    else if (parseFloat(style.opacity) < 0.1) how = "opacity: " + style.opacity;
    else if (blur && parseFloat(blur[1]) >= 2) how = "filter: " + style.filter;
    else if (element.getBoundingClientRect().height < 5 && style.overflow !== "visible"
             && element.scrollHeight > 50) how = "height: 0, overflow: " + style.overflow;
    if (how === null) continue;
    const count = textWords(element);
    if (count < options.minWords) continue;
    reported.push(element);
    hidden.push({selector: describe(element), how: how, words: count});
  }

  // Fixed or sticky boxes drawn over the viewport.
  const viewport = innerWidth * innerHeight;
  const overlays = [];
  for (const element of body.querySelectorAll("*")) {
    const style = getComputedStyle(element);
    if (style.position !== "fixed" && style.position !== "sticky") continue;
    if (style.display === "none" || style.visibility === "hidden"
        || parseFloat(style.opacity) < 0.1) continue;
    const box = element.getBoundingClientRect();
    const width = Math.max(0, Math.min(box.right, innerWidth) - Math.max(box.left, 0));
    const height = Math.max(0, Math.min(box.bottom, innerHeight) - Math.max(box.top, 0));
    const coverage = viewport ? (width * height) / viewport : 0;
    if (coverage < options.overlayCoverage) continue;
    if (overlays.some((outer) => outer.element.contains(element))) continue;
    overlays.push({element: element, selector: describe(element),
                   coverage: Math.round(coverage * 1000) / 1000,
                   text: (element.innerText || "").replace(/\s+/g, " ").trim().slice(0, 160)});
  }

  const locked = [document.documentElement, body].some((element) => {
    const style = getComputedStyle(element);
    return style.overflowY === "hidden" || style.overflow === "hidden"
      || style.position === "fixed";
  }) && document.documentElement.scrollHeight > innerHeight;

  // With scrolling locked a reader sees the first screen only, minus what an overlay
  // covers: the words of text there that the topmost element at the text is part of.
  let reachable = null;
  if (locked && overlays.length) {
    reachable = 0;
    const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const parent = node.parentElement;
      if (!parent || skipped.has(parent.tagName.toUpperCase()) || !node.data.trim()) continue;
      range.selectNodeContents(node);
      const box = range.getBoundingClientRect();
      const x = box.left + Math.min(box.width, 40) / 2;
      const y = box.top + Math.min(box.height, 20) / 2;
      if (box.width === 0 || x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
      const top = document.elementFromPoint(x, y);
      if (top && (top === parent || parent.contains(top) || top.contains(parent))) {
        reachable += words(node.data);
      }
    }
  }

  const shown = (element) => {
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    return style.display !== "none" && style.visibility !== "hidden" && box.width > 0
      && box.height > 0;
  };
  const consent = options.banners
    .filter(([, selectors]) => selectors.some((selector) => {
      const element = document.querySelector(selector);
      return element !== null && shown(element);
    }))
    .map(([manager]) => manager);

  return {
    visible_words: words(body.innerText || ""),
    present_words: textWords(body),
    hidden: hidden,
    overlays: overlays.map(({element, ...overlay}) => overlay),
    scroll_locked: locked,
    reachable_words: reachable,
    consent: consent,
  };
}
