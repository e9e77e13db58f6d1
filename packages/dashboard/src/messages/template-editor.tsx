import type { TransactionalMessage } from '@roster/protocol';
import { useState } from 'preact/hooks';
import { App } from '../api/endpoints';
import { Notice, type Outcome } from '../components/notice';
import { TemplateFields } from '../components/template-fields';
import { NEW_TEMPLATE, type TemplateDraft } from '../models/campaign-form';
import { errorMessage } from '../models/format';
import { PushPreview } from '../components/push-preview';
import { PreviewPanel } from './preview-panel';

/** Edit or create a template; preview it for a person with event and trigger data. */
export function TemplateEditor({
  template,
  onSaved,
}: {
  template: TransactionalMessage | null;
  onSaved: (t: TransactionalMessage) => void;
}) {
  const [name, setName] = useState(template?.name ?? '');
  const [draft, setDraft] = useState<TemplateDraft>({
    title: template?.title ?? NEW_TEMPLATE.title,
    message: template?.message ?? NEW_TEMPLATE.message,
    image_url: template?.image_url ?? '',
    link: template?.link ?? '',
  });
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const save = async (e: Event) => {
    e.preventDefault();
    setOutcome(null);
    try {
      const body = {
        name: name.trim(),
        title: draft.title,
        message: draft.message,
        image_url: draft.image_url || null,
        link: draft.link || null,
      };
      const saved = template ? await App.updateTemplate(template.id, body) : await App.createTemplate(body);
      setOutcome({ ok: true, text: 'Saved.' });
      onSaved(saved);
    } catch (err) {
      setOutcome({ ok: false, text: errorMessage(err), error: err });
    }
  };

  return (
    <div class="editor-grid">
      <form
        onSubmit={save}
        class="stack"
        aria-label={template ? `Edit template ${template.name}` : 'New template'}
      >
        <h3>{template ? `Edit “${template.name}”` : 'New template'}</h3>
        <label for="tpl-name">Name</label>
        <input id="tpl-name" value={name} required onInput={(e) => setName(e.currentTarget.value)} />
        <TemplateFields value={draft} onChange={setDraft} idPrefix="tpl" />
        <button type="submit" class="primary">
          {template ? 'Save template' : 'Create template'}
        </button>
        <Notice outcome={outcome} />
      </form>
      <PreviewPanel idPrefix="tpl-preview" data="both">
        {(p) => (
          <PushPreview
            template={draft}
            cioId={p.cioId}
            deviceToken={p.device}
            event={p.event}
            trigger={p.trigger}
          />
        )}
      </PreviewPanel>
    </div>
  );
}
