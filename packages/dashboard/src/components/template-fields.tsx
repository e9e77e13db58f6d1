import type { TemplateDraft } from '../models/campaign-form';

const FIELDS: Array<{ key: keyof TemplateDraft; label: string; multiline?: boolean; hint?: string }> = [
  { key: 'title', label: 'Title' },
  {
    key: 'message',
    label: 'Message',
    multiline: true,
    hint: 'Liquid: {{ customer.first_name | default: "there" }}, {{ device.platform }}, {{ event.total }}, {{ trigger.code }}',
  },
  { key: 'image_url', label: 'Image URL (optional)' },
  { key: 'link', label: 'Link (optional)' },
];

/** The text fields of a push template (title, message, image, link), labelled, with a Liquid hint. */
export function TemplateFields({
  value,
  onChange,
  idPrefix,
}: {
  value: TemplateDraft;
  onChange: (t: TemplateDraft) => void;
  idPrefix: string;
}) {
  return (
    <>
      {FIELDS.map(({ key, label, multiline, hint }) => {
        const id = `${idPrefix}-${key}`;
        const props = {
          id,
          value: value[key] ?? '',
          onInput: (e: Event) => onChange({ ...value, [key]: (e.currentTarget as HTMLInputElement).value }),
          'aria-describedby': hint ? `${id}-hint` : undefined,
        };
        return (
          <div class="stack" key={key}>
            <label for={id}>{label}</label>
            {multiline ? <textarea rows={3} {...props} /> : <input {...props} />}
            {hint ? (
              <p class="hint" id={`${id}-hint`}>
                {hint}
              </p>
            ) : null}
          </div>
        );
      })}
    </>
  );
}
