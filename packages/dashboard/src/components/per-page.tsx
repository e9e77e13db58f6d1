/** How many rows a list shows per page (People, Objects): 25, 50 or 100. */
export function PerPage({ limit, onChange }: { limit: number; onChange: (n: number) => void }) {
  return (
    <label class="inline small">
      Per page{' '}
      <select value={String(limit)} onChange={(e) => onChange(Number(e.currentTarget.value))}>
        {[25, 50, 100].map((n) => (
          <option key={n} value={String(n)}>
            {n}
          </option>
        ))}
      </select>
    </label>
  );
}
