/** One freshly made key in a definition list, shown once; nothing when that key was not rotated. */
export function NewKey({ label, value }: { label: string; value: string | undefined }) {
  if (!value) return null;
  return (
    <>
      <dt>{label}</dt>
      <dd>
        <code class="secret">{value}</code>
      </dd>
    </>
  );
}
