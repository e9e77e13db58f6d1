/**
 * The Objects page of a workspace without objects: what they are and how the first one gets in,
 * as a command to paste (the tracking key is not shown again, so it stays a placeholder).
 */
export function NoObjects() {
  const command = `curl -u SITE_ID:TRACKING_API_KEY ${location.origin}/api/v2/entity \\\n  -H 'content-type: application/json' -d '{"type":"object","action":"identify",\n  "identifiers":{"object_type_id":"1","object_id":"acme"},"attributes":{"name":"Acme"},\n  "cio_relationships":[{"identifiers":{"id":"dana"},"relationship_attributes":{"role":"admin"}}]}'`;
  return (
    <div class="first-run" data-testid="no-objects">
      <p>
        <strong>No objects yet.</strong> Objects are the companies, accounts or classes your people belong to.
        Send them with the Track API’s <code>type: "object"</code> operations (docs/objects.md), for example:
      </p>
      <pre class="json">{command}</pre>
      <p class="muted small">The type and the object appear here as soon as the call answers.</p>
    </div>
  );
}
