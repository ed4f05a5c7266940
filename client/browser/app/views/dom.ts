// A tiny element builder and a re-render that keeps keyboard focus: lists are rebuilt on every
// change, and a person tabbing through them must not be thrown back to the top of the page.

type Attrs = Record<string, string | number | boolean | null | undefined | ((ev: Event) => void)>;
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (k === 'testid') el.dataset.testid = String(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** Replaces a container's children; the element focused before (by data-testid or id) is focused again. */
export function replaceKeepingFocus(container: HTMLElement, ...children: (Child | Child[])[]): void {
  const active = document.activeElement as HTMLElement | null;
  const inside = active !== null && container.contains(active);
  const testid = inside ? active.dataset.testid : undefined;
  const id = inside ? active.id : '';
  container.replaceChildren(...(children.flat().filter((c) => c !== null && c !== undefined && c !== false) as (Node | string)[]));
  if (!inside) return;
  const again = testid ? container.querySelector<HTMLElement>(`[data-testid="${CSS.escape(testid)}"]`) : id ? container.querySelector<HTMLElement>(`#${CSS.escape(id)}`) : null;
  again?.focus();
}

export function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
