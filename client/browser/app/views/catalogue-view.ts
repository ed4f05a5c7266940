// The catalogue: search, an "only what I marked" filter, and per item two toggle buttons that mark
// it viewed or bought. The search box is built once (typing never loses focus); the list is rebuilt.

import type { InteractionKind } from '../../../../shared/data/types.js';
import type { ItemInfo } from '../../../../shared/model/catalogue-listing.js';
import type { AppState } from '../app-state.js';
import { marksOf, type Marks } from '../history.js';
import { displayTitle, searchCatalogue } from '../search.js';
import { h, replaceKeepingFocus } from './dom.js';

export interface CatalogueActions {
  query(text: string): void;
  onlyHistory(on: boolean): void;
  more(): void;
  mark(item: number, kind: InteractionKind): void;
}

export class CatalogueView {
  private readonly count = h('p', { class: 'count', 'aria-live': 'polite' });
  private readonly list = h('ul', { class: 'items' });
  private readonly more = h('div', { class: 'more' });

  constructor(
    root: HTMLElement,
    private readonly act: CatalogueActions,
  ) {
    const search = h('input', { type: 'search', id: 'catalogue-search', testid: 'catalogue-search', placeholder: 'Title, genre or #id', autocomplete: 'off', oninput: (ev) => act.query((ev.target as HTMLInputElement).value) });
    const only = h('input', { type: 'checkbox', id: 'only-history', testid: 'only-history', onchange: (ev) => act.onlyHistory((ev.target as HTMLInputElement).checked) });
    root.replaceChildren(
      h('h2', {}, 'Catalogue'),
      h('div', { class: 'search' }, h('label', { for: 'catalogue-search' }, 'Search the catalogue'), search, h('label', { class: 'check' }, only, ' Only what I marked')),
      this.count,
      this.list,
      this.more,
    );
  }

  render(s: AppState): void {
    if (!s.listing) {
      this.count.textContent = s.listingError ?? 'Loading the catalogue…';
      this.list.replaceChildren();
      this.more.replaceChildren();
      return;
    }
    const marks = marksOf(s.history);
    const result = searchCatalogue(s.listing.items, s.query, s.shown, s.onlyHistory ? (it) => marks.has(it.id) : undefined);
    const marked = `${marks.size} marked by you`;
    this.count.textContent = result.total === 0 ? `Nothing matches. ${marked}.` : `Showing ${result.items.length} of ${result.total} items · ${marked}`;
    replaceKeepingFocus(
      this.list,
      result.items.map((it) => this.item(it, marks)),
    );
    replaceKeepingFocus(this.more, result.items.length < result.total ? h('button', { type: 'button', testid: 'show-more', onclick: () => this.act.more() }, 'Show more') : null);
  }

  private item(it: ItemInfo, marks: Marks): HTMLElement {
    const title = displayTitle(it, it.id);
    const kinds = marks.get(it.id);
    const toggle = (kind: InteractionKind, label: string, suffix: string) =>
      h('button', { type: 'button', class: 'mark', testid: `item-${it.id}-${suffix}`, 'aria-pressed': kinds?.has(kind) ? 'true' : 'false', onclick: () => this.act.mark(it.id, kind) }, label, h('span', { class: 'sr-only' }, ` ${title}`));
    return h(
      'li',
      { class: 'item', testid: `item-${it.id}` },
      h('div', { class: 'item-text' }, h('span', { class: 'title' }, title), it.genres?.length ? h('span', { class: 'genres' }, it.genres.join(' · ')) : null),
      h('div', { class: 'marks' }, toggle('view', 'Viewed', 'view'), toggle('purchase', 'Bought', 'buy')),
    );
  }
}
