import { ApiError } from '../api/client';
import { errorMessage } from '../models/format';

/** An error from the API, or "not available on this server yet" when the route does not exist. */
export function ErrorBox({ error, retry, what }: { error: unknown; retry?: () => void; what?: string }) {
  if (error instanceof ApiError && error.missingRoute) {
    return (
      <div class="notice unavailable" role="status" data-testid="unavailable">
        <strong>{what ? `${what}: not` : 'Not'} available on this server yet.</strong>{' '}
        <span class="muted">
          This Roster server does not answer <code>{error.route}</code>. Upgrade the server to use it.
        </span>
      </div>
    );
  }
  return (
    <div class="notice error" role="alert">
      {what ? <strong>{what}: </strong> : null}
      {errorMessage(error)}
      {error instanceof ApiError && error.reference ? (
        <span class="muted small"> (reference {error.reference})</span>
      ) : null}
      {retry ? (
        <>
          {' '}
          <button type="button" class="link" onClick={retry}>
            Try again
          </button>
        </>
      ) : null}
    </div>
  );
}
