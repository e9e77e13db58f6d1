import type { AppIdentifiers } from '@roster/protocol';
import { useState } from 'preact/hooks';
import { App } from '../api/endpoints';
import { errorMessage, personLabel } from '../models/format';

/**
 * Finds a person by the start of their id or email (or their cio_id) and lets the user pick one of
 * the first few matches: previews render "as this person would see it".
 */
export function PersonPicker({ id, onPick }: { id: string; onPick: (person: AppIdentifiers) => void }) {
  const [text, setText] = useState('');
  const [found, setFound] = useState<AppIdentifiers[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const find = async (e: Event) => {
    e.preventDefault();
    setError(null);
    if (!text.trim()) return;
    try {
      const page = await App.prefixSearch(text.trim(), '', 5);
      if (page.identifiers.length === 1) {
        onPick(page.identifiers[0]!);
        setFound(null);
      } else setFound(page.identifiers);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <div class="stack">
      <form class="inline" onSubmit={find}>
        <label for={id} class="sr-only">
          Person (start of id or email, or cio_id)
        </label>
        <input
          id={id}
          placeholder="start of an id or email"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          autocomplete="off"
        />
        <button type="submit">Use person</button>
      </form>
      {error ? (
        <p class="notice error" role="alert">
          {error}
        </p>
      ) : found && found.length === 0 ? (
        <p class="notice error" role="alert">
          Nobody’s id or email starts with “{text.trim()}”.
        </p>
      ) : found ? (
        <ul class="plain picks" aria-label="Matching people">
          {found.map((p) => (
            <li key={p.cio_id}>
              <button
                type="button"
                class="linkish"
                onClick={() => {
                  onPick(p);
                  setFound(null);
                }}
              >
                {personLabel(p)}
                {p.email && p.id ? <span class="muted small"> · {p.id}</span> : null}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
