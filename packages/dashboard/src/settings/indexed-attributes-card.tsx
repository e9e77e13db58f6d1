import type { IndexedAttribute } from '@roster/protocol';
import { useEffect, useState } from 'preact/hooks';
import { App } from '../api/endpoints';
import { AsyncView } from '../components/async-view';
import { Badge } from '../components/badge';
import { Notice, type Outcome } from '../components/notice';
import { useAsync } from '../lib/use-async';
import { errorMessage } from '../models/format';

const TONE = { building: 'warn', ready: 'good', failed: 'bad' } as const;

/**
 * Indexed attributes (docs/app-api.md "Indexed attributes"): the attributes this workspace filters
 * on often, indexed so searches, counts and new segments on them stay fast however many people
 * there are. Lists them with their build status (refreshed while one builds), adds and removes.
 */
export function IndexedAttributesCard() {
  const list = useAsync((s) => App.indexedAttributes(s), []);
  const [name, setName] = useState('');
  const [type, setType] = useState<'text' | 'number'>('text');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const building = (list.data ?? []).some((a) => a.status === 'building');
  useEffect(() => {
    if (!building) return;
    const t = setTimeout(list.reload, 1000);
    return () => clearTimeout(t);
  }, [building, list.data]);

  const add = async (e: Event) => {
    e.preventDefault();
    try {
      const a = await App.addIndexedAttribute({ name: name.trim(), type });
      setOutcome({ ok: true, text: `Indexing ${a.name} (${a.type}): it builds in the background.` });
      setName('');
      list.reload();
    } catch (err) {
      setOutcome({ ok: false, text: errorMessage(err), error: err });
    }
  };
  const remove = async (a: IndexedAttribute) => {
    if (!confirm(`Remove the ${a.type} index on ${a.name}? Filters on it keep working, more slowly.`)) return;
    try {
      await App.removeIndexedAttribute(a.name, a.type);
      setOutcome({ ok: true, text: `Removed the ${a.type} index on ${a.name}.` });
      list.reload();
    } catch (err) {
      setOutcome({ ok: false, text: errorMessage(err), error: err });
    }
  };

  return (
    <form class="card" onSubmit={add} aria-labelledby="h-indexed">
      <h2 id="h-indexed">Indexed attributes</h2>
      <p class="hint">
        Index the attributes you search and segment on: <em>text</em> serves “is” and “is one of”,{' '}
        <em>number</em> serves greater/less than. Each index makes every write a little slower.
      </p>
      <AsyncView state={list} what="Indexed attributes" label="Loading indexed attributes…">
        {(items) =>
          items.length === 0 ? (
            <p class="muted">No attribute is indexed yet.</p>
          ) : (
            <ul class="list" data-testid="indexed-attributes">
              {items.map((a) => (
                <li key={`${a.name}:${a.type}`}>
                  <code>{a.name}</code> {a.type} <Badge tone={TONE[a.status]}>{a.status}</Badge>{' '}
                  <button
                    type="button"
                    onClick={() => void remove(a)}
                    aria-label={`Remove ${a.name} ${a.type}`}
                  >
                    Remove
                  </button>
                  {a.error ? <div class="muted">{a.error}</div> : null}
                </li>
              ))}
            </ul>
          )
        }
      </AsyncView>
      <label>
        Attribute to index{' '}
        <input
          name="indexed-name"
          value={name}
          placeholder="plan"
          maxLength={150}
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </label>{' '}
      <label>
        Index type{' '}
        <select
          name="indexed-type"
          value={type}
          onChange={(e) => setType(e.currentTarget.value === 'number' ? 'number' : 'text')}
        >
          <option value="text">text (is, is one of)</option>
          <option value="number">number (greater/less than)</option>
        </select>
      </label>{' '}
      <button type="submit" class="primary" disabled={name.trim() === ''}>
        Index attribute
      </button>
      <Notice outcome={outcome} />
    </form>
  );
}
