// Tiny DOM helpers shared by the console pages. Text always goes in as text nodes, never as HTML, so
// whatever a customer or a fixture says is shown as written and cannot inject markup.

/**
 * Creates an element: `h('button', { class: 'x', onclick: fn }, 'Send')`. Keys starting with `on` are
 * listeners; `false`/`null`/`undefined` attributes are left out; children may be nested arrays.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'value') el.value = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el;
}

/** `12:03:04` of an ISO time: the date is the same for everything on screen. */
export function clockTime(iso) {
  return iso ? iso.slice(11, 19) : '';
}

/** Shows a status text in a live region, replacing the previous one. */
export function say(el, text, kind = '') {
  el.className = kind;
  el.textContent = text;
}
