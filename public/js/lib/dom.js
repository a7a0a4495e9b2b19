// @ts-check
// Finding and filling elements. User-written text only ever goes through textContent.

/**
 * The element with this id, of this type: a page without it is broken, and says so at load.
 * @template {Element} [T=HTMLElement]
 * @param {string} id
 * @param {{ new (): T, prototype: T }} [type]
 * @returns {T}
 */
export function byId(id, type) {
  return checked(document.getElementById(id), `#${id}`, type);
}

/**
 * The first element matching `selector` under `root`, of this type (the same promise as byId).
 * @template {Element} [T=HTMLElement]
 * @param {ParentNode} root
 * @param {string} selector
 * @param {{ new (): T, prototype: T }} [type]
 * @returns {T}
 */
export function find(root, selector, type) {
  return checked(root.querySelector(selector), selector, type);
}

/**
 * @template {Element} T
 * @param {Element | null} node
 * @param {string} what
 * @param {{ new (): T, prototype: T }} [type]
 * @returns {T}
 */
function checked(node, what, type) {
  const want = type ?? HTMLElement;
  if (!(node instanceof want)) throw new Error(`${what}: missing, or not a ${want.name}`);
  return /** @type {T} */ (node);
}

/**
 * A copy of the first element of a <template> (markup is written once, in the views).
 * @template {Element} [T=HTMLElement]
 * @param {HTMLTemplateElement} template
 * @param {string} selector
 * @param {{ new (): T, prototype: T }} [type]
 * @returns {T}
 */
export function cloneFrom(template, selector, type) {
  const copy = find(template.content, selector, type).cloneNode(true);
  return /** @type {T} */ (copy);
}

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string | null} [className]
 * @param {string} [text]
 */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A 24×24 decorative icon from one SVG path. @param {string} d */
export function svg(d) {
  const ns = 'http://www.w3.org/2000/svg';
  const node = document.createElementNS(ns, 'svg');
  node.setAttribute('viewBox', '0 0 24 24');
  node.setAttribute('aria-hidden', 'true');
  node.setAttribute('class', 'icon');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', d);
  node.append(path);
  return node;
}

const COLOR = /^#[0-9a-f]{3,8}$/i;

/** Colour dots get their colour through the CSSOM (the CSP forbids style attributes). */
export function paintDots(root = /** @type {ParentNode} */ (document)) {
  for (const dot of root.querySelectorAll('.dot[data-color]')) {
    const color = dot instanceof HTMLElement ? (dot.dataset.color ?? '') : '';
    if (dot instanceof HTMLElement && COLOR.test(color)) dot.style.backgroundColor = color;
  }
}

/**
 * Fills a name chip (views/partials/chip.njk): a colour dot and a name on a neutral background.
 * @param {Element} chip
 * @param {string} color
 * @param {string} name
 */
export function fillChip(chip, color, name) {
  find(chip, '.dot').dataset.color = color;
  find(chip, '.chip-name').textContent = name;
  paintDots(chip);
}

/**
 * Keeps the optional part of a template copy matching `selector` when `wanted`, removes it
 * otherwise; returns it when kept.
 * @param {Element} root
 * @param {string} selector
 * @param {unknown} wanted
 */
export function keepPart(root, selector, wanted) {
  const node = find(root, selector);
  if (wanted) return node;
  node.remove();
  return null;
}
