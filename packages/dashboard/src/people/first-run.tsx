import { App } from '../api/endpoints';
import { useAsync } from '../lib/use-async';

/**
 * The People page of a new workspace: how to get the first person in, as a command to paste (the
 * tracking key itself is not shown again, so it stays a placeholder).
 */
export function FirstRun() {
  const ws = useAsync((s) => App.workspace(s), []);
  const site = ws.data?.site_id ?? 'SITE_ID';
  const command = `curl -u ${site}:TRACKING_API_KEY -X PUT ${location.origin}/api/v1/customers/dana \\\n  -H 'content-type: application/json' -d '{"email":"dana@example.com","first_name":"Dana"}'`;
  return (
    <div class="first-run" data-testid="first-run">
      <p>
        <strong>Nobody has been identified yet.</strong> Call <code>identify</code> from your app (
        <code>@roster/sdk</code> or any Customer.io client), or try the Track API from a terminal with the
        tracking key <code>roster serve</code> printed on first start:
      </p>
      <pre class="json">{command}</pre>
      <p class="muted small">The person appears here as soon as the call answers.</p>
    </div>
  );
}
