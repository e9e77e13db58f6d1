import { ApiError } from '../api/client';
import { ErrorBox } from './error-box';

export interface Outcome {
  ok: boolean;
  text: string;
  error?: unknown;
}

/** The outcome of a save or send: a green status, a red alert, or "not on this server". */
export function Notice({ outcome }: { outcome: Outcome | null }) {
  if (!outcome) return null;
  if (outcome.error instanceof ApiError && outcome.error.missingRoute)
    return <ErrorBox error={outcome.error} />;
  return (
    <p class={`notice ${outcome.ok ? 'ok' : 'error'}`} role={outcome.ok ? 'status' : 'alert'}>
      {outcome.text}
    </p>
  );
}
