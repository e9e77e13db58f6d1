/** Columns every person has; any attribute name is a column too. */
export const BUILT_IN_COLUMNS = ['id', 'email', 'cio_id', 'devices', 'updated'] as const;

export const COLUMN_LABELS: Record<string, string> = {
  id: 'ID',
  email: 'Email',
  cio_id: 'cio_id',
  devices: 'Devices',
  updated: 'Last updated',
};
