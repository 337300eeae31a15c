// Answered questions and search: what was already answered (with the answer that went out), and one search box
// that narrows both the queue and this list by the question's words or the asker's name.
import { api, clock, h, replaceChildren } from '../lib/core.js';

const DONE = { answered: 'Answered', answered_in_thread: 'Answered in the thread' };

export function makeAnswered({ state, el, onSearch }) {
  let query = '';
  let groups = null; // loaded when the list is opened, then on each refresh while open
  let open = false;
  const search = h('input', { type: 'search', id: 'q-search', placeholder: 'Words or a name', autocomplete: 'off', enterkeyhint: 'search' });
  const count = h('span', { class: 'muted', id: 'answered-count' });
  const list = h('div', { id: 'answered-list' });
  const details = h('details', { class: 'tb-answered', ontoggle: (e) => { open = e.currentTarget.open; if (open) load(); } },
    h('summary', {}, 'Answered questions ', count), list);
  const matches = (text) => !query || text.toLowerCase().includes(query);

  async function load() {
    if (!open) return;
    const base = `/api/events/${state.event.id}/questions`;
    try {
      const [a, b] = await Promise.all([api(`${base}?status=answered`), api(`${base}?status=answered_in_thread`)]);
      groups = [...(a || []), ...(b || [])].sort((x, y) => Date.parse(y.last_asked_at || y.created_at) - Date.parse(x.last_asked_at || x.created_at));
    } catch (err) {
      groups = { error: err.message };
    }
    render();
  }

  function answerOf(group) {
    const item = group.answer_item_id && state.items.find((i) => i.id === group.answer_item_id);
    return item ? item.content.caption : null;
  }

  function render() {
    if (!groups) {
      replaceChildren(list, h('p', { class: 'muted' }, 'Loading…'));
      return;
    }
    if (groups.error) {
      replaceChildren(list, h('p', { class: 'field-error' }, `Could not load answered questions: ${groups.error}`));
      return;
    }
    const shown = groups.filter((g) => matches(`${g.text} ${(g.messages || []).map((m) => `${m.author_name} ${m.author_handle} ${m.text}`).join(' ')}`));
    count.textContent = `(${groups.length})`;
    replaceChildren(list, shown.length ? h('ul', { class: 'tb-answered-list' }, shown.map((g) => h('li', { class: 'tb-answered-item', dataset: { groupId: g.id } },
      h('p', { class: 'tb-q-text' }, g.text),
      h('p', { class: 'muted' }, `${DONE[g.status] || g.status} · ${g.size || (g.messages || []).length || 1} asked · ${clock(g.last_asked_at || g.created_at, state.event.timezone)}`),
      answerOf(g) ? h('p', { class: 'tb-answer-sent' }, h('span', { class: 'muted' }, 'Answer: '), answerOf(g)) : null)))
      : h('p', { class: 'muted' }, query ? 'No answered question matches.' : 'Nothing answered yet.'));
  }

  search.addEventListener('input', () => {
    query = search.value.trim().toLowerCase();
    onSearch();
    if (open) render();
  });
  replaceChildren(el, h('div', { class: 'field tb-search' }, h('label', { for: 'q-search' }, 'Search questions'), search), details);

  return {
    refresh: load,
    /** Hide the queue's cards that do not match the search; says how many are hidden. */
    filterQueue(root) {
      let hidden = 0;
      for (const card of root.querySelectorAll('.tb-question')) {
        const hide = !matches(card.textContent);
        card.hidden = hide;
        hidden += hide ? 1 : 0;
      }
      let note = root.querySelector('.tb-search-note');
      if (!hidden && note) note.remove();
      if (hidden) {
        if (!note) {
          note = h('p', { class: 'tb-search-note muted' });
          root.prepend(note);
        }
        note.textContent = `${hidden} question${hidden > 1 ? 's' : ''} hidden by the search “${search.value.trim()}”.`;
      }
    },
  };
}
