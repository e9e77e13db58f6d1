/** `Online Classes` → `online_classes`: how a name appears in Liquid (`objects.<slug>`) and URLs. */
export function slugOf(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}
