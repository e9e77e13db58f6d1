import type { ComponentChildren } from 'preact';

/** A column heading: `num` right-aligns a number column; `hidden` names it for screen readers only. */
export interface Column {
  label: string;
  num?: boolean;
  hidden?: boolean;
}

/**
 * A table that becomes one card per row on a phone (tables.css `table.cards`): the scrolling wrap,
 * the column headings, and `children` as its rows (each cell with its `data-label`).
 */
export function CardTable({
  testId,
  columns,
  kind,
  caption,
  children,
}: {
  testId: string;
  columns: readonly Column[];
  /** Read to screen readers (`People, page 2`). */
  caption?: string;
  /** An extra class for the table's own styles (`people`, `attrs`, …). */
  kind?: string;
  children: ComponentChildren;
}) {
  return (
    <div class="table-wrap">
      <table class={kind ? `${kind} cards` : 'cards'} data-testid={testId}>
        {caption ? <caption class="sr-only">{caption}</caption> : null}
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" key={c.label} class={c.num ? 'num' : undefined}>
                {c.hidden ? <span class="sr-only">{c.label}</span> : c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
