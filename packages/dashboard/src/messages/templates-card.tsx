import type { TransactionalMessage } from '@roster/protocol';
import { useState } from 'preact/hooks';
import { AsyncView } from '../components/async-view';
import { Empty } from '../components/empty';
import type { AsyncState } from '../lib/use-async';
import { TemplateEditor } from './template-editor';

/** The transactional push templates, and an editor with a live preview for a chosen person. */
export function TemplatesCard({ templates }: { templates: AsyncState<TransactionalMessage[]> }) {
  const [editing, setEditing] = useState<TransactionalMessage | 'new' | null>(null);
  // A new editor when someone picks another template, not when a save turns "new" into a template.
  const [session, setSession] = useState(0);
  const open = (t: TransactionalMessage | 'new') => {
    setEditing(t);
    setSession((n) => n + 1);
  };
  const selected = (t: TransactionalMessage) => editing !== 'new' && editing?.id === t.id;
  return (
    <section class="card" aria-labelledby="h-templates">
      <div class="row-between">
        <h2 id="h-templates">Push templates</h2>
        <button type="button" onClick={() => open('new')}>
          New template
        </button>
      </div>
      <AsyncView state={templates} what="Templates">
        {(list) =>
          list.length === 0 && editing === null ? (
            <Empty>
              No push templates yet. A template is what campaigns, broadcasts and <code>/v1/send/push</code>{' '}
              send: create one to get started.
            </Empty>
          ) : (
            <ul class="plain tabs">
              {list.map((t) => (
                <li key={t.id}>
                  <button
                    type="button"
                    class={`linkish${selected(t) ? ' selected' : ''}`}
                    aria-pressed={selected(t)}
                    onClick={() => open(t)}
                  >
                    <strong>{t.name}</strong> <span class="muted small">{t.title}</span>
                  </button>
                </li>
              ))}
            </ul>
          )
        }
      </AsyncView>
      {editing ? (
        <TemplateEditor
          key={session}
          template={editing === 'new' ? null : editing}
          onSaved={(t) => {
            templates.reload();
            setEditing(t);
          }}
        />
      ) : null}
    </section>
  );
}
